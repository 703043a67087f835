package api

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"image/color"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
)

// upload posts one file to /api/upload under a raw file name (folders
// kept) and answers the status and body.
func upload(t *testing.T, base, target, conflict, name string, data []byte) (int, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if target != "" {
		mw.WriteField("target", target)
	}
	if conflict != "" {
		mw.WriteField("conflict", conflict)
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	resp, err := http.Post(base+"/api/upload", mw.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// dataDigest hashes every file in the library's .tagsight but the
// database (which calls may change): a file pulled in from outside, or
// written there through a link, changes it.
func dataDigest(t *testing.T, root string) string {
	t.Helper()
	h := sha256.New()
	dir := filepath.Join(root, ".tagsight")
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "library.db" || rel == "library.db-wal" || rel == "library.db-shm" {
			return nil
		}
		fmt.Fprintf(h, "%s %v\n", rel, d.Type())
		if d.Type().IsRegular() {
			b, _ := os.ReadFile(p)
			h.Write(b)
		}
		return nil
	})
	return fmt.Sprintf("%x", h.Sum(nil))
}

// TestFolderLinkOutIsNoWayOut: with LIB/outlink -> a folder outside the
// library, a full client's upload into it, an upload replacing a file
// there, the XMP sidecar of an entry under it and the trash of that entry
// all fail to touch the outside folder (inotify sees nothing, its bytes
// are as they were) and pull nothing into .tagsight.
func TestFolderLinkOutIsNoWayOut(t *testing.T) {
	w := newWebLibrary(t, HTTPOptions{RateLimit: -1})
	pic := testutil.JPEG(t, testutil.Solid(32, 32, color.RGBA{30, 60, 90, 255}), nil)
	// An entry indexed under a real folder, which then becomes a link out
	// (a scan never follows folder links, so this is how one appears).
	testutil.WriteFile(t, filepath.Join(w.root, "outlink", "in.jpg"), pic)
	if _, err := w.a.StartIndex(); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, w.a)
	ws, _ := w.a.workspace()
	e, err := ws.Lib.DB.EntryByPath(t.Context(), "outlink/in.jpg")
	if err != nil {
		t.Fatalf("outlink/in.jpg not indexed: %v", err)
	}
	if _, err := w.a.ApplyTag(w.tagID, []int64{e.ID}); err != nil {
		t.Fatal(err) // a tag, so that WriteXMP has a sidecar to write
	}
	if err := os.RemoveAll(filepath.Join(w.root, "outlink")); err != nil {
		t.Fatal(err)
	}
	testutil.WriteFile(t, filepath.Join(w.outside, "in.jpg"), pic)
	if err := os.Symlink(w.outside, filepath.Join(w.root, "outlink")); err != nil {
		t.Fatal(err)
	}
	outsideBefore, dataBefore := treeDigest(t, w.outside), dataDigest(t, w.root)
	watch := watchFolders(t, w.outside)

	bomb := testutil.JPEG(t, testutil.Solid(8, 8, color.RGBA{1, 2, 3, 255}), nil)
	if code, body := upload(t, w.srv.URL, "outlink", "", "t1.jpg", bomb); code == 200 {
		t.Errorf("upload into target=outlink accepted: %s", body)
	}
	if code, body := upload(t, w.srv.URL, "", "replace", "outlink/secret.jpg", bomb); code == 200 {
		t.Errorf("upload replacing outlink/secret.jpg accepted: %s", body)
	}
	if code, body := upload(t, w.srv.URL, "", "replace", "outlink/in.jpg", bomb); code == 200 {
		t.Errorf("upload replacing outlink/in.jpg accepted: %s", body)
	}
	if code, body := callAPI(t, http.DefaultClient, w.srv.URL, "WriteXMP", []int64{e.ID}); code != 200 {
		t.Fatalf("WriteXMP: %d %s", code, body)
	}
	waitIdle(t, w.a)
	code, body := callAPI(t, http.DefaultClient, w.srv.URL, "Trash", []int64{e.ID})
	if code != http.StatusForbidden {
		t.Errorf("Trash of an entry behind a link out: %d %s, want 403", code, body)
	}
	waitIdle(t, w.a)
	Shutdown(w.a)

	for _, ev := range watch() {
		t.Errorf("the server touched the folder outside the library: %s", ev)
	}
	if treeDigest(t, w.outside) != outsideBefore {
		t.Error("the folder outside the library changed")
	}
	if b, _ := os.ReadFile(filepath.Join(w.outside, "in.jpg")); !bytes.Equal(b, pic) {
		t.Error("the outside file's bytes changed")
	}
	if dataDigest(t, w.root) != dataBefore {
		t.Error(".tagsight changed: something was written or pulled in through the link")
	}
	if ents, _ := os.ReadDir(filepath.Join(w.root, ".tagsight", "trash")); len(ents) != 0 {
		t.Errorf("the trash holds %d folder(s), want none", len(ents))
	}
}

// TestLinkIntoDataIsNeverServed: an indexed file replaced by a link to
// .tagsight/library.db is refused by every route that shows a file.
func TestLinkIntoDataIsNeverServed(t *testing.T) {
	w := newWebLibrary(t, HTTPOptions{RateLimit: -1})
	testutil.WriteFile(t, filepath.Join(w.root, "swap.jpg"), testutil.JPEG(t, testutil.Solid(32, 32, color.RGBA{90, 60, 30, 255}), nil))
	if _, err := w.a.StartIndex(); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, w.a)
	ws, _ := w.a.workspace()
	e, err := ws.Lib.DB.EntryByPath(t.Context(), "swap.jpg")
	if err != nil {
		t.Fatalf("swap.jpg not indexed: %v", err)
	}
	if e.Thumb == "" {
		t.Fatal("swap.jpg has no thumbnail: the /thumb check would prove nothing")
	}
	os.Remove(filepath.Join(w.root, "swap.jpg"))
	if err := os.Symlink(filepath.Join(".tagsight", "library.db"), filepath.Join(w.root, "swap.jpg")); err != nil {
		t.Fatal(err)
	}
	for _, route := range []string{"/file/%d", "/thumb/%d", "/preview/%d"} {
		u := fmt.Sprintf(route, e.ID)
		code, body := get(t, w.srv.URL+u)
		if strings.HasPrefix(body, "SQLite format 3") {
			t.Errorf("%s served the database", u)
		}
		// A thumbnail or preview shows what the file shows: refused too.
		if code != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", u, code)
		}
	}
}
