package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image/color"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagsight/tagsight/backend/jobs"
	"github.com/tagsight/tagsight/backend/prefs"
	"github.com/tagsight/tagsight/backend/store"
	"github.com/tagsight/tagsight/backend/testutil"
	"github.com/tagsight/tagsight/backend/workspace"
)

// desktopAPI opens a small library in the desktop face.
func desktopAPI(t *testing.T) (*API, string, string) {
	t.Helper()
	root := t.TempDir()
	for name, c := range map[string]color.RGBA{"red.jpg": {220, 10, 10, 255}, "blue.jpg": {10, 10, 220, 255}, "green.jpg": {10, 200, 10, 255}} {
		testutil.WriteFile(t, filepath.Join(root, "pics", name), testutil.JPEG(t, testutil.Solid(40, 30, c), nil))
	}
	cfg := t.TempDir()
	a := New(Options{Version: "test", ConfigDir: cfg, Model: workspace.ModelOptions{Model: colourModel, ModelsDir: t.TempDir()}})
	t.Cleanup(func() { Shutdown(a) })
	if _, err := a.OpenLibrary(root, true); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, a)
	return a, root, cfg
}

func entryID(t *testing.T, a *API, rel string) int64 {
	t.Helper()
	ws, _ := a.workspace()
	e, err := ws.Lib.DB.EntryByPath(t.Context(), rel)
	if err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return e.ID
}

// TestTrash: the file moves into .tagsight/trash with its folders, the
// entry and its vector are gone, search no longer finds it, the others stay.
func TestTrash(t *testing.T) {
	a, root, _ := desktopAPI(t)
	id := entryID(t, a, "pics/red.jpg")
	before, _ := os.ReadFile(filepath.Join(root, "pics/red.jpg"))
	if n, err := a.Trash([]int64{id}); n != 1 || err != nil {
		t.Fatalf("trash: %d %v", n, err)
	}
	if _, err := os.Stat(filepath.Join(root, "pics/red.jpg")); !errors.Is(err, os.ErrNotExist) {
		t.Error("the file is still in place")
	}
	moved, _ := filepath.Glob(filepath.Join(root, ".tagsight", "trash", "*", "pics", "red.jpg"))
	if len(moved) != 1 {
		t.Fatalf("trash folder: %v", moved)
	}
	if got, _ := os.ReadFile(moved[0]); string(got) != string(before) {
		t.Error("the trashed file's bytes changed")
	}
	ws, _ := a.workspace()
	if _, err := ws.Lib.DB.EntryByID(t.Context(), id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("entry still there: %v", err)
	}
	if _, err := ws.Lib.DB.Vector(t.Context(), ws.Now().StoreModel, id); err == nil {
		t.Error("the trashed entry's vector is still there")
	}
	res, err := a.Search(SearchRequest{Query: "red", Limit: 10})
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	for _, it := range res.Items {
		if it.ID == id {
			t.Error("search still finds the trashed entry")
		}
	}
	if len(res.Items) != 2 {
		t.Errorf("%d results, want the other 2", len(res.Items))
	}
	if _, err := a.Trash([]int64{id}); err == nil {
		t.Error("trashing a trashed entry again gave no error")
	}
}

// TestSetField: a field set shows in the entry; "" removes it; a bad date
// is refused.
func TestSetField(t *testing.T) {
	a, _, _ := desktopAPI(t)
	id := entryID(t, a, "pics/blue.jpg")
	if err := a.SetField(id, "Note", "text", "by the sea"); err != nil {
		t.Fatal(err)
	}
	if err := a.SetField(id, "Shot", "date", "2023-06-01"); err != nil {
		t.Fatal(err)
	}
	d, err := a.Entry(id)
	if err != nil {
		t.Fatalf("Entry: %v", err)
	}
	got := map[string]string{}
	for _, f := range d.Fields {
		got[f.Name+"/"+f.Kind] = f.Value
	}
	if got["Note/text"] != "by the sea" || got["Shot/date"] != "2023-06-01" {
		t.Errorf("fields %+v", d.Fields)
	}
	if err := a.SetField(id, "Note", "text", ""); err != nil {
		t.Fatal(err)
	}
	if d, err := a.Entry(id); err != nil || len(d.Fields) != 1 {
		t.Errorf("after removing Note: %+v %v", d.Fields, err)
	}
	if err := a.SetField(id, "Shot", "date", "yesterday"); err == nil {
		t.Error("a bad date was accepted")
	}
}

