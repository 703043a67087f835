package store

import (
	"context"
	"fmt"
	"testing"
)

// forgetLibrary is three videos with an entry vector, frames for two
// models, and the rows of the clip, frames and faces analyzers; it says
// how many frames each model was given.
func forgetLibrary(t *testing.T, db *DB) (m3, m2 Model, es []Entry, frames3, frames2 int) {
	t.Helper()
	ctx := context.Background()
	var err error
	if m3, err = db.EnsureModel(ctx, "k3", "three", 3); err != nil {
		t.Fatal(err)
	}
	if m2, err = db.EnsureModel(ctx, "k2", "two", 2); err != nil {
		t.Fatal(err)
	}
	err = db.Tx(ctx, func(tx *Tx) error {
		for i := range 3 {
			e := Entry{Path: fmt.Sprintf("v%d.mp4", i), Size: 1, Fingerprint: fmt.Sprintf("fp%d", i), MediaType: "video", Thumb: "t"}
			if err := InsertEntry(ctx, tx, &e); err != nil {
				return err
			}
			es = append(es, e)
			if err := PutVector(ctx, tx, m3, e.ID, []float32{1, float32(i), 0}); err != nil {
				return err
			}
			fs := make([]Frame, i+1)
			for j := range fs {
				fs[j] = Frame{AtMS: int64(8000 * j), Vec: []float32{float32(j), 1, float32(i)}}
			}
			frames3 += len(fs)
			if err := ReplaceFrames(ctx, tx, m3, e.ID, fs); err != nil {
				return err
			}
			if err := ReplaceFrames(ctx, tx, m2, e.ID, []Frame{{AtMS: 0, Vec: []float32{1, float32(i)}}}); err != nil {
				return err
			}
			frames2++
			for _, a := range []string{"clip", "frames", "faces"} {
				if err := PutAnalysis(ctx, tx, AnalysisRow{EntryID: e.ID, Analyzer: a, Fingerprint: e.Fingerprint, Version: "v", State: AnalysisDone}); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return
}

// Forgetting a model forgets its videos' frames with its vectors, and the
// frames analyzer's rows with the clip analyzer's, so the next index
// redoes both; another model's frames and other analyzers' rows stay.
func TestForgetModelForgetsFrames(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	m3, m2, es, frames3, frames2 := forgetLibrary(t, db)
	if n, _ := db.CountFrames(ctx, m3); n != frames3 {
		t.Fatalf("%d frames stored for m3, want %d", n, frames3)
	}
	if err := db.ForgetModel(ctx, m3, "clip"); err != nil {
		t.Fatal(err)
	}
	if n, err := db.CountFrames(ctx, m3); err != nil || n != 0 {
		t.Errorf("%d frames of the forgotten model left (%v)", n, err)
	}
	if n, err := db.IndexedFrames(ctx, m3); err != nil || n != 0 {
		t.Errorf("%d rows left in the forgotten model's frame index (%v)", n, err)
	}
	if n, _ := db.CountFrames(ctx, m2); n != frames2 {
		t.Errorf("%d frames of the other model, want %d kept", n, frames2)
	}
	if n, _ := db.IndexedFrames(ctx, m2); n != frames2 {
		t.Errorf("%d rows in the other model's frame index, want %d kept", n, frames2)
	}
	if n, _ := db.IndexedVectors(ctx, m3); n != 0 {
		t.Errorf("%d entry vectors left", n)
	}
	rows, err := db.AnalysisFor(ctx, []int64{es[0].ID, es[1].ID, es[2].ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		for a, want := range map[string]bool{"clip": false, "frames": false, "faces": true} {
			if _, ok := rows[e.ID][a]; ok != want {
				t.Errorf("%s: %s analysis row kept %v, want %v", e.Path, a, ok, want)
			}
		}
	}
}

// The tally counts the frames and every model's frame index apart, so a
// check after crashes holds the one to the other as it does entry
// vectors: an index row lost shows.
func TestTallyCountsFrameIndex(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	m3, _, _, frames3, frames2 := forgetLibrary(t, db)
	tally, err := db.Tally(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := frames3 + frames2
	if tally.Frames != want || tally.FrameVectors != want {
		t.Fatalf("tally %d frames, %d indexed, want %d of each", tally.Frames, tally.FrameVectors, want)
	}
	// An index row lost without its frame (what a broken trigger or a
	// crash between the two would leave).
	if _, err := db.pool.ExecContext(ctx, `DELETE FROM `+frameVecTable(m3.ID)+` WHERE rowid = (SELECT MIN(id) FROM frames WHERE model_id=?)`, m3.ID); err != nil {
		t.Fatal(err)
	}
	if tally, err = db.Tally(ctx); err != nil {
		t.Fatal(err)
	}
	if tally.Frames != want || tally.FrameVectors != want-1 {
		t.Errorf("after losing an index row: tally %d frames, %d indexed, want %d and %d", tally.Frames, tally.FrameVectors, want, want-1)
	}
}
