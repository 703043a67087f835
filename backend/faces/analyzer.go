package faces

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"time"

	"github.com/tagsight/tagsight/backend/analysis"
	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/store"
)

// Tuning tunes the faces analyzer and the people it groups faces into.
// The defaults are the models' authors' (opencv_zoo's yunet.py and
// sface.py) where they publish one.
type Tuning struct {
	// DetectSize is the long side, in pixels, of the copy the detector
	// looks at (640: the input size YuNet declares); the detector runs at
	// that copy's size padded to a multiple of 32.
	DetectSize int `json:"detect_size"`
	// MinScore is the detector score a face needs (0.6, the default
	// confThreshold of opencv_zoo's yunet.py).
	MinScore float64 `json:"min_score"`
	// MinSize is the smallest face side kept, in pixels at DetectSize.
	MinSize int `json:"min_size"`
	// Match is the cosine similarity at which two faces are the same
	// person (0.363, SFace's published threshold).
	Match float64 `json:"match"`
	// MinFaces is how many similar faces make a new person.
	MinFaces int `json:"min_faces"`
	// Suggest is the similarity at which an unassigned face is offered a
	// named person's name.
	Suggest float64 `json:"suggest"`
}

// DefaultTuning are the settings a library starts with.
func DefaultTuning() Tuning {
	return Tuning{DetectSize: 640, MinScore: float64(YuNetDefaultScoreThreshold), MinSize: 20, Match: float64(SFaceCosineThreshold), MinFaces: 3, Suggest: 0.3}
}

// Clean fills zero fields with the defaults and bounds the rest.
func (s Tuning) Clean() Tuning {
	d := DefaultTuning()
	if s.DetectSize <= 0 {
		s.DetectSize = d.DetectSize
	}
	s.DetectSize = min(max(s.DetectSize, 160), 4096)
	if s.MinScore <= 0 || s.MinScore >= 1 {
		s.MinScore = d.MinScore
	}
	if s.MinSize <= 0 {
		s.MinSize = d.MinSize
	}
	if s.Match <= 0 || s.Match >= 1 {
		s.Match = d.Match
	}
	if s.MinFaces <= 0 {
		s.MinFaces = d.MinFaces
	}
	if s.Suggest <= 0 || s.Suggest >= 1 {
		s.Suggest = d.Suggest
	}
	return s
}

// CropSize is the long side of the face crops the People view shows.
const CropSize = 160

// Analyzer is the faces analyzer of package analysis: on the pipeline's
// one decoded picture (a video's keyframes: video.go) it detects faces,
// aligns and embeds each, writes a crop for the People view, and saves
// them, putting each new face in a person as it goes (see Assign).
type Analyzer struct {
	eng   *Engine
	key   string
	set   Tuning
	crops Crops
}

// Crops keeps the JPEG crop of a content's i-th face and says where it
// went (the library's derived files: library.Derived.Put with
// library.FaceCrops).
type Crops func(fingerprint string, i int, jpeg []byte) (rel string, err error)

// NewAnalyzer returns the faces analyzer for an engine (whose models have
// the key modelKey), handing crops to crops (nil: no crops).
func NewAnalyzer(eng *Engine, modelKey string, set Tuning, crops Crops) *Analyzer {
	return &Analyzer{eng: eng, key: modelKey, set: set.Clean(), crops: crops}
}

// Name implements analysis.Analyzer.
func (a *Analyzer) Name() string { return "faces" }

// Version implements analysis.Analyzer: the models and what decides which
// faces are found (f2: the detector runs at the padded picture size, not on
// a 640×640 canvas, so faces found by f1 sit up to a few pixels off).
func (a *Analyzer) Version() string {
	return fmt.Sprintf("f2:%s:%d:%g:%d", a.key, a.set.DetectSize, a.set.MinScore, a.set.MinSize)
}

// Applies implements analysis.Analyzer: every kind that gets a poster
// (pictures, RAW files, videos: their keyframes).
func (a *Analyzer) Applies(mediaType, rel string) bool {
	return media.HasPoster(mediaType)
}

// Need implements analysis.Analyzer: the detection size (the faces are
// aligned from the same picture, at least that large).
func (a *Analyzer) Need() analysis.Need { return analysis.Need{Long: a.set.DetectSize} }

// Analyze implements analysis.Analyzer.
func (a *Analyzer) Analyze(ctx context.Context, it *analysis.Item, p *analysis.Picture) (any, error) {
	if it.MediaType == media.TypeVideo {
		return a.video(ctx, it, p)
	}
	if p.Image == nil {
		if p.InfoErr == nil && errors.Is(p.DecodeErr, media.ErrUnsupported) {
			return nil, analysis.Unsupported(p.DecodeErr)
		}
		return nil, p.DecodeErr
	}
	fs, err := a.Faces(ctx, p.Image)
	if err != nil {
		return nil, err
	}
	for i := range fs {
		fs[i].Crop = a.writeCrop(ctx, p.Image, fs[i], it.Fingerprint, i)
	}
	return facesOut{faces: fs, set: a.set}, nil
}

