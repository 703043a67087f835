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
	if err := hub.Verify("test"); err != nil {
		t.Fatal(err)
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
	for _, m := range c.Models {
		have := map[string]bool{}
		for _, f := range m.Files {
			have[f.Path] = true
		}
		for _, n := range need {
			if !have[n] {
				t.Errorf("%s lacks %s", m.Name, n)
			}
		}
	}
	for _, bad := range []string{`{"models":[{"name":"../x","base_url":"u","files":[{"path":"a"}]}]}`,
		`{"models":[{"name":"x","base_url":"u","files":[{"path":"../a"}]}]}`, `{`} {
		if _, err := ParseCatalog([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}
