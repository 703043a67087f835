package api

import (
	"fmt"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// watchFolders watches folders with inotify for every kind of access
// (open, read, write, create, delete, move, attribute change) and returns a
// function that stops watching and lists what happened. The test's own
// checks afterwards (reading the tree) come after the watch ends.
func watchFolders(t *testing.T, dirs ...string) func() []string {
	t.Helper()
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		t.Fatalf("inotify: %v", err)
	}
	names := map[int32]string{}
	for _, d := range dirs {
		wd, err := unix.InotifyAddWatch(fd, d, unix.IN_ALL_EVENTS)
		if err != nil {
			t.Fatalf("watch %s: %v", d, err)
		}
		names[int32(wd)] = d
	}
	done := false
	return func() []string {
		if done {
			return nil
		}
		done = true
		defer unix.Close(fd)
		var out []string
		buf := make([]byte, 64<<10)
		for {
			n, err := unix.Read(fd, buf)
			if n <= 0 || err != nil {
				return out
			}
			for off := 0; off+unix.SizeofInotifyEvent <= n; {
				ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
				name := ""
				if ev.Len > 0 {
					b := buf[off+unix.SizeofInotifyEvent : off+unix.SizeofInotifyEvent+int(ev.Len)]
					for i, c := range b {
						if c == 0 {
							b = b[:i]
							break
						}
					}
					name = string(b)
				}
				out = append(out, fmt.Sprintf("%s/%s mask=%#x", names[ev.Wd], name, ev.Mask))
				off += unix.SizeofInotifyEvent + int(ev.Len)
			}
		}
	}
}
