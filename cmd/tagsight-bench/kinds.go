package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/testutil"
)

// benchKinds measures what a scan spends on each file kind: the facts and
// the tile (poster at the thumbnail's 256 px, encoded as the thumbnail
// analyzer does), in CPU time of this process and its children (ffmpeg,
// ffprobe), as a ratio to a JPEG photo's; then, for a 10-minute 1080p
// H.264 video, the poster frame's CPU time as a fraction of decoding the
// whole video.
func benchKinds(ctx context.Context, rep *report, data string, runs int, longVideo bool) error {
	dir := filepath.Join(data, "kinds")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	files, err := ensureKindFiles(dir, data)
	if err != nil {
		return err
	}
	lim := media.DefaultLimits()
	tile := func(path string) error {
		src := media.NewSource(path, nil)
		defer src.Close()
		if _, err := src.Facts(ctx, lim); err != nil {
			return fmt.Errorf("%s facts: %w", filepath.Base(path), err)
		}
		img, _, err := src.Poster(ctx, lim, func(w, h int) bool { return max(w, h) >= 256 })
		if err != nil {
			return fmt.Errorf("%s poster: %w", filepath.Base(path), err)
		}
		_, err = media.EncodeThumbnail(ctx, img, 256)
		return err
	}
	type row struct {
		kind, file string
		size       int64
		cpu, wall  float64
	}
	var rows []row
	var peer float64
	for _, f := range files {
		st, err := os.Stat(f.path)
		if err != nil {
			return err
		}
		wall, cpu := measureAll(runs, func() error { return tile(f.path) })
		rows = append(rows, row{f.kind, f.what, st.Size(), cpu, wall})
		if f.kind == "jpeg" {
			peer = cpu
		}
	}
	rep.line("## Tile + facts per kind")
	rep.line("")
	rep.line("One file of each kind through `media.Source`: `Facts`, then `Poster` at ≥256 px and")
	rep.line("`media.EncodeThumbnail` to 256 px (what the metadata and thumbnail analyzers do). CPU ms are")
	rep.line("getrusage of this process and its waited children (ffmpeg, ffprobe) over %d runs after a", runs)
	rep.line("warm-up, divided by the runs; wall ms the median. Ratios are to the JPEG photo measured in the same run.")
	rep.line("")
	rep.line("| kind | file | bytes | CPU ms | × JPEG | wall ms |")
	rep.line("|---|---|---|---|---|---|")
	for _, r := range rows {
		rep.line("| %s | %s | %d | %.1f | %.2f | %.1f |", r.kind, r.file, r.size, r.cpu, r.cpu/peer, r.wall)
	}
	rep.line("")
	if !longVideo {
		return nil
	}
	long := filepath.Join(dir, "long-1080p.mp4")
	gen := []string{"-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
		"testsrc2=s=1920x1080:r=25:d=600", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", long}
	if _, err := os.Stat(long); err != nil {
		fmt.Fprintln(os.Stderr, "bench: generating a 10-minute 1080p video (minutes)…")
		if out, err := exec.Command("ffmpeg", gen...).CombinedOutput(); err != nil {
			os.Remove(long)
			return fmt.Errorf("ffmpeg: %v: %s", err, out)
		}
	}
	st, err := os.Stat(long)
	if err != nil {
		return err
	}
	full := []string{"-hide_banner", "-loglevel", "error", "-nostdin", "-i", long, "-f", "null", "-"}
	c0 := cpuAll()
	t0 := time.Now()
	if out, err := exec.Command("ffmpeg", full...).CombinedOutput(); err != nil {
		return fmt.Errorf("ffmpeg -f null: %v: %s", err, out)
	}
	decodeCPU, decodeWall := ms(cpuAll()-c0), ms(time.Since(t0))
	c0 = cpuAll()
	t0 = time.Now()
	if err := tile(long); err != nil {
		return err
	}
	posterCPU, posterWall := ms(cpuAll()-c0), ms(time.Since(t0))
	rep.line("## Poster frame of a 10-minute 1080p H.264 video")
	rep.line("")
	rep.line("The video (%d bytes) is made once by `ffmpeg %s`.", st.Size(), strings.Join(gen[5:len(gen)-1], " "))
	rep.line("The whole decode is `ffmpeg -i long-1080p.mp4 -f null -`; the tile is the facts, poster and")
	rep.line("thumbnail of the table above (ffprobe, then ffmpeg on the keyframes only). One run each.")
	rep.line("")
	rep.line("| work | CPU ms | wall ms |")
	rep.line("|---|---|---|")
	rep.line("| decode the whole video (`ffmpeg -f null`) | %.0f | %.0f |", decodeCPU, decodeWall)
	rep.line("| tile + facts | %.0f | %.0f |", posterCPU, posterWall)
	rep.line("")
	rep.line("Tile + facts cost **%.1f %%** of the whole decode's CPU time.", 100*posterCPU/decodeCPU)
	rep.line("")
	return nil
}

// cpuAll is this process's CPU time plus that of its waited children.
func cpuAll() time.Duration {
	var self, kids syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	return time.Duration(self.Utime.Nano() + self.Stime.Nano() + kids.Utime.Nano() + kids.Stime.Nano())
}

// measureAll is measure with the children's CPU time counted too.
func measureAll(n int, fn func() error) (wall, cpu float64) {
	must(fn())
	var walls []float64
	c0 := cpuAll()
	for i := 0; i < n; i++ {
		t := time.Now()
		must(fn())
		walls = append(walls, ms(time.Since(t)))
	}
	cpu = ms(cpuAll()-c0) / float64(n)
	for i := range walls { // median
		for j := i + 1; j < len(walls); j++ {
			if walls[j] < walls[i] {
				walls[i], walls[j] = walls[j], walls[i]
			}
		}
	}
	return walls[n/2], cpu
}

type kindFile struct{ kind, what, path string }

// ensureKindFiles makes one file of each kind (kept between runs).
func ensureKindFiles(dir, data string) ([]kindFile, error) {
	p := func(n string) string { return filepath.Join(dir, n) }
	photo := filepath.Join(data, "12mp.jpg")
	if err := ensure12MP(photo); err != nil {
		return nil, err
	}
	small := photoJPEG(1200, 900)
	tris := sphere(64, 128) // 16 128 triangles
	ff := func(name string, args ...string) error {
		if _, err := os.Stat(p(name)); err == nil {
			return nil
		}
		out, err := exec.Command("ffmpeg", append(append([]string{"-hide_banner", "-loglevel", "error", "-nostdin", "-y"}, args...), p(name))...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("ffmpeg %s: %v: %s", name, err, out)
		}
		return nil
	}
	var code strings.Builder
	code.WriteString("package main\n\nimport \"fmt\"\n\n")
	for i := 0; i < 500; i++ {
		fmt.Fprintf(&code, "// f%d adds.\nfunc f%d(a, b int) int {\n\treturn a + b*%d // %q\n}\n\n", i, i, i, "text")
	}
	var svg strings.Builder
	svg.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" width="800" height="600" viewBox="0 0 800 600">`)
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&svg, `<circle cx="%d" cy="%d" r="%d" fill="#%06x" opacity="0.6"/>`, (i*37)%800, (i*53)%600, 10+i%40, (i*2654435761)&0xffffff)
	}
	svg.WriteString(`</svg>`)
	font, err := os.ReadFile("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
	if err != nil {
		return nil, fmt.Errorf("a font (fonts-dejavu-core): %w", err)
	}
	epub, err := zipOf([]zipPart{
		{"mimetype", []byte("application/epub+zip")},
		{"META-INF/container.xml", []byte(`<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>`)},
		{"OEBPS/content.opf", []byte(`<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Bench</dc:title><dc:creator>Ada</dc:creator></metadata><manifest><item id="c" href="cover.jpg" media-type="image/jpeg" properties="cover-image"/><item id="t" href="t.xhtml" media-type="application/xhtml+xml"/></manifest><spine><itemref idref="t"/></spine></package>`)},
		{"OEBPS/cover.jpg", small},
		{"OEBPS/t.xhtml", []byte(`<html xmlns="http://www.w3.org/1999/xhtml"><body><p>text</p></body></html>`)},
	})
	if err != nil {
		return nil, err
	}
	var pages []zipPart
	for i := 0; i < 20; i++ {
		pages = append(pages, zipPart{fmt.Sprintf("%03d.jpg", i+1), small})
	}
	cbz, err := zipOf(pages)
	if err != nil {
		return nil, err
	}
	arc, err := zipOf(append([]zipPart{{"readme.txt", []byte(code.String())}}, pages[:5]...))
	if err != nil {
		return nil, err
	}
	docx, err := zipOf([]zipPart{
		{"[Content_Types].xml", []byte(`<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`)},
		{"word/document.xml", []byte(`<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>text</w:t></w:r></w:p></w:body></w:document>`)},
		{"docProps/thumbnail.jpeg", photoJPEG(256, 362)},
	})
	if err != nil {
		return nil, err
	}
	for name, b := range map[string][]byte{
		"doc.pdf": testutil.PDF(10, "<< /Title (Bench) >>"), "code.go": []byte(code.String()), "font.ttf": font,
		"drawing.svg": []byte(svg.String()), "book.epub": epub, "comic.cbz": cbz, "archive.zip": arc, "letter.docx": docx,
		"sphere.stl": stlOf(tris), "sphere.glb": glbOf(tris),
	} {
		if err := os.WriteFile(p(name), b, 0o644); err != nil {
			return nil, err
		}
	}
	if err := ff("clip.mp4", "-f", "lavfi", "-i", "testsrc2=s=1920x1080:r=25:d=10", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"); err != nil {
		return nil, err
	}
	if err := ff("song.mp3", "-f", "lavfi", "-i", "sine=frequency=440:duration=180", "-metadata", "artist=Bench", "-b:a", "192k"); err != nil {
		return nil, err
	}
	return []kindFile{
		{"jpeg", "12 MP photo, 4000×3000", photo},
		{"video", "10 s 1080p H.264", p("clip.mp4")},
		{"audio", "3 min MP3, no cover (waveform)", p("song.mp3")},
		{"pdf", "10 pages", p("doc.pdf")},
		{"text", "Go source, 2000 lines", p("code.go")},
		{"font", "DejaVu Sans TTF", p("font.ttf")},
		{"svg", "200 circles", p("drawing.svg")},
		{"epub", "cover 1200×900", p("book.epub")},
		{"cbz", "20 pages 1200×900", p("comic.cbz")},
		{"zip", "5 pictures and a text", p("archive.zip")},
		{"docx", "embedded thumbnail", p("letter.docx")},
		{"stl", fmt.Sprintf("sphere, %d triangles", len(tris)), p("sphere.stl")},
		{"glb", fmt.Sprintf("sphere, %d triangles", len(tris)), p("sphere.glb")},
	}, nil
}

