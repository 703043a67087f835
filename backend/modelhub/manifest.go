package modelhub

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ManifestName is the file in an installed model's folder that records
// what each file was checked against when it was downloaded.
const ManifestName = "tagsight-manifest.json"

// Check says what vouched for a file.
type Check string

const (
	// CheckCatalogSHA256: the SHA-256 in Tagsight's catalog.
	CheckCatalogSHA256 Check = "catalog-sha256"
	// CheckServerSHA256: the SHA-256 the server announced for the file
	// (Hugging Face's X-Linked-Etag). It proves the bytes arrived intact,
	// not that the server offers the file the catalog meant.
	CheckServerSHA256 Check = "server-sha256"
	// CheckSize: only the catalog's size.
	CheckSize Check = "size"
	// CheckNone: nothing; the file is whatever the server sent.
	CheckNone Check = "none"
)

// Label is the check in words.
func (c Check) Label() string {
	switch c {
	case CheckCatalogSHA256:
		return "catalog sha256"
	case CheckServerSHA256:
		return "server sha256"
	case CheckSize:
		return "size only"
	}
	return "nothing"
}

// FileRecord is one downloaded file in a manifest.
type FileRecord struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"` // of the file as installed, whatever it was checked against
	Check  Check  `json:"check"`
}

// Manifest is what Pull writes next to an installed model's files.
type Manifest struct {
	Model     string       `json:"model"`
	Source    string       `json:"source"`
	Installed time.Time    `json:"installed,omitzero"`
	Files     []FileRecord `json:"files"`
}

// ReadManifest reads the manifest of the model folder dir.
func ReadManifest(dir string) (Manifest, error) {
	var m Manifest
	b, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("%s: %w", ManifestName, err)
	}
	return m, nil
}

func writeManifest(dir string, m Manifest) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, ManifestName+".tmp")
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, ManifestName)); err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	return nil
}

// Lookup finds an installed model by name: one of the catalog's with all
// its files, or one Pull installed from another catalog (`tagsight models
// pull --catalog`), known by its manifest.
func (h *Hub) Lookup(name string) (string, bool) {
	if h.Installed(name) {
		m, _ := h.Catalog.Find(name)
		return h.ModelDir(m.Name), true
	}
	if name == "" || strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
		return "", false
	}
	dir := h.ModelDir(name)
	if m, err := ReadManifest(dir); err == nil && m.Model == name {
		return dir, true
	}
	return "", false
}

// announcedSHA256 is the SHA-256 the server vouches for, or "". Hugging
// Face puts an LFS file's sha256 in X-Linked-Etag on the response that
// redirects to its CDN, and the CDN has been seen to send it as ETag. A
// plain ETag that is not 64 hex digits (a small file's git blob sha1, an S3
// md5) is not a sha256 of the content and is ignored. The chain of
// redirects is walked back from the final response.
func announcedSHA256(resp *http.Response) string {
	etag := ""
	for r := resp; r != nil; {
		if s := sha256Tag(r.Header.Get("X-Linked-Etag")); s != "" {
			return s
		}
		if etag == "" {
			etag = sha256Tag(r.Header.Get("ETag"))
		}
		if r.Request == nil {
			break
		}
		r = r.Request.Response
	}
	return etag
}

// sha256Tag unquotes an entity tag and returns it if it is a SHA-256.
func sha256Tag(v string) string {
	v = strings.Trim(strings.TrimPrefix(strings.TrimSpace(v), "W/"), `"`)
	if len(v) != sha256.Size*2 {
		return ""
	}
	if _, err := hex.DecodeString(v); err != nil {
		return ""
	}
	return strings.ToLower(v)
}

// wanted is what a file is checked against.
type wanted struct {
	sha256 string // "" = no checksum
	size   int64  // 0 = unknown
	check  Check
}

