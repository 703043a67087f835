package faces

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/jpeg"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/tagsight/tagsight/backend/analysis"
	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/store"
)

const astronaut = "testdata/yunet/astronaut.png"

// faceVideo writes a video of the astronaut photo (300×300) shown where
// show says, plain colour elsewhere, one second a part; every second
// starts a keyframe, so the keyframes' times are known.
func faceVideo(t *testing.T, path string, show ...bool) {
	t.Helper()
	abs, err := filepath.Abs(astronaut)
	if err != nil {
		t.Fatal(err)
	}
	var args []string
	filter := ""
	for i, face := range show {
		if face {
			args = append(args, "-loop", "1", "-framerate", "25", "-t", "3", "-i", abs)
		} else {
			args = append(args, "-f", "lavfi", "-t", "3", "-i", "color=c=0x4a6b8a:s=300x300:r=25")
		}
		filter += fmt.Sprintf("[%d:v]format=yuv420p,setsar=1[v%d];", i, i)
	}
	for i := range show {
		filter += fmt.Sprintf("[v%d]", i)
	}
	filter += fmt.Sprintf("concat=n=%d:v=1[out]", len(show))
	args = append(args, "-filter_complex", filter, "-map", "[out]", "-c:v", "libx264", "-crf", "12",
		"-pix_fmt", "yuv420p", "-force_key_frames", "expr:gte(t,n_forced*1)", "-y", path)
	if out, err := exec.Command("ffmpeg", append([]string{"-hide_banner", "-loglevel", "error"}, args...)...).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, out)
	}
}

