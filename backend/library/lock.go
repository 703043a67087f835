package library

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// LockFileName is the file in the data folder that the one process
// indexing a library holds locked (an OS lock: it goes when the process
// does, killed or not) and writes its pid into.
const LockFileName = "index.lock"

// errLocked means another process holds the lock.
var errLocked = errors.New("locked")

// lockIndex takes the library's index lock, waiting (and saying so through
// waiting) while another process holds it. The returned function releases
// it.
func (l *Library) lockIndex(ctx context.Context, waiting func(holder string)) (func(), error) {
	f, err := os.OpenFile(filepath.Join(l.DataDir(), LockFileName), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("index lock: %w", err)
	}
	told := false
	for {
		err := tryLock(f)
		if err == nil {
			break
		}
		if !errors.Is(err, errLocked) {
			f.Close()
			return nil, fmt.Errorf("index lock: %w", err)
		}
		if !told && waiting != nil {
			b := make([]byte, 32)
			n, _ := f.ReadAt(b, 0)
			holder := "another Tagsight process"
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b[:n]))); err == nil && pid > 0 {
				holder = fmt.Sprintf("Tagsight process %d", pid)
			}
			waiting(holder)
			told = true
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	f.Truncate(0)
	f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return func() {
		f.Truncate(0)
		unlock(f)
		f.Close()
	}, nil
}