func photoJPEG(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x * 255 / w), uint8(y * 255 / h), uint8((x + y) % 256), 255})
		}
	}
	var b bytes.Buffer
	must(jpeg.Encode(&b, img, &jpeg.Options{Quality: 85}))
	return b.Bytes()
}

type zipPart struct {
	name string
	data []byte
}

func zipOf(parts []zipPart) ([]byte, error) {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for _, p := range parts {
		m := zip.Deflate
		if p.name == "mimetype" {
			m = zip.Store
		}
		f, err := w.CreateHeader(&zip.FileHeader{Name: p.name, Method: m})
		if err != nil {
			return nil, err
		}
		if _, err := f.Write(p.data); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, errors.New("zip: " + err.Error())
	}
	return b.Bytes(), nil
}

// sphere is a UV sphere of radius 10 as triangles (lat×lon×2).
func sphere(lat, lon int) [][3][3]float32 {
	pt := func(i, j int) [3]float32 {
		th, ph := math.Pi*float64(i)/float64(lat), 2*math.Pi*float64(j)/float64(lon)
		return [3]float32{float32(10 * math.Sin(th) * math.Cos(ph)), float32(10 * math.Cos(th)), float32(10 * math.Sin(th) * math.Sin(ph))}
	}
	var out [][3][3]float32
	for i := 0; i < lat; i++ {
		for j := 0; j < lon; j++ {
			a, b, c, d := pt(i, j), pt(i+1, j), pt(i+1, j+1), pt(i, j+1)
			out = append(out, [3][3]float32{a, b, c}, [3][3]float32{a, c, d})
		}
	}
	return out
}

