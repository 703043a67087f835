package query

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/tagsight/tagsight/backend/facts"
	"github.com/tagsight/tagsight/backend/store"
)

// The terms for every file kind's facts, and TagStudio's two habits (_ for a
// space in tag names, a space after a prefix). Expectations are written out
// by hand: 2m is 120 000 ms, 1:30 is 90 s, and so on.
func TestParseKindTerms(t *testing.T) {
	tests := []struct{ in, want string }{
		{"duration:>2m", "duration:[120001,]"},
		{"duration:>=2m", "duration:[120000,]"},
		{"duration:2m", "duration:[120000,179999]"}, // the whole minute, as taken:2023 is the whole year
		{"duration:90", "duration:[90000,90999]"},
		{"duration:90s", "duration:[90000,90999]"},
		{"duration:1:30", "duration:[90000,90999]"},
		{"duration:1:02:03", "duration:[3723000,3723999]"},
		{"duration:<=1.5m", "duration:[,90000]"},
		{"duration:<1h", "duration:[,3599999]"},
		{"duration:30s..1h", "duration:[30000,3600000]"},
		{"duration:10MIN..", "duration:[600000,]"},
		{"pages:>10", "pages:[11,]"},
		{"pages:3..5", "pages:[3,5]"},
		{"artist:Bach", `artist:"Bach"`},
		{`album:"Goldberg Variations"`, `album:"Goldberg Variations"`},
		{"CODEC:h264", `codec:"h264"`},
		{"title:x author:y genre:z", `(AND title:"x" author:"y" genre:"z")`},
		{"type:video", `type:"video"`},
		{"type:PDF", `type:"pdf"`},
		{"mediatype:font", `type:"font"`},
		{"mediatype:plaintext", `type:"text"`},
		{"mediatype:source_code", `type:"text"`},
		{"type:3d", `type:"model"`},
		{"type:comics", `type:"ebook"`},
		{"mediatype:image_vector", `type:"svg"`},
		// A prefix followed by spaces takes the next word.
		{"path: holiday", `path:"holiday"`},
		{"special: untagged", "is:untagged"},
		{"special:   untagged x", "(AND is:untagged x)"},
		{`tag: "old portrait"`, `tag:"old portrait"`},
		{"duration: >2m", "duration:[120001,]"},
		{"NOT path: a OR b", `(OR (NOT path:"a") b)`},
		{"field: source=scanner", `field:"source"="scanner"`},
	}
	for _, tc := range tests {
		n, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if got := n.String(); got != tc.want {
			t.Errorf("Parse(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestParseKindTermErrors(t *testing.T) {
	tests := []struct {
		in     string
		col, n int
		msg    string
	}{
		{"duration:2w", 10, 2, "unknown duration unit"},
		{"duration:1:75", 10, 4, "bad duration"},
		{"duration:>x", 11, 1, "bad duration"},
		{"duration:2m..1m", 10, 6, "the start is longer than the end"},
		{"pages:many", 7, 4, "bad number"},
		{"type:spreadsheets", 6, 12, "unknown type"},
		// Still errors: the word after the space is no value.
		{"tag: :", 1, 4, "tag: needs a value"},
		{"tag: path:x", 1, 4, "tag: needs a value"},
		{"tag: AND x", 1, 4, "tag: needs a value"},
		{"path: ", 1, 5, "path: needs a value"},
		// The value's column counts the spaces.
		{"duration:  2w", 12, 2, "unknown duration unit"},
		{"special:  nope", 11, 4, "unknown special: value"},
	}
	for _, tc := range tests {
		_, err := Parse(tc.in)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q): %v, want a SyntaxError", tc.in, err)
			continue
		}
		if se.Col != tc.col || se.Len != tc.n || !strings.Contains(se.Msg, tc.msg) {
			t.Errorf("Parse(%q) = col %d len %d %q, want col %d len %d %q", tc.in, se.Col, se.Len, se.Msg, tc.col, tc.n, tc.msg)
		}
	}
}

func TestCompleteKindPrefixes(t *testing.T) {
	for word, want := range map[string]string{"dur": "duration:", "pag": "pages:", "art": "artist:", "alb": "album:", "cod": "codec:"} {
		var texts []string
		for _, c := range Complete(word, len(word), nil) {
			texts = append(texts, c.Text)
		}
		if !slices.Contains(texts, want) {
			t.Errorf("Complete(%q) = %v, want %s among them", word, texts, want)
		}
	}
}

// TestKindTermsAgainstLibrary runs the terms on a library whose video,
// PDF and song have facts.
func TestKindTermsAgainstLibrary(t *testing.T) {
	db, ids := openFixture(t)
	ctx := context.Background()
	const (
		video = "2024/party/clip.mp4"
		pdf   = "docs/report_100%.pdf"
		png   = "misc/axb.png"
		jfif  = "photos/pic.jfif"
	)
	err := db.Tx(ctx, func(tx *store.Tx) error {
		for path, f := range map[string]facts.Facts{
			video: {Duration: 150.5, Codec: "h264", AudioCodec: "aac", Width: 1920, Height: 1080},
			pdf:   {Pages: 12, Title: "Annual Report", Author: "Ada Lovelace", Subject: "Engines", Keywords: "analytical, difference"},
			// A picture standing in for a song: the terms read facts, not types.
			png: {Duration: 61, Codec: "mp3", Artist: "J.S. Bach", Album: "Goldberg Variations", Genre: "Baroque"},
		} {
			if err := store.SetFacts(ctx, tx, ids[path], f); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	portrait, err := db.CreateTag(ctx, "old portrait", 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ApplyTag(ctx, portrait, []int64{ids[jfif]}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in   string
		want []string
	}{
		{"duration:>2m", []string{video}},
		{"duration:2m", []string{video}},
		{"duration:2:30", []string{video}},
		{"duration:<2m", []string{png}},
		{"duration:1m", []string{png}},
		{"duration:1:00", nil}, // 61 s is not within 1:00.000–1:00.999
		{"duration:1m..3m", []string{png, video}},
		{"duration:>1h", nil},
		{"pages:>10", []string{pdf}},
		{"pages:<10", nil},
		{"pages:12", []string{pdf}},
		{"artist:bach", []string{png}},
		{`album:"goldberg var"`, []string{png}},
		{"genre:baroque", []string{png}},
		{"title:annual", []string{pdf}},
		{"author:lovelace", []string{pdf}},
		{"subject:engines", []string{pdf}},
		{"keywords:difference", []string{pdf}},
		{"keywords:lovelace", nil}, // the author is not a keyword
		{"codec:h264", []string{video}},
		{"codec:aac", []string{video}},
		{"codec:mp3", []string{png}},
		{"codec:h265", nil},
		{"type:pdf", []string{pdf}},
		{"mediatype:pdf", []string{pdf}},
		{"type:video", []string{video}},
		{"NOT duration:>0", nil}, // filled below: everything but the two with a duration
		{"tag:old_portrait", []string{jfif}},
		{"old_portrait", []string{jfif}},
		{"tag:a_b", []string{"scans/scan.TIFF"}}, // a tag named with _ wins over "a b"
		{"path: party", []string{video}},
		{"special: untagged", []string{"misc/a_b.png"}},
	}
	for _, tc := range tests {
		want := tc.want
		if tc.in == "NOT duration:>0" {
			for p := range ids {
				if p != video && p != png {
					want = append(want, p)
				}
			}
		}
		c, err := Compile(ctx, tc.in, dbTags{db})
		if err != nil {
			t.Errorf("Compile(%q): %v", tc.in, err)
			continue
		}
		got, err := paths(ctx, db, c)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		sort.Strings(got)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			t.Errorf("%q = %v, want %v", tc.in, got, want)
		}
	}
}
