package api

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"image/color"
	"image/jpeg"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/testutil"
)

// kindsServer is newServer's library with a three-page PDF (a red
// rectangle over page 1's middle, pages 2–3 blank) and a zip of 30
// named files added and indexed.
func kindsServer(t *testing.T) (string, *API, string) {
	t.Helper()
	srv, a, root := newServer(t, HTTPOptions{})
	testutil.WriteFile(t, filepath.Join(root, "report.pdf"), testutil.PDF(3, "<< /Title (R) >>"))
	names := make([]string, 30)
	for i := range names {
		names[i] = fmt.Sprintf("dir/file-%02d.txt", i)
	}
	testutil.WriteFile(t, filepath.Join(root, "bundle.zip"), zipOf(t, names...))
	if _, err := a.StartIndex(); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, a)
	return srv.URL, a, root
}

// TestPreviewPages: /preview/ID?page=N renders the PDF's page N (page 1
// red in the middle, page 2 white), each stored as its own derived file;
// a page past the end and a nonsense page are refused.
func TestPreviewPages(t *testing.T) {
	url, a, _ := kindsServer(t)
	id := entryID(t, a, "report.pdf")
	middle := func(page int) color.Color {
		code, body := get(t, fmt.Sprintf("%s/preview/%d?page=%d", url, id, page))
		if code != http.StatusOK {
			t.Fatalf("page %d: %d %.200s", page, code, body)
		}
		img, err := jpeg.Decode(strings.NewReader(body))
		if err != nil {
			t.Fatalf("page %d: %v", page, err)
		}
		b := img.Bounds()
		return img.At(b.Dx()/2, b.Dy()/2)
	}
	isRed := func(c color.Color) bool {
		r, g, b, _ := c.RGBA()
		return r>>8 > 200 && g>>8 < 60 && b>>8 < 60
	}
	isWhite := func(c color.Color) bool {
		r, g, b, _ := c.RGBA()
		return r>>8 > 240 && g>>8 > 240 && b>>8 > 240
	}
	if c := middle(1); !isRed(c) {
		t.Errorf("page 1 middle %v, want red", c)
	}
	if c := middle(2); !isWhite(c) {
		t.Errorf("page 2 middle %v, want white", c)
	}
	// Page 1 is the preview without ?page; page 2 is a derived file of its own.
	code, body := get(t, fmt.Sprintf("%s/preview/%d", url, id))
	if c, err := jpeg.Decode(strings.NewReader(body)); code != http.StatusOK || err != nil || !isRed(c.At(c.Bounds().Dx()/2, c.Bounds().Dy()/2)) {
		t.Errorf("preview without page: %d %v", code, err)
	}
	ws, _ := a.workspace()
	var names []string
	filepath.WalkDir(filepath.Join(ws.Lib.Root, ".tagsight", "previews"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, filepath.Base(p))
		}
		return nil
	})
	if len(names) != 2 {
		t.Errorf("previews on disk %v, want two (pages 1 and 2)", names)
	}
	for _, q := range []string{"page=4", "page=0", "page=x", "page=-2"} {
		if code, body := get(t, fmt.Sprintf("%s/preview/%d?%s", url, id, q)); code == http.StatusOK {
			t.Errorf("?%s: %d %.100s, want refused", q, code, body)
		}
	}
	// A picture has no page 2.
	if code, _ := get(t, fmt.Sprintf("%s/preview/%d?page=2", url, entryID(t, a, "red.jpg"))); code == http.StatusOK {
		t.Errorf("a JPEG's page 2: %d, want refused", code)
	}
}

