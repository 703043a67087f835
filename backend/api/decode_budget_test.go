package api

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/tagsight/tagsight/backend/testutil"
	"github.com/tagsight/tagsight/backend/workspace"
)

// bombPNG is a side×side 16-bit RGBA PNG of zeros. Every row is the same
// flushed deflate block (which refers to nothing before it), repeated, so
// a 2.3 GB picture is built without compressing gigabytes.
func bombPNG(t testing.TB, side int) []byte {
	t.Helper()
	row := make([]byte, 1+side*8) // filter byte, then 8 bytes a pixel
	var blk bytes.Buffer
	fw, err := flate.NewWriter(&blk, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(row)
	fw.Flush()
	z := []byte{0x78, 0xda}
	for range side {
		z = append(z, blk.Bytes()...)
	}
	z = append(z, 0x03, 0x00) // a final, empty fixed-Huffman block
	n := uint64(side) * uint64(len(row))
	z = binary.BigEndian.AppendUint32(z, uint32(n%65521)<<16|1) // Adler-32 of n zero bytes
	out := []byte("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, body []byte) {
		c := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
		c = append(append(c, typ...), body...)
		out = append(out, binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))...)
	}
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(side))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(side))
	chunk("IHDR", append(ihdr, 16, 6, 0, 0, 0)) // 16-bit, RGBA, not interlaced
	chunk("IDAT", z)
	chunk("IEND", nil)
	return out
}

// TestBombPNGFixture: the construction decodes, at a small size, to what
// it claims (image/png, not our code, is the judge).
func TestBombPNGFixture(t *testing.T) {
	m, err := png.Decode(bytes.NewReader(bombPNG(t, 40)))
	if err != nil {
		t.Fatal(err)
	}
	img, ok := m.(*image.NRGBA64)
	if !ok || img.Bounds() != image.Rect(0, 0, 40, 40) || !bytes.Equal(img.Pix, make([]byte, 40*40*8)) {
		t.Fatalf("decoded %T %v", m, m.Bounds())
	}
}

// procStatus reads a "kB" field of /proc/self/status, in bytes.
func procStatus(t *testing.T, field string) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("%s: %v", l, err)
			}
			return kb << 10
		}
	}
	t.Skipf("no %s in /proc/self/status", field)
	return 0
}

