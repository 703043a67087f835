package faces

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/tagsight/tagsight/backend/analysis"
	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/store"
)

// MaxVideoFrames is how many of a video's keyframes are searched for
// faces, spread over it (media.SpreadFrames, which also skips a keyframe
// that looks like the one before it): each costs a detector pass and an
// embedding per face.
const MaxVideoFrames = 50

// videoShort is the short side of the keyframes the detector looks at:
// a 16:9 frame then has DetectSize on its long side, what the detector
// runs at (a wider frame is scaled down to it, never up).
func (a *Analyzer) videoShort() int { return (a.set.DetectSize*9 + 15) / 16 }

// NeedFor implements analysis.KindNeeder: a video's keyframes (its faces
// are on them, not only on its poster); every other kind its picture.
func (a *Analyzer) NeedFor(mediaType string) analysis.Need {
	if mediaType == media.TypeVideo {
		return analysis.Need{Frames: a.videoShort()}
	}
	return a.Need()
}

// KindVersion implements analysis.KindVersioned: videos have their own
// version (v1: faces of keyframes, one per person-track, with the
// frame's time), so they alone are analysed again when it came in; the
// pictures keep theirs.
func (a *Analyzer) KindVersion(mediaType string) string {
	if mediaType == media.TypeVideo {
		return fmt.Sprintf("v1:%d:", MaxVideoFrames) + a.Version()
	}
	return a.Version()
}

// video finds the faces on a video's keyframes and keeps one face per
// person-track (Tracks), each with its frame's time and its crop cut
// from that frame.
func (a *Analyzer) video(ctx context.Context, it *analysis.Item, p *analysis.Picture) (any, error) {
	if len(p.Frames) == 0 {
		err := p.FramesErr
		if err == nil {
			err = fmt.Errorf("faces: %w: no frame", media.ErrCorrupt)
		}
		if errors.Is(err, media.ErrUnsupported) {
			return nil, analysis.Unsupported(err)
		}
		return nil, err
	}
	frames := media.SpreadFrames(p.Frames, MaxVideoFrames)
	perFrame := make([][]store.Face, len(frames))
	for i, f := range frames {
		fs, err := a.Faces(ctx, f.Image)
		if err != nil {
			return nil, fmt.Errorf("faces of frame at %v: %w", f.At, err)
		}
		for j := range fs {
			fs[j].AtMS, fs[j].Timed = f.At.Milliseconds(), true
		}
		perFrame[i] = fs
	}
	// Frames read before a damaged part still give their faces.
	kept := Tracks(perFrame, a.set.Match)
	out := make([]store.Face, len(kept))
	for i, k := range kept {
		out[i] = perFrame[k.Frame][k.Face]
		out[i].Crop = a.writeCrop(ctx, frames[k.Frame].Image, out[i], it.Fingerprint, i)
	}
	return facesOut{faces: out, set: a.set}, nil
}

// TrackFace is a face of Tracks' input: the Face-th face of the Frame-th
// frame.
type TrackFace struct{ Frame, Face int }

// Tracks follows people through a video's frames (in time order) and
// returns one face per person-track: the best of the track by Quality
// (the earliest on a tie), in the order tracks began. A face joins the
// track holding the face most like it, when that likeness is at least
// match (the clustering's same-person threshold, Tuning.Match) and the
// track has no face of the same frame yet (two faces in one frame are two
// people); pairs are taken most alike first. Otherwise it begins a track.
// A face is compared with every face of a track, not only the last: a
// person who turns away and back stays one track. The work is bounded by
// the frames' cap (MaxVideoFrames), not the video's length.
func Tracks(frames [][]store.Face, match float64) []TrackFace {
	type track struct {
		members []TrackFace
		best    TrackFace
		frame   int // the last frame that gave it a face
	}
	var tracks []*track
	at := func(t TrackFace) store.Face { return frames[t.Frame][t.Face] }
	for fi, fs := range frames {
		type pair struct {
			face, track int
			sim         float64
		}
		var pairs []pair
		for i, f := range fs {
			for ti, t := range tracks {
				best := -2.0
				for _, m := range t.members {
					best = max(best, cosine(f.Vec, at(m).Vec))
				}
				if best >= match {
					pairs = append(pairs, pair{i, ti, best})
				}
			}
		}
		sort.SliceStable(pairs, func(i, j int) bool { return pairs[i].sim > pairs[j].sim })
		joined := make([]bool, len(fs))
		for _, p := range pairs {
			t := tracks[p.track]
			if joined[p.face] || t.frame == fi {
				continue
			}
			joined[p.face], t.frame = true, fi
			tf := TrackFace{fi, p.face}
			t.members = append(t.members, tf)
			if at(tf).Quality > at(t.best).Quality {
				t.best = tf
			}
		}
		for i := range fs {
			if !joined[i] {
				tf := TrackFace{fi, i}
				tracks = append(tracks, &track{members: []TrackFace{tf}, best: tf, frame: fi})
			}
		}
	}
	out := make([]TrackFace, len(tracks))
	for i, t := range tracks {
		out[i] = t.best
	}
	return out
}

// cosine is the cosine similarity of two L2-normalised vectors.
func cosine(a, b []float32) float64 {
	var s float64
	for i := range min(len(a), len(b)) {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}
