package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image/color"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/tagsight/tagsight/backend/testutil"
	"github.com/tagsight/tagsight/backend/workspace"
)

// The People API over HTTP: a library with red and blue discs (the test
// face models' faces) gets one person per colour while it is indexed; the
// crop served for a face shows that face's colour; naming a person makes
// person:NAME find exactly their pictures and shows on the inspector's
// faces; a read-only client may look but not name.
func TestPeopleOverHTTP(t *testing.T) {
	t.Setenv("TAGSIGHT_ORT_LIB", testutil.ORTLibrary(t))
	root := t.TempDir()
	red, blue := color.RGBA{230, 30, 30, 255}, color.RGBA{40, 60, 235, 255}
	for i := 0; i < 3; i++ {
		testutil.WriteFile(t, filepath.Join(root, fmt.Sprintf("red%d.jpg", i)), testutil.JPEG(t, testutil.DiscsImage(640, 480, testutil.Disc{X: 200 + 60*float64(i), Y: 200, R: 50, C: red}), nil))
		testutil.WriteFile(t, filepath.Join(root, fmt.Sprintf("blue%d.jpg", i)), testutil.JPEG(t, testutil.DiscsImage(640, 480, testutil.Disc{X: 300, Y: 150 + 50*float64(i), R: 45, C: blue}), nil))
	}
	a, info := indexedLibrary(t, root, workspace.ModelOptions{Model: colourModel, FacesModel: testutil.FaceModels(t, false), ModelsDir: t.TempDir()})
	if !info.Faces.On {
		t.Fatalf("faces not on: %+v", info.Faces)
	}
	o := HTTPOptions{Assets: fstest.MapFS{"index.html": {Data: []byte("<html>ui</html>")}}}
	srv := serveUI(t, a, o)

	code, body := callAPI(t, http.DefaultClient, srv.URL, "People", false)
	var people []Person
	if code != 200 || json.Unmarshal(body, &people) != nil || len(people) != 2 {
		t.Fatalf("People: %d %s", code, body)
	}
	// Which person is red: the colour of the served crop says.
	var redID int64
	for _, p := range people {
		if p.Faces != 3 || p.Entries != 3 || p.Cover == nil || p.Name != "" || p.Query != "" {
			t.Errorf("person %+v", p)
			continue
		}
		resp, err := http.Get(srv.URL + p.Cover.Crop)
		if err != nil {
			t.Fatal(err)
		}
		img, err := jpeg.Decode(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("crop %s: %v", p.Cover.Crop, err)
		}
		b := img.Bounds()
		r, g, bl, _ := img.At(b.Min.X+b.Dx()/2, b.Min.Y+b.Dy()/2).RGBA()
		switch {
		case r>>8 > 180 && bl>>8 < 90 && g>>8 < 90:
			redID = p.ID
		case bl>>8 > 180 && r>>8 < 90:
		default:
			t.Errorf("crop centre of person %d is %d,%d,%d: neither red nor blue", p.ID, r>>8, g>>8, bl>>8)
		}
	}
	if redID == 0 {
		t.Fatal("no red person")
	}

	// Read-only clients may look, not name.
	ro := httptest.NewServer(Handler(a, HTTPOptions{ReadOnly: true, Assets: o.Assets}))
	t.Cleanup(ro.Close)
	if code, _ := callAPI(t, http.DefaultClient, ro.URL, "NamePerson", redID, "Alice"); code != http.StatusForbidden {
		t.Errorf("read-only NamePerson: %d", code)
	}
	if code, _ := callAPI(t, http.DefaultClient, ro.URL, "People", false); code != 200 {
		t.Errorf("read-only People: %d", code)
	}

	code, body = callAPI(t, http.DefaultClient, srv.URL, "NamePerson", redID, "  Alice  ")
	var alice Person
	if code != 200 || json.Unmarshal(body, &alice) != nil || alice.Name != "Alice" || alice.Query != "person:Alice" || alice.TagID == 0 {
		t.Fatalf("NamePerson: %d %s", code, body)
	}
	code, body = callAPI(t, http.DefaultClient, srv.URL, "Search", SearchRequest{Query: alice.Query, Limit: 50})
	var res SearchResult
	if code != 200 || json.Unmarshal(body, &res) != nil || res.Total != 3 {
		t.Fatalf("search %s: %d %s", alice.Query, code, body)
	}
	for _, it := range res.Items {
		if it.Name[:3] != "red" {
			t.Errorf("%s found %s", alice.Query, it.Name)
		}
		code, body := callAPI(t, http.DefaultClient, srv.URL, "Entry", it.ID)
		var d EntryDetail
		if code != 200 || json.Unmarshal(body, &d) != nil || len(d.Faces) != 1 || d.Faces[0].Name != "Alice" {
			t.Errorf("Entry %s faces: %s", it.Name, body)
		}
		hasTag := false
		for _, tg := range d.Tags {
			hasTag = hasTag || tg.Name == "Alice"
		}
		if !hasTag {
			t.Errorf("%s lacks the Alice tag", it.Name)
		}
	}
	for _, bad := range []string{" ", "people"} {
		if code, body := callAPI(t, http.DefaultClient, srv.URL, "NamePerson", redID, bad); code != http.StatusBadRequest {
			t.Errorf("name %q: %d %s", bad, code, body)
		}
	}
	// A name another person has merges the two: the answer is the person
	// who has the name now, with both groups' faces.
	var blueID int64
	for _, p := range people {
		if p.ID != redID {
			blueID = p.ID
		}
	}
	code, body = callAPI(t, http.DefaultClient, srv.URL, "NamePerson", blueID, "alice")
	var merged Person
	if code != 200 || json.Unmarshal(body, &merged) != nil || merged.ID != redID || merged.Name != "Alice" || merged.Faces != 6 || merged.Entries != 6 {
		t.Errorf("NamePerson(blue, alice): %d %s; want person %d, Alice, 6 faces on 6 pictures", code, body, redID)
	}
	// A face id that is not one is a clear 404, for the crop too.
	if code, body := get(t, srv.URL+"/face/999999"); code != http.StatusNotFound || !bytes.Contains([]byte(body), []byte("no such face")) {
		t.Errorf("/face/999999: %d %s", code, body)
	}
}
