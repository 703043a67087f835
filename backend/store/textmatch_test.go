package store

import (
	"context"
	"reflect"
	"testing"
)

// One entry's matching units: those with every word of a group, in the
// order stored, each with its place, box and marked snippet; another
// entry's units with the same words never.
func TestEntryTextMatches(t *testing.T) {
	db, _ := openTemp(t)
	ctx := context.Background()
	var doc, other int64
	mk := func(tx *Tx, path string, units []TextUnit) (int64, error) {
		e := Entry{Path: path, Fingerprint: "fp" + path, MediaType: "image"}
		if err := InsertEntry(ctx, tx, &e); err != nil {
			return 0, err
		}
		return e.ID, tx.ReplaceText(ctx, e.ID, units[0].Source, units)
	}
	box := func(y float32) *TextBox { return &TextBox{X: 0.1, Y: y, W: 0.5, H: 0.05} }
	err := db.Tx(ctx, func(tx *Tx) error {
		var err error
		if doc, err = mk(tx, "scan.png", []TextUnit{
			{Source: "ocr", Box: box(0.1), Text: "Invoice 2024"},           // 0
			{Source: "ocr", Box: box(0.2), Text: "invoice draft"},          // 1
			{Source: "ocr", Box: box(0.3), Text: "Paid in full"},           // 2
			{Source: "ocr", Box: box(0.4), Text: "東京タワーの請求書"},              // 3
			{Source: "ocr", Box: box(0.5), Text: "total 2024 invoice due"}, // 4
		}); err != nil {
			return err
		}
		other, err = mk(tx, "other.png", []TextUnit{{Source: "ocr", Box: box(0.1), Text: "Invoice 2024 paid"}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	o, c := HitOpen, HitClose
	for _, tc := range []struct {
		name     string
		groups   [][]string
		limit    int
		boxesY   []float32 // the matching units' boxes, by their y, in stored order
		snippets []string
		more     bool
	}{
		{"words together", [][]string{{"invoice", "2024"}}, 50, []float32{0.1, 0.5},
			[]string{o + "Invoice" + c + " " + o + "2024" + c, "total " + o + "2024" + c + " " + o + "invoice" + c + " due"}, false},
		{"or a text: term on its own", [][]string{{"invoice", "2024"}, {"paid"}}, 50, []float32{0.1, 0.3, 0.5},
			[]string{o + "Invoice" + c + " " + o + "2024" + c, o + "Paid" + c + " in full", "total " + o + "2024" + c + " " + o + "invoice" + c + " due"}, false},
		{"capped, more said", [][]string{{"invoice"}}, 2, []float32{0.1, 0.2},
			[]string{o + "Invoice" + c + " 2024", o + "invoice" + c + " draft"}, true},
		{"CJK run by trigrams", [][]string{{"タワー"}}, 50, []float32{0.4}, []string{"東京" + o + "タワー" + c + "の請求書"}, false},
		{"short CJK run by substring", [][]string{{"東京"}}, 50, []float32{0.4}, []string{o + "東京" + c + "タワーの請求書"}, false},
		{"FTS syntax is text", [][]string{{`paid" OR "invoice`}}, 50, nil, nil, false},
		{"nothing", [][]string{{"receipt"}}, 50, nil, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hits, more, err := db.EntryTextMatches(ctx, doc, tc.groups, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			var ys []float32
			var snips []string
			for _, h := range hits {
				if h.EntryID != doc || h.Source != "ocr" || h.Box == nil {
					t.Fatalf("hit %+v", h)
				}
				ys, snips = append(ys, h.Box.Y), append(snips, h.Snippet)
			}
			if !reflect.DeepEqual(ys, tc.boxesY) || !reflect.DeepEqual(snips, tc.snippets) || more != tc.more {
				t.Errorf("got boxes %v snippets %q more %v, want %v %q %v", ys, snips, more, tc.boxesY, tc.snippets, tc.more)
			}
		})
	}
	if hits, _, err := db.EntryTextMatches(ctx, other, [][]string{{"draft"}}, 50); err != nil || len(hits) != 0 {
		t.Errorf("another entry's unit matched: %+v %v", hits, err)
	}
}
