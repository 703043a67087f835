// Package modelhub finds, downloads, verifies and installs CLIP models in
// the Immich layout: a catalog of known models, resumable downloads with
// size and checksum checks, and atomic installation into the user's model
// folder. Each installed model carries a manifest saying what every file
// was checked against, so nobody mistakes "downloaded" for "verified". It
// does not run models (package clip does).
package modelhub

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// File is one file of a model, relative to the model folder.
type File struct {
	Path   string `json:"path"`
	Size   int64  `json:"size,omitempty"`   // 0 = unknown
	SHA256 string `json:"sha256,omitempty"` // "" = unknown
}

// Entry is a model in the catalog.
type Entry struct {
	Name        string `json:"name"`
	Title       string `json:"title"`
	Description string `json:"description"`
	BaseURL     string `json:"base_url"`
	Files       []File `json:"files"`
	// Kind is what the model does: "clip" (search by meaning; the
	// default), "faces" (a face detector and recogniser) or "ocr" (a text
	// detector, angle classifier, recogniser and its dictionary).
	Kind    string `json:"kind,omitempty"`
	License string `json:"license,omitempty"`
}

// Kinds of catalog models.
const (
	KindCLIP  = "clip"
	KindFaces = "faces"
	KindOCR   = "ocr"
)

// KindOf is the entry's kind, "clip" when the catalog does not say.
func (e Entry) KindOf() string {
	if e.Kind == "" {
		return KindCLIP
	}
	return e.Kind
}

// Size is the download's size in bytes, 0 when a file's is unknown.
func (e Entry) Size() int64 {
	var n int64
	for _, f := range e.Files {
		if f.Size <= 0 {
			return 0
		}
		n += f.Size
	}
	return n
}

// Catalog lists downloadable models.
type Catalog struct {
	Default string  `json:"default"`
	Models  []Entry `json:"models"`
}