// TestArchiveEntries: the zip's listing over the web face gives its
// first members in the order written, all 30 counted, with the sizes
// written; a limit past the cap is capped and a picture is refused.
func TestArchiveEntries(t *testing.T) {
	url, a, _ := kindsServer(t)
	id := entryID(t, a, "bundle.zip")
	code, body := callAPI(t, http.DefaultClient, url, "ArchiveEntries", id, 5)
	var l ArchiveListing
	if err := json.Unmarshal(body, &l); code != http.StatusOK || err != nil {
		t.Fatalf("ArchiveEntries: %d %s %v", code, body, err)
	}
	if l.Total != 30 || len(l.Members) != 5 {
		t.Fatalf("listing %+v, want 5 of 30", l)
	}
	var want int64
	for i := range 30 {
		want += int64(i)
	}
	if l.Unpacked != want {
		t.Errorf("unpacked %d, want %d", l.Unpacked, want)
	}
	for i, m := range l.Members {
		if name := fmt.Sprintf("dir/file-%02d.txt", i); m.Name != name || m.Size != int64(i) {
			t.Errorf("member %d: %+v, want %s of %d bytes", i, m, name, i)
		}
	}
	if l, err := a.ArchiveEntries(id, 1<<30); err != nil || len(l.Members) != 30 {
		t.Errorf("a huge limit: %d members, %v", len(l.Members), err)
	}
	if l, err := a.ArchiveEntries(id, -1); err != nil || len(l.Members) != 0 || l.Total != 30 {
		t.Errorf("a negative limit: %+v, %v", l, err)
	}
	_, err := a.ArchiveEntries(entryID(t, a, "red.jpg"), 5)
	if err == nil || !strings.Contains(err.Error(), "not an archive") {
		t.Errorf("a JPEG: %v, want 'not an archive'", err)
	}
}

// TestArchiveEntriesFrom7z: a 7z made by 7z(1) is listed through the same
// reader.
func TestArchiveEntriesFrom7z(t *testing.T) {
	testutil.NeedTools(t, "7z")
	_, a, root := newServer(t, HTTPOptions{})
	dir := t.TempDir()
	for _, n := range []string{"a.txt", "b.txt", "c.txt"} {
		testutil.WriteFile(t, filepath.Join(dir, n), []byte(n+" body"))
	}
	cmd := exec.Command("7z", "a", "-bd", filepath.Join(root, "three.7z"), "a.txt", "b.txt", "c.txt")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("7z: %v %s", err, out)
	}
	if _, err := a.StartIndex(); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, a)
	l, err := a.ArchiveEntries(entryID(t, a, "three.7z"), 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range l.Members {
		got = append(got, fmt.Sprintf("%s:%d", m.Name, m.Size))
	}
	if want := "a.txt:10 b.txt:10 c.txt:10"; strings.Join(got, " ") != want || l.Total != 3 {
		t.Errorf("7z listing %q (total %d), want %q", strings.Join(got, " "), l.Total, want)
	}
}

// zipOf is a zip of the named files, file i holding i bytes, in the order
// given.
func zipOf(t testing.TB, names ...string) []byte {
	t.Helper()
	var z bytes.Buffer
	zw := zip.NewWriter(&z)
	for i, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(strings.Repeat("x", i)))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return z.Bytes()
}

// TestArchiveEntriesObeyLibraryLimits: the listing reads under the
// library's limits, as its scan does, not the defaults: a tar.gz is
// walked to be listed, at most 4× the file limit (media's bomb check),
// so a file limit under a quarter of its tar stream refuses it.
func TestArchiveEntriesObeyLibraryLimits(t *testing.T) {
	srv, a, root := newServer(t, HTTPOptions{})
	var tarball bytes.Buffer
	zw := gzip.NewWriter(&tarball)
	tw := tar.NewWriter(zw)
	for i := range 30 {
		body := bytes.Repeat([]byte{'x'}, 1000)
		if err := tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("f%02d.txt", i), Mode: 0o644, Size: int64(len(body))}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	testutil.WriteFile(t, filepath.Join(root, "bundle.tar.gz"), tarball.Bytes())
	if _, err := a.StartIndex(); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, a)
	id := entryID(t, a, "bundle.tar.gz")
	if l, err := a.ArchiveEntries(id, 5); err != nil || l.Total != 30 {
		t.Fatalf("under the default limits: %+v %v", l, err)
	}
	ws, err := a.workspace()
	if err != nil {
		t.Fatal(err)
	}
	lim := media.DefaultLimits()
	lim.MaxFileBytes = 4 << 10 // the tar stream is 30 × 1.5 KiB
	ws.Lib.Limits = lim
	if l, err := a.ArchiveEntries(id, 5); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Errorf("under a %d-byte file limit: %+v %v, want refused as too large", lim.MaxFileBytes, l, err)
	}
	// The preview is read under the same limits: red.jpg (64×48) is
	// refused under a 1000-pixel limit, as a scan would refuse it.
	lim = media.DefaultLimits()
	lim.MaxPixels = 1000
	ws.Lib.Limits = lim
	if code, _ := get(t, fmt.Sprintf("%s/preview/%d", srv.URL, entryID(t, a, "red.jpg"))); code == http.StatusOK {
		t.Errorf("preview of a 3072-pixel picture under a 1000-pixel limit: %d, want refused", code)
	}
}
