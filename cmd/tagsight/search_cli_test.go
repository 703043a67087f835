package main

import (
	"encoding/json"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
)

// colourLibrary makes a library of flat colour pictures, n of each colour
// in folder a/ (JPEG) and one PNG of each in b/, indexed with the colour
// model.
func colourLibrary(t *testing.T, n int) string {
	t.Helper()
	root := t.TempDir()
	for name, c := range colours {
		for i := 0; i < n; i++ {
			// Small shade changes keep them near, not identical, duplicates.
			cc := color.RGBA{clamp(int(c.R) + 3*i), clamp(int(c.G) - 2*i), clamp(int(c.B) + i), 255}
			testutil.WriteFile(t, filepath.Join(root, fmt.Sprintf("a/%s-%02d.jpg", name, i)), flat(t, cc))
		}
		testutil.WriteFile(t, filepath.Join(root, "b", name+".png"), testutil.PNG(t, testutil.Solid(40, 40, c)))
	}
	if _, stderr, code := run(t, "index", root, "--model", colourModel); code != 0 {
		t.Fatal(stderr)
	}
	return root
}

func clamp(v int) uint8 {
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}

type resultsOut struct {
	Results []struct {
		Path  string   `json:"path"`
		Score *float64 `json:"score"`
	} `json:"results"`
	Cutoff *int `json:"cutoff"`
	Total  int  `json:"total"`
}

func searchJSON(t *testing.T, args ...string) resultsOut {
	t.Helper()
	stdout, stderr, code := run(t, append([]string{"search"}, append(args, "--json")...)...)
	if code != 0 {
		t.Fatalf("search %v: exit %d %s", args, code, stderr)
	}
	var r resultsOut
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("search %v: %v\n%s", args, err, stdout)
	}
	return r
}

func TestCLISearchFiltersAndSemantics(t *testing.T) {
	root := colourLibrary(t, 10)
	// Semantic alone: reds first, and a cutoff right after them.
	r := searchJSON(t, root, "red", "--limit", "15")
	for i := 0; i < 11; i++ {
		if !strings.Contains(r.Results[i].Path, "red") {
			t.Fatalf("result %d of 'red' is %s", i, r.Results[i].Path)
		}
	}
	if r.Cutoff == nil || *r.Cutoff != 11 {
		t.Errorf("cutoff %v, want 11 (the red pictures)", r.Cutoff)
	}
	// A filter restricts the candidates before ranking: never starved.
	r = searchJSON(t, root, "red ext:png", "--limit", "50")
	if len(r.Results) != 6 || !strings.HasSuffix(r.Results[0].Path, "b/red.png") || r.Total != 6 {
		t.Errorf("red ext:png: %+v", r)
	}
	r = searchJSON(t, root, "blue path:a/", "--limit", "8")
	if len(r.Results) != 8 || r.Total != 60 {
		t.Errorf("blue path:a/ returned %d of %d", len(r.Results), r.Total)
	}
	for _, x := range r.Results {
		if !strings.HasPrefix(x.Path, "a/blue-") {
			t.Errorf("blue path:a/ -> %s", x.Path)
		}
	}
	// Filter-only queries need no semantics and have no scores.
	r = searchJSON(t, root, "ext:png NOT path:red", "--limit", "50")
	if len(r.Results) != 5 || r.Results[0].Score != nil {
		t.Errorf("filter only: %+v", r)
	}
	// Negative parts: white minus yellow is blue. Were the negative part
	// ignored, the whites would come first (see "white" alone).
	r = searchJSON(t, root, "white", "--limit", "1")
	if !strings.Contains(r.Results[0].Path, "white") {
		t.Fatalf("white: %+v", r.Results)
	}
	r = searchJSON(t, root, "white -yellow", "--limit", "11")
	for i, x := range r.Results {
		if !strings.Contains(x.Path, "blue") {
			t.Errorf("white -yellow: result %d is %s, want the 11 blues first", i, x.Path)
		}
	}
	// Weights scale the parts: a light negative only nudges (whites still
	// first), and yellow minus twice green is red (yellow minus green once
	// still leads with a yellow). Were weights ignored, the first would lead
	// with blue and the second with yellow.
	r = searchJSON(t, root, "white -0.2:yellow", "--limit", "10")
	for i, x := range r.Results {
		if !strings.Contains(x.Path, "white") {
			t.Errorf("white -0.2:yellow: result %d is %s, want the 10 whites first", i, x.Path)
		}
	}
	r = searchJSON(t, root, "yellow -2:green", "--limit", "11")
	for i, x := range r.Results {
		if !strings.Contains(x.Path, "red") {
			t.Errorf("yellow -2:green: result %d is %s, want the 11 reds first", i, x.Path)
		}
	}
	r = searchJSON(t, root, `+2:"yellow" -green`, "--limit", "1")
	if !strings.Contains(r.Results[0].Path, "yellow") {
		t.Errorf("weighted: %+v", r.Results)
	}
	// like: an entry.
	r = searchJSON(t, root, "like:b/green.png type:image", "--limit", "3")
	if !strings.Contains(r.Results[0].Path, "green") {
		t.Errorf("like: %+v", r.Results)
	}
	// Tags and hidden entries.
	run(t, "tag", root, "add", "archived", "a/red-00.jpg")
	r = searchJSON(t, root, "red", "--limit", "100")
	for _, x := range r.Results {
		if x.Path == "a/red-00.jpg" {
			t.Error("archived entry shown by default")
		}
	}
	r = searchJSON(t, root, "archived", "--limit", "100")
	if len(r.Results) != 1 || r.Results[0].Path != "a/red-00.jpg" {
		t.Errorf("archived: %+v", r.Results)
	}
	// Syntax errors: non-zero exit, message and column on stderr.
	_, stderr, code := run(t, "search", root, `red AND (blue`)
	if code == 0 || !strings.Contains(stderr, "column") {
		t.Errorf("syntax error: exit %d %q", code, stderr)
	}
}

