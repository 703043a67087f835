// Package safefile replaces files so that a crash or a reader never sees
// half of one.
package safefile

import (
	"os"
	"path/filepath"
)

// Write replaces path with data: through a temporary file in the same
// folder, synced, then renamed over path. The temporary file is hidden and
// ends in path's own extension (".photo.jpg.xmp-123.xmp"), so whatever
// lists the folder meanwhile takes it for the kind of file path is (a
// library scan skips it like a sidecar). path's permissions are kept when
// it exists; a new file gets 0644.
func Write(path string, data []byte) error {
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	dir, base := filepath.Split(path)
	f, err := os.CreateTemp(dir, "."+base+"-*"+filepath.Ext(base))
	if err != nil {
		return err
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Chmod(mode); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	ok = true
	return nil
}
