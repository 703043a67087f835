package faces

import (
	"math"
	"reflect"
	"testing"

	"github.com/tagsight/tagsight/backend/store"
)

// unit is the 2-d unit vector at angle deg: two of them are as alike as
// the cosine of the angle between them.
func unit(deg float64) []float32 {
	r := deg * math.Pi / 180
	return []float32{float32(math.Cos(r)), float32(math.Sin(r))}
}

func TestTracks(t *testing.T) {
	const match = 0.363 // SFace's threshold: 68.7° apart
	f := func(deg, q float64) store.Face { return store.Face{Vec: unit(deg), Quality: q} }
	for _, tc := range []struct {
		name   string
		frames [][]store.Face
		want   []TrackFace
	}{
		{"one person, best frame kept", [][]store.Face{{f(0, 0.5)}, {f(10, 0.9)}, {f(5, 0.7)}}, []TrackFace{{1, 0}}},
		{"a tie keeps the earliest", [][]store.Face{{f(0, 0.5)}, {f(0, 0.5)}}, []TrackFace{{0, 0}}},
		// Alike, but in one frame: two people. In the next, 2° goes to
		// the 0° track (most alike first), 10° to the 20° one.
		{"two people side by side stay two", [][]store.Face{{f(0, 0.5), f(20, 0.6)}, {f(10, 0.9), f(2, 0.4)}},
			[]TrackFace{{0, 0}, {1, 0}}},
		{"unlike faces are two people", [][]store.Face{{f(0, 0.5)}, {f(90, 0.5)}}, []TrackFace{{0, 0}, {1, 0}}},
		// 0° → 60° → 120°: each step is alike, the ends are not; the
		// track holds any of its faces' likeness (a turn of the head).
		{"a face alike any of the track's joins it", [][]store.Face{{f(0, 0.5)}, {f(60, 0.6)}, {f(120, 0.4)}}, []TrackFace{{1, 0}}},
		{"cut away and back", [][]store.Face{{f(0, 0.8)}, {}, {f(3, 0.2)}}, []TrackFace{{0, 0}}},
		{"no faces", [][]store.Face{{}, {}}, []TrackFace{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Tracks(tc.frames, match); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Tracks = %v, want %v", got, tc.want)
			}
		})
	}
}
