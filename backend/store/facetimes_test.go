package store

import (
	"context"
	"testing"
)

// A video's faces keep their frame's time and a photo's face has none;
// analysing the video again keeps a face's person only for the face on
// the frame of the same time at the same place, not for one elsewhere in
// the video that happens to sit where it sat.
func TestFaceTimes(t *testing.T) {
	ctx := context.Background()
	db, _ := openTemp(t)
	var video, photo, person int64
	box := Face{X: 0.3, Y: 0.2, W: 0.2, H: 0.25}
	at := func(ms int64) Face { f := box; f.AtMS, f.Timed = ms, true; return f }
	err := db.Tx(ctx, func(tx *Tx) error {
		v := Entry{Path: "v.mp4", Size: 1, Fingerprint: "v", MediaType: "video"}
		p := Entry{Path: "p.jpg", Size: 1, Fingerprint: "p", MediaType: "image"}
		for _, e := range []*Entry{&v, &p} {
			if err := InsertEntry(ctx, tx, e); err != nil {
				return err
			}
		}
		video, photo = v.ID, p.ID
		ids, _, err := ReplaceFaces(ctx, tx, video, []Face{at(0), at(4000)}, 0)
		if err != nil {
			return err
		}
		if _, _, err := ReplaceFaces(ctx, tx, photo, []Face{box}, 0); err != nil {
			return err
		}
		if person, err = NewPerson(ctx, tx); err != nil {
			return err
		}
		return AssignFaces(ctx, tx, person, ids[1:], false) // the face at 4 s
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[int64]int64{} // time → person
	fs, err := db.EntryFaces(ctx, video)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if !f.Timed {
			t.Errorf("video face %d has no time", f.ID)
		}
		got[f.AtMS] = f.PersonID
	}
	if len(got) != 2 || got[4000] != person || got[0] != 0 {
		t.Fatalf("video faces by time → person: %v, want 0 → none, 4000 → %d", got, person)
	}
	if pf, err := db.EntryFaces(ctx, photo); err != nil || len(pf) != 1 || pf[0].Timed || pf[0].AtMS != 0 {
		t.Fatalf("photo faces %+v, %v: want one, without a time", pf, err)
	}
	// Again: the face at 4 s is found at 4 s once more, and a new face at
	// 9 s sits where the 0 s one did.
	var kept []bool
	err = db.Tx(ctx, func(tx *Tx) error {
		_, kept, err = ReplaceFaces(ctx, tx, video, []Face{at(9000), at(4000)}, 0)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if kept[0] || !kept[1] {
		t.Errorf("kept = %v, want [false true]: only the face at the same time keeps its person", kept)
	}
}
