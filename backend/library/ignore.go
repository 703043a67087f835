package library

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	ignore "github.com/sabhiram/go-gitignore"
)

// defaultIgnore is written to a new library's .tagsight/ignore: the clutter
// that operating systems and NAS boxes leave in photo folders.
const defaultIgnore = `# Files and folders Tagsight does not index, in .gitignore syntax.
# Edit freely; the next scan honours the change.
.git/
.DS_Store
._*
.Spotlight-V100/
.Trashes/
.Trash-*/
Thumbs.db
desktop.ini
@eaDir/
$RECYCLE.BIN/
System Volume Information/
`

func writeDefaultIgnore(dataDir string) error {
	p := filepath.Join(dataDir, "ignore")
	if _, err := os.Stat(p); err == nil {
		return nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return os.WriteFile(p, []byte(defaultIgnore), 0o644)
}

// matcher answers whether a library-relative path is ignored.
type matcher struct{ gi *ignore.GitIgnore }

func loadIgnore(dataDir string) (matcher, error) {
	p := filepath.Join(dataDir, "ignore")
	gi, err := ignore.CompileIgnoreFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return matcher{}, nil
	}
	if err != nil {
		return matcher{}, err
	}
	return matcher{gi: gi}, nil
}

// Ignored reports whether rel ('/'-separated) is excluded; dirs are matched
// with a trailing slash so "name/" patterns apply to folders only.
func (m matcher) Ignored(rel string, isDir bool) bool {
	if m.gi == nil {
		return false
	}
	if isDir {
		return m.gi.MatchesPath(rel + "/")
	}
	return m.gi.MatchesPath(rel)
}

// Skipper returns what a watcher of the library leaves alone: Tagsight's
// own folder and what .tagsight/ignore names (re-read when it changes).
func (l *Library) Skipper() (func(rel string, isDir bool) bool, error) {
	p := filepath.Join(l.DataDir(), "ignore")
	var mu sync.Mutex
	var m matcher
	var stamp time.Time
	load := func() error {
		st, err := os.Stat(p)
		if err != nil {
			m, stamp = matcher{}, time.Time{}
			return nil
		}
		if st.ModTime().Equal(stamp) {
			return nil
		}
		nm, err := loadIgnore(l.DataDir())
		if err != nil {
			return err
		}
		m, stamp = nm, st.ModTime()
		return nil
	}
	if err := load(); err != nil {
		return nil, fmt.Errorf("read ignore file: %w", err)
	}
	return func(rel string, isDir bool) bool {
		top, _, _ := strings.Cut(rel, "/")
		if ownData(top) {
			return true
		}
		mu.Lock()
		defer mu.Unlock()
		_ = load() // a broken edit keeps the last good patterns
		return m.Ignored(rel, isDir)
	}, nil
}