// TestSaveSettings: a bad theme or provider is refused and nothing is
// written; good settings land in settings.json and come back.
func TestSaveSettings(t *testing.T) {
	a, _, cfg := desktopAPI(t)
	path := filepath.Join(cfg, prefs.FileName)
	before, _ := os.ReadFile(path)
	for _, bad := range []Settings{{Theme: "neon", Provider: "auto", ThumbSize: 256}, {Theme: "dark", Provider: "tpu", ThumbSize: 256}} {
		if _, err := a.SaveSettings(bad); err == nil || ToError(err).Code != CodeInvalid {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Error("a refused save changed settings.json")
	}
	s, err := a.SaveSettings(Settings{Theme: "dark", Provider: "cpu", ThumbSize: 9999})
	if err != nil {
		t.Fatal(err)
	}
	if s.Theme != "dark" || s.Provider != "cpu" || s.ThumbSize != 256 {
		t.Errorf("saved %+v (an out-of-range size becomes the default)", s)
	}
	var onDisk prefs.Prefs
	b, _ := os.ReadFile(path)
	if err := json.Unmarshal(b, &onDisk); err != nil || onDisk.Theme != "dark" || onDisk.Provider != "cpu" || len(onDisk.Recent) != 1 {
		t.Errorf("settings.json: %s %v", b, err)
	}
}

// TestCancelJob: a running index job cancelled ends cancelled (and what it
// committed stays); an unknown job is an error.
func TestCancelJob(t *testing.T) {
	a, root, _ := desktopAPI(t)
	for i := 0; i < 150; i++ {
		testutil.WriteFile(t, filepath.Join(root, "more", fmt.Sprintf("m%03d.png", i)),
			testutil.PNG(t, testutil.Solid(300, 200, color.RGBA{uint8(i), 9, 9, 255})))
	}
	j, err := a.StartIndex()
	if err != nil {
		t.Fatal(err)
	}
	if err := a.CancelJob(j.ID); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, a)
	var state string
	for _, x := range a.jobs.List() {
		if x.ID == j.ID {
			state = x.State
		}
	}
	if state != jobs.Cancelled && state != jobs.Done {
		t.Errorf("cancelled job ended %q", state)
	}
	if err := a.CancelJob("no-such-job"); err == nil {
		t.Error("cancelling an unknown job gave no error")
	}
	// A new index finishes the rest.
	if _, err := a.StartIndex(); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, a)
	ws, _ := a.workspace()
	if n, _, _ := ws.Lib.DB.CountEntries(t.Context()); n != 153 {
		t.Errorf("%d entries after resuming, want 153", n)
	}
}

// TestEntryWarnsOfDamage: the inspector's entry of a JPEG cut short says
// it is damaged; an intact one says nothing; a picture that arrives
// damaged and is then rewritten whole loses the warning.
func TestEntryWarnsOfDamage(t *testing.T) {
	a, root, _ := desktopAPI(t)
	whole := testutil.JPEG(t, testutil.Solid(400, 300, color.RGBA{200, 120, 40, 255}), nil)
	p := filepath.Join(root, "pics", "cut.jpg")
	testutil.WriteFile(t, p, whole[:len(whole)/2])
	if _, err := a.StartIndex(); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, a)
	d, err := a.Entry(entryID(t, a, "pics/cut.jpg"))
	if err != nil || len(d.Warnings) != 1 || !strings.Contains(d.Warnings[0], "damaged JPEG") || d.PreviewURL == nil {
		t.Fatalf("damaged entry: %+v %v", d, err)
	}
	if ok, err := a.Entry(entryID(t, a, "pics/red.jpg")); err != nil || len(ok.Warnings) != 0 {
		t.Errorf("intact entry warns: %v %v", ok.Warnings, err)
	}
	testutil.WriteFile(t, p, whole)
	if _, err := a.StartIndex(); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, a)
	if d, err := a.Entry(entryID(t, a, "pics/cut.jpg")); err != nil || len(d.Warnings) != 0 {
		t.Errorf("the rewritten picture still warns: %v %v", d.Warnings, err)
	}
}

