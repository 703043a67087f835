package main

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
)

// TestInfoAudioFacts: `info --json` shows a song's tags and duration.
func TestInfoAudioFacts(t *testing.T) {
	testutil.NeedTools(t, "ffmpeg")
	root := t.TempDir()
	out, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "lavfi",
		"-i", "sine=f=440:d=2", "-metadata", "artist=Test Artist", "-metadata", "album=Test Album",
		"-metadata", "title=Sine", filepath.Join(root, "song.mp3")).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v %s", err, out)
	}
	if _, stderr, code := run(t, "index", root, "--json"); code != 0 {
		t.Fatalf("index: %d %s", code, stderr)
	}
	var got struct {
		MediaType string `json:"media_type"`
		Thumbnail *string
		Facts     struct {
			Duration             float64
			Title, Artist, Album string
			SampleRate           int `json:"sample_rate"`
		}
	}
	stdout := info(t, root, "song.mp3", &got)
	f := got.Facts
	if got.MediaType != "audio" || got.Thumbnail == nil || math.Abs(f.Duration-2) > 0.1 ||
		f.Title != "Sine" || f.Artist != "Test Artist" || f.Album != "Test Album" || f.SampleRate != 44100 {
		t.Errorf("info:\n%s", stdout)
	}
}

// TestInfoPDFFacts: `info --json` shows a PDF's pages, title and author.
func TestInfoPDFFacts(t *testing.T) {
	root := t.TempDir()
	dict := "<< /Title (Quarterly Report) /Author (Ada Lovelace) >>"
	if err := os.WriteFile(filepath.Join(root, "report.pdf"), testutil.PDF(4, dict), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := run(t, "index", root, "--json"); code != 0 {
		t.Fatalf("index: %d %s", code, stderr)
	}
	var got struct {
		MediaType string `json:"media_type"`
		Thumbnail *string
		Facts     struct {
			Pages         int
			Title, Author string
		}
	}
	stdout := info(t, root, "report.pdf", &got)
	if got.MediaType != "document" || got.Thumbnail == nil || got.Facts.Pages != 4 ||
		got.Facts.Title != "Quarterly Report" || got.Facts.Author != "Ada Lovelace" {
		t.Errorf("info:\n%s", stdout)
	}
}
