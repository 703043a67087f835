// Package prefs keeps the user's preferences (recent libraries, execution
// provider, thumbnail size, theme) in a settings.json: read with defaults
// for anything missing or broken, checked, written atomically. It knows no
// library and no face; the API decides where the file lives (the user's
// config folder for the desktop, the served library for the web).
package prefs

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/tagsight/tagsight/backend/ort"
)

// FileName is the preferences file's name in its folder.
const FileName = "settings.json"

// MaxRecent is how many recent libraries are remembered.
const MaxRecent = 10

// RecentLibrary is a library opened before.
type RecentLibrary struct {
	Root     string `json:"root"`
	Name     string `json:"name"`
	OpenedAt string `json:"opened_at"`
}

// Prefs are the user's preferences.
type Prefs struct {
	Recent    []RecentLibrary `json:"recent"`
	Provider  string          `json:"provider"`
	ThumbSize int             `json:"thumb_size"`
	Theme     string          `json:"theme"`
}

// Defaults are the preferences of a first run.
func Defaults() Prefs {
	return Prefs{Provider: ort.ProviderAuto, ThumbSize: 256, Theme: "system"}
}

// DefaultDir is the user's config folder for Tagsight ("" when the system
// has none).
func DefaultDir() string {
	d, err := os.UserConfigDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "tagsight")
}

// Load reads the preferences at path; a missing or unreadable file, or
// values out of range, give the defaults for what is wrong.
func Load(path string) Prefs {
	p := Defaults()
	if path == "" {
		return p
	}
	if b, err := os.ReadFile(path); err == nil {
		json.Unmarshal(b, &p)
	}
	if p.Check() != nil {
		d := Defaults()
		if !validTheme(p.Theme) {
			p.Theme = d.Theme
		}
		if !validProvider(p.Provider) {
			p.Provider = d.Provider
		}
	}
	p.ThumbSize = thumbSize(p.ThumbSize)
	return p
}

// Save writes the preferences to path atomically ("" saves nothing).
func Save(path string, p Prefs) error {
	if path == "" {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(p, "", "  ")
	// A new file of a random name (O_EXCL: never a file or link planted
	// there), renamed over the old one (rename replaces a link at path
	// rather than writing through it).
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*.tmp")
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}

// Check says what is wrong with the theme or provider; a thumbnail size out
// of range is not an error: Normalize brings it back to the default.
func (p Prefs) Check() error {
	if !validTheme(p.Theme) {
		return fmt.Errorf("theme %q: use system, dark or light", p.Theme)
	}
	if !validProvider(p.Provider) {
		return fmt.Errorf("provider %q: use auto, cpu, cuda, coreml or directml", p.Provider)
	}
	return nil
}

// Normalize brings values that have a safe default back into range.
func (p *Prefs) Normalize() { p.ThumbSize = thumbSize(p.ThumbSize) }

// Opened puts a library first in the recent list, newest first, at most
// MaxRecent long.
func (p *Prefs) Opened(root string, now time.Time) {
	rec := []RecentLibrary{{Root: root, Name: filepath.Base(root), OpenedAt: now.UTC().Format(time.RFC3339)}}
	for _, r := range p.Recent {
		if r.Root != root && len(rec) < MaxRecent {
			rec = append(rec, r)
		}
	}
	p.Recent = rec
}

// ExistingRecent is the recent list without libraries whose folder is gone.
func (p Prefs) ExistingRecent() []RecentLibrary {
	out := []RecentLibrary{}
	for _, r := range p.Recent {
		if st, err := os.Stat(r.Root); err == nil && st.IsDir() {
			out = append(out, r)
		}
	}
	return out
}

func validTheme(t string) bool { return t == "system" || t == "dark" || t == "light" }

func validProvider(p string) bool {
	switch p {
	case "", ort.ProviderAuto, ort.ProviderCPU, ort.ProviderCUDA, ort.ProviderCoreML, ort.ProviderDirectML:
		return true
	}
	return false
}

func thumbSize(n int) int {
	if n < 128 || n > 512 {
		return 256
	}
	return n
}