// TestTagStudioOffer: a folder that is a TagStudio library says so in
// LibraryInfo until its tags are brought in (or the offer dismissed); the
// import job brings tags, parents and the tags on entries, and leaves
// TagStudio's file as it was.
func TestTagStudioOffer(t *testing.T) {
	a, root, _ := desktopAPI(t)
	if info, err := a.LibraryInfo(); err != nil || info.TagStudio {
		t.Fatal("offered without a TagStudio library", err)
	}
	lib := `{"ts-version":"9.4.2","tags":[
 {"id":1000,"name":"Colour","aliases":[""],"color":"green"},
 {"id":1001,"name":"Crimson","aliases":["Scarlet"],"subtag_ids":[1000],"color":"red"}],
"entries":[{"id":0,"filename":"red.jpg","path":"pics","fields":[{"6":[1001]}]}]}`
	p := filepath.Join(root, ".TagStudio", "ts_library.json")
	testutil.WriteFile(t, p, []byte(lib))
	if info, err := a.LibraryInfo(); err != nil || !info.TagStudio {
		t.Fatal("a TagStudio library is not offered", err)
	}
	j, err := a.ImportTagStudio()
	if err != nil {
		t.Fatal(err)
	}
	done, err := a.jobs.Wait(t.Context(), j.ID)
	if err != nil || done.State != jobs.Done {
		t.Fatalf("%+v %v", done, err)
	}
	if info, err := a.LibraryInfo(); err != nil || info.TagStudio {
		t.Error("still offered after the import", err)
	}
	res, err := a.Search(SearchRequest{Query: "tag:Colour", Limit: 10})
	if err != nil || len(res.Items) != 1 || res.Items[0].Path != "pics/red.jpg" {
		t.Fatalf("tag:Colour (Crimson's parent) = %+v %v", res.Items, err)
	}
	if b, _ := os.ReadFile(p); string(b) != lib {
		t.Error("TagStudio's file changed")
	}
	// Another library: dismissing stops the offer.
	root2 := t.TempDir()
	testutil.WriteFile(t, filepath.Join(root2, ".TagStudio", "ts_library.json"), []byte(lib))
	if _, err := a.OpenLibrary(root2, true); err != nil {
		t.Fatal(err)
	}
	waitJobs(t, a)
	if err := a.DismissTagStudio(); err != nil {
		t.Fatal(err)
	}
	if info, err := a.LibraryInfo(); err != nil || info.TagStudio {
		t.Error("still offered after dismissing", err)
	}
}

// TestWriteXMP: the app's "write tags to XMP" puts the selection's tags,
// with their parent chains, into sidecars that exiftool (an independent
// reader) reads back; the picture itself is untouched.
func TestWriteXMP(t *testing.T) {
	a, root, _ := desktopAPI(t)
	places, err := a.CreateTag("Places")
	if err != nil {
		t.Fatal(err)
	}
	nice, err := a.CreateTag("Nice")
	if err != nil {
		t.Fatalf("CreateTag: %v", err)
	}
	if _, err := a.UpdateTag(nice.ID, TagPatch{AddParent: &places.ID}); err != nil {
		t.Fatal(err)
	}
	id := entryID(t, a, "pics/red.jpg")
	if _, err := a.ApplyTag(nice.ID, []int64{id}); err != nil {
		t.Fatal(err)
	}
	pic := filepath.Join(root, "pics", "red.jpg")
	before, _ := os.ReadFile(pic)
	j, err := a.WriteXMP([]int64{id})
	if err != nil {
		t.Fatal(err)
	}
	done, err := a.jobs.Wait(t.Context(), j.ID)
	if err != nil || done.State != jobs.Done {
		t.Fatalf("%+v %v", done, err)
	}
	if rep, ok := done.Result.(XMPReport); !ok || rep.Written != 1 || rep.Changed != 1 || rep.Errors != 0 {
		t.Fatalf("report %+v", done.Result)
	}
	out, err := exec.Command("exiftool", "-j", "-XMP-dc:Subject", "-XMP-lr:HierarchicalSubject", pic+".xmp").Output()
	if err != nil {
		t.Fatalf("exiftool (make setup installs it): %v", err)
	}
	var got []struct {
		Subject             any
		HierarchicalSubject any
	}
	if err := json.Unmarshal(out, &got); err != nil || len(got) != 1 {
		t.Fatalf("%v %s", err, out)
	}
	if fmt.Sprint(got[0].Subject) != "Nice" || fmt.Sprint(got[0].HierarchicalSubject) != "Places|Nice" {
		t.Errorf("exiftool reads subject %v, hierarchy %v", got[0].Subject, got[0].HierarchicalSubject)
	}
	if after, _ := os.ReadFile(pic); !bytes.Equal(before, after) {
		t.Error("the picture itself was written")
	}
	if _, err := a.WriteXMP(nil); err == nil {
		t.Error("an empty selection was accepted")
	}
}