func TestCLISuggestAndDupes(t *testing.T) {
	root := colourLibrary(t, 4)
	ctx := func(args ...string) {
		t.Helper()
		if _, stderr, code := run(t, args...); code != 0 {
			t.Fatalf("%v: %s", args, stderr)
		}
	}
	ctx("tags", root, "create", "Warm")
	ctx("tag", root, "add", "Warm", "a/red-00.jpg", "a/red-01.jpg", "a/red-02.jpg")
	ctx("tags", root, "create", "sky")
	ctx("tags", root, "alias", "sky", "blue") // zero-shot: its alias is a colour word
	type sug struct {
		Tag      string   `json:"tag"`
		Reason   string   `json:"reason"`
		Sources  []string `json:"sources"`
		Examples []string `json:"examples"`
	}
	get := func(path string, extra ...string) map[string]sug {
		t.Helper()
		stdout, stderr, code := run(t, append([]string{"suggest", root, path, "--json"}, extra...)...)
		if code != 0 {
			t.Fatalf("suggest %s: %s", path, stderr)
		}
		var out struct{ Suggestions []sug }
		if err := json.Unmarshal([]byte(stdout), &out); err != nil {
			t.Fatal(err, stdout)
		}
		m := map[string]sug{}
		for _, s := range out.Suggestions {
			m[s.Tag] = s
		}
		return m
	}
	red := get("a/red-03.jpg")
	w, ok := red["Warm"]
	if !ok || !contains(w.Sources, "centroid") || !contains(w.Sources, "neighbours") || len(w.Examples) == 0 ||
		!strings.Contains(w.Reason, "a/red-0") {
		t.Errorf("Warm for a red picture: %+v", red)
	}
	if _, ok := red["sky"]; ok {
		t.Errorf("sky suggested for red: %+v", red["sky"])
	}
	blue := get("b/blue.png")
	if s, ok := blue["sky"]; !ok || !contains(s.Sources, "zero-shot") {
		t.Errorf("sky for a blue picture: %+v", blue)
	}
	if _, ok := blue["Warm"]; ok {
		t.Errorf("Warm suggested for blue")
	}
	// Dismissed stays dismissed; accepted is applied.
	after := get("a/red-03.jpg", "--dismiss", "Warm")
	if _, ok := after["Warm"]; ok {
		t.Error("dismissed suggestion came back")
	}
	if again := get("a/red-03.jpg"); len(again["Warm"].Tag) != 0 {
		t.Error("dismissal not remembered")
	}
	get("b/blue.png", "--accept", "sky")
	stdout, _, _ := run(t, "info", root, "b/blue.png", "--json")
	if !strings.Contains(stdout, `"sky"`) {
		t.Errorf("accepted tag not applied: %s", stdout)
	}
	// Batch: the pictures that look like Warm.
	stdout, _, _ = run(t, "suggest", root, "--tag", "Warm", "--json")
	var batch resultsOut
	json.Unmarshal([]byte(stdout), &batch)
	if len(batch.Results) == 0 {
		t.Errorf("batch suggest found nothing: %s", stdout)
	}
	for _, r := range batch.Results {
		if !strings.Contains(r.Path, "red") || r.Path == "a/red-03.jpg" {
			t.Errorf("batch suggests %s", r.Path)
		}
	}

	// Duplicates: an exact copy and near copies.
	testutil.WriteFile(t, filepath.Join(root, "copy/green-00.jpg"), mustRead(t, filepath.Join(root, "a/green-00.jpg")))
	run(t, "index", root)
	stdout, _, code := run(t, "dupes", root, "--json")
	var d struct {
		Groups []struct {
			Kind   string
			Keeper struct{ Path string }
			Paths  []struct{ Path string }
		}
	}
	if err := json.Unmarshal([]byte(stdout), &d); err != nil || code != 0 {
		t.Fatalf("dupes: %v %s", err, stdout)
	}
	var exact, nearGreen bool
	for _, g := range d.Groups {
		names := ""
		for _, p := range g.Paths {
			names += p.Path + " "
		}
		if g.Kind == "exact" && strings.Contains(names, "copy/green-00.jpg") && strings.Contains(names, "a/green-00.jpg") && len(g.Paths) == 2 {
			exact = true
		}
		if g.Kind == "near" && strings.Contains(names, "b/green.png") && strings.Contains(names, "a/green-01.jpg") {
			nearGreen = true
			if g.Keeper.Path != g.Paths[0].Path {
				t.Error("keeper is not first")
			}
		}
		if strings.Contains(names, "red") && strings.Contains(names, "blue") {
			t.Errorf("red and blue grouped: %s", names)
		}
	}
	if !exact || !nearGreen {
		t.Errorf("dupes: exact %v near %v\n%s", exact, nearGreen, stdout)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := readFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestCLITagStudioInvalidQueries: the queries TagStudio's tests hold to be
// invalid end `tagsight search` with status 2 and say where.
func TestCLITagStudioInvalidQueries(t *testing.T) {
	b, err := os.ReadFile("../../backend/query/testdata/tagstudio_search.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases struct{ Invalid []string }
	if err := json.Unmarshal(b, &cases); err != nil || len(cases.Invalid) != 8 {
		t.Fatalf("%v %d", err, len(cases.Invalid))
	}
	root := t.TempDir()
	testutil.WriteFile(t, filepath.Join(root, "a.png"), testutil.PNG(t, testutil.Solid(8, 8, colours["red"])))
	if _, stderr, code := run(t, "index", root); code != 0 {
		t.Fatal(stderr)
	}
	for _, q := range cases.Invalid {
		_, stderr, code := run(t, "search", root, q, "--json", "--limit", "500")
		if code != 2 || !strings.Contains(stderr, "column") {
			t.Errorf("search %q: exit %d, %q; want 2 and where", q, code, stderr)
		}
	}
}
