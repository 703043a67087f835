package api

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
	"github.com/tagsight/tagsight/backend/workspace"
)

// TestSongTermsThroughSearch: two songs made by ffmpeg with their own
// artist and album tags (ID3 in MP3, Vorbis comments in Ogg) are scanned
// through the API; artist: and album: find each song and not the other,
// and the entry carries the tags as ffmpeg wrote them.
func TestSongTermsThroughSearch(t *testing.T) {
	testutil.NeedTools(t, "ffmpeg", "ffprobe")
	root := t.TempDir()
	songs := []struct{ name, artist, album, title string }{
		{"one.mp3", "Clara Schumann", "Piano Trio", "Allegro moderato"},
		{"two.ogg", "Fanny Mendelssohn", "Das Jahr", "Januar"},
	}
	for i, s := range songs {
		out, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin",
			"-f", "lavfi", "-i", "sine=frequency="+[]string{"440", "660"}[i]+":duration=2",
			"-metadata", "artist="+s.artist, "-metadata", "album="+s.album, "-metadata", "title="+s.title,
			filepath.Join(root, s.name)).CombinedOutput()
		if err != nil {
			t.Fatalf("ffmpeg %s: %v %s", s.name, err, out)
		}
	}
	a, _ := indexedLibrary(t, root, workspace.ModelOptions{Model: colourModel, ModelsDir: t.TempDir()})
	for q, want := range map[string]string{
		`artist:"Clara Schumann"`:    "one.mp3",
		`artist:mendelssohn`:         "two.ogg",
		`album:"piano trio"`:         "one.mp3",
		`album:"Das Jahr"`:           "two.ogg",
		`title:januar type:audio`:    "two.ogg",
		`artist:schumann album:jahr`: "",
	} {
		res, err := a.Search(SearchRequest{Query: q, Limit: 10})
		if err != nil || res.Error != nil {
			t.Fatalf("%q: %v %+v", q, err, res.Error)
		}
		var got []string
		for _, it := range res.Items {
			got = append(got, it.Path)
		}
		if (want == "" && len(got) != 0) || (want != "" && (len(got) != 1 || got[0] != want)) {
			t.Errorf("%q: %v, want only %q", q, got, want)
		}
	}
	for _, s := range songs {
		d, err := a.Entry(entryID(t, a, s.name))
		if err != nil {
			t.Fatal(err)
		}
		if d.Facts == nil || d.Facts.Artist != s.artist || d.Facts.Album != s.album || d.Facts.Title != s.title || d.Facts.Duration < 1.9 || d.Facts.Duration > 2.1 {
			t.Errorf("%s: facts %+v, want %s / %s / %s, 2 s", s.name, d.Facts, s.artist, s.album, s.title)
		}
	}
}