// analyseFiles puts the files into a new library (name → media type) and
// runs a through the pipeline over them; it returns the database and the
// entries' ids by name.
func analyseFiles(t *testing.T, a *Analyzer, files map[string]string) (*store.DB, map[string]int64) {
	t.Helper()
	ctx := context.Background()
	if err := a.eng.Load(); err != nil {
		t.Fatal(err)
	}
	db := faceDB(t, a.eng.Dim())
	ids := map[string]int64{}
	var items []*analysis.Item
	for path, mt := range files {
		e := store.Entry{Path: filepath.Base(path), Fingerprint: "fp-" + filepath.Base(path), MediaType: mt}
		if err := db.Tx(ctx, func(tx *store.Tx) error { return store.InsertEntry(ctx, tx, &e) }); err != nil {
			t.Fatal(err)
		}
		ids[e.Path] = e.ID
		items = append(items, &analysis.Item{EntryID: e.ID, Rel: e.Path, Abs: path, Fingerprint: e.Fingerprint, MediaType: mt,
			Pending: []analysis.Analyzer{a}})
	}
	res, err := analysis.Run(ctx, db, items, analysis.Options{Analyzers: []analysis.Analyzer{a}, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if st := res.Analyzers["faces"]; st.Done != len(files) {
		t.Fatalf("faces: %+v", st)
	}
	return db, ids
}

// crops keeps the crops an analyzer writes, by fingerprint and index.
type crops struct {
	mu  sync.Mutex
	got map[string][]byte
}

func (c *crops) put(fp string, i int, jpg []byte) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.got == nil {
		c.got = map[string][]byte{}
	}
	name := fmt.Sprintf("%s-%d.jpg", fp, i)
	c.got[name] = jpg
	return name, nil
}

// astronautBox is OpenCV's face of the astronaut photo (testdata/yunet/
// opencv.json, make_reference.py), as fractions of the picture.
func astronautBox(t *testing.T) [4]float64 {
	t.Helper()
	raw, err := os.ReadFile("testdata/yunet/opencv.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref opencvReference
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	for _, p := range ref.Pictures {
		if p.File == filepath.Base(astronaut) && len(p.Faces) == 1 {
			b := p.Faces[0].Box
			return [4]float64{b[0] / float64(p.Width), b[1] / float64(p.Height), b[2] / float64(p.Width), b[3] / float64(p.Height)}
		}
	}
	t.Fatal("no single astronaut face in opencv.json")
	return [4]float64{}
}

// A video that shows a face from 3 s to 6 s, after 3 s of plain colour,
// gets that face: its time in 3..6 s, its box where OpenCV finds the face
// on the photo (within 2 px of 300), and a crop of the face cut from the
// frame.
func TestVideoFaceAtItsTime(t *testing.T) {
	eng := realYuNet(t, "testdata/yunet/face_detection_yunet_2023mar.onnx")
	defer eng.Close()
	var c crops
	a := NewAnalyzer(eng, "test", DefaultTuning(), c.put)
	video := filepath.Join(t.TempDir(), "moment.mp4")
	faceVideo(t, video, false, true)
	db, ids := analyseFiles(t, a, map[string]string{video: media.TypeVideo})
	fs, err := db.EntryFaces(context.Background(), ids["moment.mp4"])
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 {
		t.Fatalf("%d faces, want the astronaut's: %+v", len(fs), fs)
	}
	f := fs[0]
	if !f.Timed || f.AtMS < 3000 || f.AtMS >= 6000 {
		t.Errorf("face at %d ms (timed %v), want 3000..5999", f.AtMS, f.Timed)
	}
	want := astronautBox(t)
	got := [4]float64{f.X, f.Y, f.W, f.H}
	worst := 0.0
	for i := range got {
		worst = max(worst, math.Abs(got[i]-want[i])*300)
	}
	if worst > 2 {
		t.Errorf("box %v, OpenCV's on the photo %v: off by %.2f px", got, want, worst)
	}
	t.Logf("face at %d ms, box within %.2f px of OpenCV's on the photo", f.AtMS, worst)
	jpg := c.got[f.Crop]
	if jpg == nil {
		t.Fatalf("no crop %q written", f.Crop)
	}
	img, err := jpeg.Decode(bytes.NewReader(jpg))
	if err != nil {
		t.Fatal(err)
	}
	// The crop is 1.5× the face's box, around it: skin, not the plain
	// colour of the video's first frame (R 0x4a, G 0x6b, B 0x8a).
	var r, b float64
	bnd := img.Bounds()
	for y := bnd.Min.Y; y < bnd.Max.Y; y++ {
		for x := bnd.Min.X; x < bnd.Max.X; x++ {
			cr, _, cb, _ := img.At(x, y).RGBA()
			r, b = r+float64(cr), b+float64(cb)
		}
	}
	if r <= b {
		t.Errorf("the crop is bluer than red (R %.0f, B %.0f): not the face's frame", r, b)
	}
}

// The same face on two keyframes of one video (a cut away and back) is
// one face of the video, not two, and the video's face joins the person
// of two photos of the same face.
func TestVideoFaceOncePerPersonAndJoinsPhotos(t *testing.T) {
	eng := realYuNet(t, "testdata/yunet/face_detection_yunet_2023mar.onnx")
	defer eng.Close()
	a := NewAnalyzer(eng, "test", DefaultTuning(), nil)
	dir := t.TempDir()
	video := filepath.Join(dir, "twice.mp4")
	faceVideo(t, video, false, true, false, true)

	// Precondition: the face is on two of the frames the analyzer reads.
	ctx := context.Background()
	src := media.NewSource(video, nil)
	defer src.Close()
	var frames []media.Frame
	short := a.videoShort()
	if err := src.Frames(ctx, media.DefaultLimits(), func(w, h int) bool { return min(w, h) >= short }, func(f media.Frame) error {
		frames = append(frames, f)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	withFace := 0
	for _, f := range media.SpreadFrames(frames, MaxVideoFrames) {
		fs, err := a.Faces(ctx, f.Image)
		if err != nil {
			t.Fatal(err)
		}
		withFace += len(fs)
	}
	if withFace != 2 {
		t.Fatalf("%d faces over the video's frames, want the astronaut twice", withFace)
	}

	photo2 := filepath.Join(dir, "smaller.png")
	if out, err := exec.Command("convert", astronaut, "-resize", "80%", photo2).CombinedOutput(); err != nil {
		t.Fatalf("convert: %v: %s", err, out)
	}
	db, ids := analyseFiles(t, a, map[string]string{video: media.TypeVideo, astronaut: media.TypeImage, photo2: media.TypeImage})
	fs, err := db.EntryFaces(ctx, ids["twice.mp4"])
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 {
		t.Fatalf("%d faces of the video, want one: %+v", len(fs), fs)
	}
	if f := fs[0]; !f.Timed || !(f.AtMS >= 3000 && f.AtMS < 6000 || f.AtMS >= 9000 && f.AtMS < 12000) {
		t.Errorf("face at %d ms (timed %v): not when the face is shown", f.AtMS, f.Timed)
	}
	person := fs[0].PersonID
	if person == 0 {
		t.Fatal("the video's face is in no person")
	}
	for _, name := range []string{"astronaut.png", "smaller.png"} {
		pfs, err := db.EntryFaces(ctx, ids[name])
		if err != nil || len(pfs) != 1 {
			t.Fatalf("%s: %d faces, %v", name, len(pfs), err)
		}
		if pfs[0].Timed {
			t.Errorf("%s: a photo's face has a time (%d ms)", name, pfs[0].AtMS)
		}
		if pfs[0].PersonID != person {
			t.Errorf("%s: person %d, the video's face is in person %d", name, pfs[0].PersonID, person)
		}
	}
}
