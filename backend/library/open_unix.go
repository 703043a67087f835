//go:build unix

package library

import (
	"fmt"
	"os"
	"syscall"
)

// openRegular opens a file for reading without ever blocking: O_NONBLOCK
// keeps a FIFO that replaced a regular file since the walk from stalling the
// scan, and the fstat afterwards refuses anything that is not a regular file.
func openRegular(path string) (*os.File, os.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, nil, fmt.Errorf("not a regular file (%s)", describeMode(st.Mode()))
	}
	return f, st, nil
}