func stlOf(tris [][3][3]float32) []byte {
	var b bytes.Buffer
	b.Write(make([]byte, 80))
	binary.Write(&b, binary.LittleEndian, uint32(len(tris)))
	for _, t := range tris {
		b.Write(make([]byte, 12))
		binary.Write(&b, binary.LittleEndian, t)
		b.Write([]byte{0, 0})
	}
	return b.Bytes()
}

// glbOf writes the triangles as a GLB: unindexed positions in the BIN
// chunk, one node.
func glbOf(tris [][3][3]float32) []byte {
	var bin bytes.Buffer
	binary.Write(&bin, binary.LittleEndian, tris)
	n := bin.Len()
	js := fmt.Sprintf(`{"asset":{"version":"2.0"},"scene":0,"scenes":[{"nodes":[0]}],"nodes":[{"mesh":0}],`+
		`"meshes":[{"primitives":[{"attributes":{"POSITION":0}}]}],`+
		`"accessors":[{"bufferView":0,"componentType":5126,"count":%d,"type":"VEC3"}],`+
		`"bufferViews":[{"buffer":0,"byteLength":%d}],"buffers":[{"byteLength":%d}]}`, 3*len(tris), n, n)
	for len(js)%4 != 0 {
		js += " "
	}
	var b bytes.Buffer
	le := binary.LittleEndian
	b.WriteString("glTF")
	binary.Write(&b, le, []uint32{2, uint32(12 + 8 + len(js) + 8 + n), uint32(len(js))})
	b.WriteString("JSON" + js)
	binary.Write(&b, le, uint32(n))
	b.WriteString("BIN\x00")
	b.Write(bin.Bytes())
	return b.Bytes()
}

func ffmpegVersion() string {
	out, err := exec.Command("ffmpeg", "-version").Output()
	if err != nil {
		return "no ffmpeg"
	}
	first, _, _ := strings.Cut(string(out), "\n")
	v, _, _ := strings.Cut(strings.TrimPrefix(first, "ffmpeg version "), " ")
	return "ffmpeg " + v
}
