package watch

import "syscall"

// Filesystems whose changes made elsewhere send no inotify events.
var remoteTypes = map[int64]string{
	0x6969:     "nfs",
	0x517B:     "smb",
	0xFF534D42: "cifs",
	0xFE534D42: "smb2",
	0x01021997: "9p", // also WSL's view of Windows drives
	0x00C36400: "ceph",
	0x5346414F: "afs",
	0x65735546: "fuse", // sshfs, rclone and the like
	0x47504653: "gpfs",
	0x0BD00BD0: "lustre",
}

// remoteFS reports whether dir is on a network filesystem, and which.
func remoteFS(dir string) (string, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return "", false
	}
	name, ok := remoteTypes[int64(st.Type)]
	return name, ok
}