// ParseCatalog reads a catalog, checking every entry is usable.
func ParseCatalog(b []byte) (Catalog, error) {
	var c Catalog
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("model catalog: %w", err)
	}
	for _, m := range c.Models {
		if m.Name == "" || strings.ContainsAny(m.Name, `/\`) || m.Name == "." || m.Name == ".." {
			return c, fmt.Errorf("model catalog: bad model name %q", m.Name)
		}
		if m.BaseURL == "" || len(m.Files) == 0 {
			return c, fmt.Errorf("model catalog: %s has no base_url or files", m.Name)
		}
		if k := m.KindOf(); k != KindCLIP && k != KindFaces && k != KindOCR {
			return c, fmt.Errorf("model catalog: %s: unknown kind %q", m.Name, m.Kind)
		}
		for _, f := range m.Files {
			if f.Path == "" || path.IsAbs(f.Path) || strings.Contains("/"+f.Path+"/", "/../") {
				return c, fmt.Errorf("model catalog: %s: bad file path %q", m.Name, f.Path)
			}
		}
	}
	return c, nil
}

// Find returns the catalog entry with that name.
func (c Catalog) Find(name string) (Entry, error) {
	for _, m := range c.Models {
		if strings.EqualFold(m.Name, name) {
			return m, nil
		}
	}
	names := make([]string, 0, len(c.Models))
	for _, m := range c.Models {
		names = append(names, m.Name)
	}
	return Entry{}, fmt.Errorf("%w: %q (known: %s)", ErrUnknownModel, name, strings.Join(names, ", "))
}

var (
	// ErrUnknownModel: the name is not in the catalog.
	ErrUnknownModel = errors.New("unknown model")
	// ErrChecksum: a file's size or SHA-256 is not the one the catalog or
	// the server gave for it.
	ErrChecksum = errors.New("file does not match its checksum")
)

// DefaultDir is the user's model folder: $TAGSIGHT_MODELS_DIR, else the
// platform's per-user data folder (XDG_DATA_HOME or ~/.local/share on
// Linux, Application Support on macOS, LocalAppData on Windows).
func DefaultDir() (string, error) {
	if d := os.Getenv("TAGSIGHT_MODELS_DIR"); d != "" {
		return d, nil
	}
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("LOCALAPPDATA"); d != "" {
			return filepath.Join(d, "Tagsight", "models"), nil
		}
	case "darwin":
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(home, "Library", "Application Support", "Tagsight", "models"), nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "tagsight", "models"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".local", "share", "tagsight", "models"), nil
}

// Progress of a download.
type Progress struct {
	File       string  `json:"file"`
	Done       int64   `json:"done"`  // bytes of the whole model
	Total      int64   `json:"total"` // 0 while unknown
	BytesPerS  float64 `json:"bytes_per_s"`
	Resumed    int64   `json:"resumed"` // bytes kept from an earlier attempt
	FinishedOK bool    `json:"finished"`
}

// Hub downloads catalog models into Dir.
type Hub struct {
	Dir     string
	Client  *http.Client
	Report  func(Progress)
	Catalog Catalog
}

// Installed reports whether name is installed (all files present).
func (h *Hub) Installed(name string) bool {
	m, err := h.Catalog.Find(name)
	if err != nil {
		return false
	}
	for _, f := range m.Files {
		if _, err := os.Stat(filepath.Join(h.Dir, m.Name, filepath.FromSlash(f.Path))); err != nil {
			return false
		}
	}
	return true
}

// ModelDir is where an installed model lives.
func (h *Hub) ModelDir(name string) string { return filepath.Join(h.Dir, name) }

// Pull downloads a model and installs it atomically: files go to a staging
// folder (kept across failures so the next Pull resumes each file with an
// HTTP Range request), are checked against the catalog's sizes and
// checksums, or where the catalog has none against the SHA-256 the server
// announces, and only then is the folder renamed into place with a manifest
// saying what each file was checked against.
func (h *Hub) Pull(ctx context.Context, name string) (string, error) {
	m, err := h.Catalog.Find(name)
	if err != nil {
		return "", err
	}
	client := h.Client
	if client == nil {
		client = &http.Client{Timeout: 0}
	}
	stage := filepath.Join(h.Dir, ".partial", m.Name)
	if err := os.MkdirAll(stage, 0o755); err != nil {
		return "", fmt.Errorf("pull %s: %w", m.Name, err)
	}
	// What an earlier, interrupted Pull checked; it lets finished files be
	// kept without losing the record of what vouched for them.
	prev := map[string]FileRecord{}
	if old, err := ReadManifest(stage); err == nil {
		for _, r := range old.Files {
			prev[r.Path] = r
		}
	}
	var total int64
	for _, f := range m.Files {
		total += f.Size
	}
	st := &progressState{report: h.Report, total: total, start: time.Now()}
	man := Manifest{Model: m.Name, Source: m.BaseURL}
	for _, f := range m.Files {
		dst := filepath.Join(stage, filepath.FromSlash(f.Path))
		var p *FileRecord
		if r, ok := prev[f.Path]; ok {
			p = &r
		}
		rec, err := h.fetch(ctx, client, m, f, dst, st, p)
		if err != nil {
			return "", fmt.Errorf("pull %s: %s: %w", m.Name, f.Path, err)
		}
		man.Files = append(man.Files, rec)
		if err := writeManifest(stage, man); err != nil {
			return "", fmt.Errorf("pull %s: %w", m.Name, err)
		}
	}
	man.Installed = time.Now().UTC().Truncate(time.Second)
	if err := writeManifest(stage, man); err != nil {
		return "", fmt.Errorf("pull %s: %w", m.Name, err)
	}
	final := h.ModelDir(m.Name)
	old := final + ".old"
	os.RemoveAll(old)
	if _, err := os.Stat(final); err == nil {
		if err := os.Rename(final, old); err != nil {
			return "", fmt.Errorf("pull %s: replace: %w", m.Name, err)
		}
	}
	if err := os.Rename(stage, final); err != nil {
		os.Rename(old, final)
		return "", fmt.Errorf("pull %s: install: %w", m.Name, err)
	}
	os.RemoveAll(old)
	st.finish()
	return final, nil
}

type progressState struct {
	report func(Progress)
	total  int64
	done   int64
	kept   int64
	start  time.Time
	last   time.Time
	file   string
}

func (s *progressState) add(n int64, force bool) {
	s.done += n
	if s.report == nil {
		return
	}
	now := time.Now()
	if !force && now.Sub(s.last) < 100*time.Millisecond {
		return
	}
	s.last = now
	p := Progress{File: s.file, Done: s.done, Total: s.total, Resumed: s.kept}
	if el := now.Sub(s.start).Seconds(); el > 0 {
		p.BytesPerS = float64(s.done-s.kept) / el
	}
	s.report(p)
}

func (s *progressState) finish() {
	if s.report != nil {
		s.report(Progress{File: s.file, Done: s.done, Total: s.total, Resumed: s.kept, FinishedOK: true})
	}
}

func (h *Hub) fetch(ctx context.Context, client *http.Client, m Entry, f File, dst string, st *progressState, prev *FileRecord) (FileRecord, error) {
	st.file = f.Path
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return FileRecord{}, err
	}
	// A complete file from an earlier attempt is checked, not fetched again,
	// when there is a checksum to check it with: the catalog's, or the one
	// the server announced when it was downloaded.
	if fi, err := os.Stat(dst); err == nil {
		want := wanted{sha256: f.SHA256, size: f.Size, check: CheckCatalogSHA256}
		if want.sha256 == "" && prev != nil && prev.Check == CheckServerSHA256 {
			want.sha256, want.check = prev.SHA256, CheckServerSHA256
		}
		if want.sha256 != "" {
			if rec, err := checkFile(dst, f.Path, want); err == nil {
				st.kept += fi.Size()
				st.add(fi.Size(), true)
				return rec, nil
			}
		}
		os.Remove(dst)
	}
	part := dst + ".part"
	var have int64
	if fi, err := os.Stat(part); err == nil {
		have = fi.Size()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(m.BaseURL, "/")+"/"+f.Path, nil)
	if err != nil {
		return FileRecord{}, err
	}
	if have > 0 {
		req.Header.Set("Range", "bytes="+strconv.FormatInt(have, 10)+"-")
	}
	resp, err := client.Do(req)
	if err != nil {
		return FileRecord{}, fmt.Errorf("download: %w", err)
	}
	defer resp.Body.Close()
	flags := os.O_CREATE | os.O_WRONLY
	switch {
	case resp.StatusCode == http.StatusPartialContent && have > 0:
		flags |= os.O_APPEND
		st.kept += have
		st.add(have, true)
	case resp.StatusCode == http.StatusOK:
		flags |= os.O_TRUNC // server ignored Range: start over
		have = 0
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable:
		os.Remove(part) // stale partial file longer than the real one
		return FileRecord{}, fmt.Errorf("download: server refused to resume; run again to restart")
	default:
		return FileRecord{}, fmt.Errorf("download: HTTP %s", resp.Status)
	}
	if st.total == 0 && f.Size == 0 && resp.ContentLength > 0 {
		// Unknown sizes: show this file's size so the bar moves.
		st.total = st.done + resp.ContentLength
	}
	want := wanted{sha256: f.SHA256, size: f.Size, check: CheckCatalogSHA256}
	if want.sha256 == "" {
		// The announcement is for the whole file, so a resumed download is
		// checked over the bytes kept from before as well as the new ones.
		if s := announcedSHA256(resp); s != "" {
			want.sha256, want.check = s, CheckServerSHA256
		} else if f.Size > 0 {
			want.check = CheckSize
		} else {
			want.check = CheckNone
		}
	}
	out, err := os.OpenFile(part, flags, 0o644)
	if err != nil {
		return FileRecord{}, err
	}
	buf := make([]byte, 256<<10)
	for {
		n, rerr := resp.Body.Read(buf)
		if n > 0 {
			if _, werr := out.Write(buf[:n]); werr != nil {
				out.Close()
				return FileRecord{}, werr
			}
			st.add(int64(n), false)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			out.Close()
			return FileRecord{}, fmt.Errorf("download interrupted (run again to resume): %w", rerr)
		}
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return FileRecord{}, err
	}
	if err := out.Close(); err != nil {
		return FileRecord{}, err
	}
	rec, err := checkFile(part, f.Path, want)
	if err != nil {
		os.Remove(part) // a corrupt file cannot be resumed into a good one
		return FileRecord{}, fmt.Errorf("%w; the download was deleted, run again to fetch it afresh", err)
	}
	return rec, os.Rename(part, dst)
}