// TestDecompressionBombs: a 17000² 16-bit RGBA PNG of zeros (a few MB on
// disk, 289 MP: under the pixel cap; 2.3 GB decoded) is reported as a scan
// error, and two concurrent previews of it plus two concurrent searches
// by it keep the server's peak RSS within 1 GB of its idle size (issue 18,
// hole 2: 8.1 GB before).
func TestDecompressionBombs(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("peak RSS is read from /proc (Linux)")
	}
	const side = 17000
	bomb := bombPNG(t, side)
	base := t.TempDir()
	root := filepath.Join(base, "lib")
	testutil.WriteFile(t, filepath.Join(root, "red.jpg"), testutil.JPEG(t, testutil.Solid(64, 48, color.RGBA{220, 10, 10, 255}), nil))
	testutil.WriteFile(t, filepath.Join(root, "rejected.png"), bomb)
	testutil.WriteFile(t, filepath.Join(root, "bomb.png"), bombPNG(t, 16)) // indexed, then swapped
	a := New(Options{Version: "test", ConfigDir: t.TempDir(), Model: workspace.ModelOptions{Model: colourModel}})
	t.Cleanup(func() { Shutdown(a) })
	if _, err := a.OpenLibrary(root, true); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, a) // fails the test if indexing failed
	ws, err := a.workspace()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	errs, err := ws.Lib.DB.ScanErrors(ctx)
	if err != nil {
		t.Fatal(err)
	}
	reported := false
	for _, e := range errs {
		reported = reported || e.Path == "rejected.png" && strings.Contains(e.Error, "image too large")
	}
	if !reported {
		t.Errorf("the bomb is not reported as too large to decode: %+v", errs)
	}
	// A file indexed as a small picture becomes the bomb (a preview is
	// made from the file as it is now).
	e, err := ws.Lib.DB.EntryByPath(ctx, "bomb.png")
	if err != nil {
		t.Fatal(err)
	}
	testutil.WriteFile(t, filepath.Join(root, "bomb.png"), bomb)
	srv := httptest.NewServer(Handler(a, HTTPOptions{Assets: fstest.MapFS{"index.html": {Data: []byte("ui")}}}))
	t.Cleanup(srv.Close)

	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	fw, _ := mw.CreateFormFile("file", "bomb.png")
	fw.Write(bomb)
	mw.Close()
	type answer struct {
		what string
		code int
		body string
	}
	answers := make(chan answer, 4)
	send := func(what string, req *http.Request) {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			answers <- answer{what, 0, err.Error()}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		answers <- answer{what, resp.StatusCode, string(b)}
	}

	runtime.GC()
	debug.FreeOSMemory()
	idle := procStatus(t, "VmRSS")
	// Reset the peak (VmHWM) to the current RSS.
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Skipf("cannot reset the peak RSS: %v", err)
	}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			req, _ := http.NewRequest("GET", fmt.Sprintf("%s/preview/%d", srv.URL, e.ID), nil)
			send("preview", req)
		})
		wg.Go(func() {
			req, _ := http.NewRequest("POST", srv.URL+"/api/search-image", bytes.NewReader(form.Bytes()))
			req.Header.Set("Content-Type", mw.FormDataContentType())
			send("search-image", req)
		})
	}
	wg.Wait()
	peak := procStatus(t, "VmHWM")
	close(answers)
	for an := range answers {
		// Refused by the decode plan, not by the pixel cap or for want of a model.
		want := map[string]int{"preview": http.StatusNotFound, "search-image": http.StatusRequestEntityTooLarge}[an.what]
		if an.code != want || !strings.Contains(an.body, "image too large") || !strings.Contains(an.body, "to decode") {
			t.Errorf("%s: %d %.200q, want %d refused by the decode budget", an.what, an.code, an.body, want)
		}
	}
	t.Logf("RSS idle %d MiB, peak %d MiB", idle>>20, peak>>20)
	if grew := peak - idle; grew >= 1_000_000_000 {
		t.Errorf("peak RSS grew by %d MB serving the bomb, want under 1000", grew/1_000_000)
	}
}

// TestPreviewIsRateLimited: a preview may cost a full decode, so it
// counts against the client's rate limit, as search by image does;
// thumbnails and files do not (the grid must never hit the limit).
func TestPreviewIsRateLimited(t *testing.T) {
	// A bucket of 0.004 tokens: every counted request is refused.
	srv, a, _ := newServer(t, HTTPOptions{RateLimit: 1e-3})
	ws, err := a.workspace()
	if err != nil {
		t.Fatal(err)
	}
	e, err := ws.Lib.DB.EntryByPath(context.Background(), "red.jpg")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		path string
		want int
	}{
		{fmt.Sprintf("/thumb/%d", e.ID), 200},
		{fmt.Sprintf("/file/%d", e.ID), 200},
		{fmt.Sprintf("/preview/%d", e.ID), http.StatusTooManyRequests},
	} {
		if code, body := get(t, srv.URL+tt.path); code != tt.want {
			t.Errorf("GET %s: %d %.100q, want %d", tt.path, code, body, tt.want)
		}
	}
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	fw, _ := mw.CreateFormFile("file", "red.jpg")
	fw.Write(testutil.JPEG(t, testutil.Solid(8, 8, color.RGBA{220, 10, 10, 255}), nil))
	mw.Close()
	resp, err := http.Post(srv.URL+"/api/search-image", mw.FormDataContentType(), &form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("search-image: %d, want 429", resp.StatusCode)
	}
}