// Faces finds, aligns and embeds the faces of an oriented picture; boxes
// and landmarks come back as fractions of the picture.
func (a *Analyzer) Faces(ctx context.Context, img *image.RGBA) ([]store.Face, error) {
	dets, err := a.eng.Detect(ctx, img, a.set.DetectSize, float32(a.set.MinScore))
	if err != nil {
		return nil, err
	}
	w, h := float64(img.Bounds().Dx()), float64(img.Bounds().Dy())
	minSide := float64(a.set.MinSize)
	if long := math.Max(w, h); long > float64(a.set.DetectSize) {
		minSide *= long / float64(a.set.DetectSize)
	}
	var kept []Detection
	for _, d := range dets {
		if math.Min(float64(d.W), float64(d.H)) >= minSide {
			kept = append(kept, d)
		}
	}
	if len(kept) == 0 {
		return nil, nil
	}
	crops := make([]*image.RGBA, len(kept))
	for i, d := range kept {
		crops[i] = AlignCrop(img, d.Landmarks)
	}
	vecs, err := a.eng.Embed(ctx, crops)
	if err != nil {
		return nil, err
	}
	out := make([]store.Face, len(kept))
	for i, d := range kept {
		f := store.Face{
			X: float64(d.X) / w, Y: float64(d.Y) / h, W: float64(d.W) / w, H: float64(d.H) / h,
			Score: float64(d.Score), Vec: vecs[i],
		}
		for k := 0; k < 5; k++ {
			f.Landmarks[2*k] = float32(float64(d.Landmarks[k][0]) / w)
			f.Landmarks[2*k+1] = float32(float64(d.Landmarks[k][1]) / h)
		}
		f.Quality = Quality(d, crops[i], float64(a.set.DetectSize)*math.Min(float64(d.W), float64(d.H))/math.Max(w, h))
		out[i] = f
	}
	return out, nil
}

// Quality rates a face for being shown and for naming: the detector's
// confidence, times how large the face was at detection size (full marks
// from 64 px), times how sharp its aligned crop is (the variance of its
// Laplacian, saturating).
func Quality(d Detection, crop *image.RGBA, side float64) float64 {
	size := math.Min(1, side/64)
	sharp := 0.0
	if crop != nil {
		v := laplacianVariance(crop)
		sharp = v / (v + 100)
	}
	return float64(d.Score) * size * (0.5 + 0.5*sharp)
}

func laplacianVariance(img *image.RGBA) float64 {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w < 3 || h < 3 {
		return 0
	}
	grey := func(x, y int) float64 {
		o := img.PixOffset(b.Min.X+x, b.Min.Y+y)
		return 0.299*float64(img.Pix[o]) + 0.587*float64(img.Pix[o+1]) + 0.114*float64(img.Pix[o+2])
	}
	var sum, sq float64
	n := 0
	for y := 1; y < h-1; y++ {
		for x := 1; x < w-1; x++ {
			l := grey(x-1, y) + grey(x+1, y) + grey(x, y-1) + grey(x, y+1) - 4*grey(x, y)
			sum += l
			sq += l * l
			n++
		}
	}
	m := sum / float64(n)
	return sq/float64(n) - m*m
}

// writeCrop writes a square crop around the face (half again the box's
// size) for the People view; "" when it could not be written (the face is
// kept: the view then crops the thumbnail).
func (a *Analyzer) writeCrop(ctx context.Context, img *image.RGBA, f store.Face, fingerprint string, i int) string {
	if a.crops == nil {
		return ""
	}
	b := img.Bounds()
	w, h := float64(b.Dx()), float64(b.Dy())
	cx, cy := (f.X+f.W/2)*w, (f.Y+f.H/2)*h
	side := 1.5 * math.Max(f.W*w, f.H*h)
	r := image.Rect(int(cx-side/2), int(cy-side/2), int(math.Ceil(cx+side/2)), int(math.Ceil(cy+side/2))).Add(b.Min).Intersect(b)
	if r.Empty() {
		return ""
	}
	data, err := media.EncodeThumbnail(ctx, img.SubImage(r).(*image.RGBA), CropSize)
	if err != nil {
		return ""
	}
	rel, err := a.crops(fingerprint, i, data)
	if err != nil {
		return ""
	}
	return rel
}

type facesOut struct {
	faces []store.Face
	set   Tuning
}

// Save implements analysis.Output: the entry's faces are replaced, and
// each new face joins a person (Assign).
func (o facesOut) Save(ctx context.Context, tx *store.Tx, id int64) error {
	ids, kept, err := store.ReplaceFaces(ctx, tx, id, o.faces, time.Now().Unix())
	if err != nil {
		return err
	}
	for i, fid := range ids {
		if kept[i] {
			continue
		}
		if err := Assign(ctx, tx, fid, o.faces[i].Vec, o.set); err != nil {
			return fmt.Errorf("assign face: %w", err)
		}
	}
	return nil
}