func hashFile(p string) (string, int64, error) {
	fh, err := os.Open(p)
	if err != nil {
		return "", 0, err
	}
	defer fh.Close()
	h := sha256.New()
	n, err := io.Copy(h, fh)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// checkFile hashes p and compares it with w.
func checkFile(p, name string, w wanted) (FileRecord, error) {
	got, size, err := hashFile(p)
	if err != nil {
		return FileRecord{}, err
	}
	rec := FileRecord{Path: name, Size: size, SHA256: got, Check: w.check}
	if w.size > 0 && size != w.size {
		return rec, fmt.Errorf("%w: %s is %d bytes, expected %d (catalog)", ErrChecksum, name, size, w.size)
	}
	if w.sha256 != "" && !strings.EqualFold(got, w.sha256) {
		return rec, fmt.Errorf("%w: %s has sha256 %s, expected %s (%s)", ErrChecksum, name, got, strings.ToLower(w.sha256), w.check.Label())
	}
	return rec, nil
}

// Results of Verify for one file.
const (
	ResultOK        = "ok"
	ResultMismatch  = "mismatch"  // differs from the checksum or size it was checked against
	ResultChanged   = "changed"   // not checkable, and differs from what was downloaded
	ResultMissing   = "missing"   // not on disk
	ResultUnchecked = "unchecked" // present, but nothing to check it against
)

// FileResult is what Verify found for one file.
type FileResult struct {
	Path   string `json:"path"`
	Check  Check  `json:"check"`
	Result string `json:"result"`
	Detail string `json:"detail,omitempty"`
}

// Report is what Verify found for a model.
type Report struct {
	Model string `json:"model"`
	Dir   string `json:"dir"`
	// Manifest is false for a model installed before manifests existed or
	// copied in by hand: only the catalog's checksums can be used then.
	Manifest bool         `json:"manifest"`
	OK       bool         `json:"ok"`
	Files    []FileResult `json:"files"`
}

// Unchecked counts the files that nothing vouches for.
func (r Report) Unchecked() int {
	n := 0
	for _, f := range r.Files {
		if f.Result == ResultUnchecked {
			n++
		}
	}
	return n
}

// Verify checks an installed model's files against the catalog's checksums
// or, where it has none, against the server's as recorded in the manifest
// at download. A file with neither is reported as unchecked; it still
// fails if it differs from what was downloaded. The error names every file
// that failed.
func (h *Hub) Verify(name string) (Report, error) {
	m, err := h.Catalog.Find(name)
	if err != nil {
		return Report{}, err
	}
	rep := Report{Model: m.Name, Dir: h.ModelDir(m.Name), OK: true}
	recs := map[string]FileRecord{}
	if man, err := ReadManifest(rep.Dir); err == nil {
		rep.Manifest = true
		for _, r := range man.Files {
			recs[r.Path] = r
		}
	}
	var errs []error
	for _, f := range m.Files {
		res := verifyOne(filepath.Join(rep.Dir, filepath.FromSlash(f.Path)), f, recs[f.Path])
		rep.Files = append(rep.Files, res)
		switch res.Result {
		case ResultOK, ResultUnchecked:
		default:
			rep.OK = false
			errs = append(errs, fmt.Errorf("%s: %s", f.Path, res.Detail))
		}
	}
	if len(errs) > 0 {
		return rep, fmt.Errorf("verify %s: %w: %w", m.Name, ErrChecksum, errors.Join(errs...))
	}
	return rep, nil
}

func verifyOne(p string, f File, rec FileRecord) FileResult {
	w := wanted{sha256: f.SHA256, size: f.Size, check: CheckCatalogSHA256}
	switch {
	case w.sha256 != "":
	case rec.Check == CheckServerSHA256 && rec.SHA256 != "":
		w.sha256, w.check = rec.SHA256, CheckServerSHA256
	case f.Size > 0:
		w.check = CheckSize
	default:
		w.check = CheckNone
	}
	res := FileResult{Path: f.Path, Check: w.check}
	got, err := checkFile(p, f.Path, w)
	switch {
	case errors.Is(err, os.ErrNotExist):
		res.Result, res.Detail = ResultMissing, "missing"
	case err != nil && errors.Is(err, ErrChecksum):
		res.Result, res.Detail = ResultMismatch, strings.TrimPrefix(err.Error(), ErrChecksum.Error()+": ")
	case err != nil:
		res.Result, res.Detail = ResultMismatch, err.Error()
	case w.sha256 != "":
		res.Result = ResultOK
	case rec.SHA256 != "" && !strings.EqualFold(rec.SHA256, got.SHA256):
		res.Result = ResultChanged
		res.Detail = fmt.Sprintf("sha256 %s, but %s when downloaded", got.SHA256, rec.SHA256)
	case w.check == CheckSize:
		res.Result, res.Detail = ResultOK, "no checksum published; size matches the catalog"
	case rec.SHA256 != "":
		res.Result, res.Detail = ResultUnchecked, "no checksum published for it; unchanged since download"
	default:
		res.Result, res.Detail = ResultUnchecked, "no checksum published for it"
	}
	return res
}
