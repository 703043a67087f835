package media

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/tagsight/tagsight/backend/facts"
)

// modelDecoder reads 3D models and draws them once, in Go: a shaded
// render from a three-quarter view above, the model fitted to the
// picture (a small software rasteriser: z-buffer, Lambert shading).
type modelDecoder struct{}

func (modelDecoder) Kind() string { return "model" }
func (modelDecoder) Applies(mediaType, format string) bool {
	return mediaType == TypeModel && (format == "" || format == "stl" || format == "obj" || format == "3mf" || format == "glb" || format == "gltf")
}

// maxTriangles bounds a model (a 3D scan may have tens of millions);
// each costs 36 bytes held while it is drawn.
const maxTriangles = 10_000_000

// modelRender is the side of the square render when nothing smaller is
// enough.
const modelRender = 512

type vec3 [3]float64

// zUp says whether a model format's vertical axis is Z (STL, 3MF), where
// OBJ and glTF are Y up as the renderer is.
func zUp(format string) bool { return format == "stl" || format == "3mf" }

// mesh is a model's triangles (3 vertices each), Y up.
type mesh struct {
	tris    []float32
	release func()
}

func (m *mesh) count() int { return len(m.tris) / 9 }

func (s *Source) mesh(ctx context.Context, lim Limits) (*mesh, error) {
	if s.mesh3d != nil || s.meshErr != nil {
		return s.mesh3d, s.meshErr
	}
	info, err := s.Probe(ctx, lim)
	if err != nil {
		return nil, err
	}
	ctx, cancel := withDeadline(ctx, lim)
	defer cancel()
	ra, size, err := s.sourceReaderAt()
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	if size == 0 {
		return nil, fmt.Errorf("model: %w: %w", ErrUnsupported, ErrEmpty)
	}
	if size > lim.MaxFileBytes {
		return nil, fmt.Errorf("model: %w: file exceeds %d bytes", ErrTooManyPixels, lim.MaxFileBytes)
	}
	m := &mesh{release: func() {}}
	add := func(v ...vec3) error {
		if len(m.tris)/9 >= maxTriangles {
			return fmt.Errorf("%w: over %d triangles", ErrTooManyPixels, maxTriangles)
		}
		if len(m.tris) == cap(m.tris) { // grow under the budget
			n := max(1024, 2*cap(m.tris))
			rel, err := reserve(ctx, int64(n)*4, lim.MaxDecodeBytes, "a 3D model")
			if err != nil {
				return err
			}
			grown := make([]float32, len(m.tris), n)
			copy(grown, m.tris)
			old := m.release
			m.tris, m.release = grown, rel
			old()
		}
		for _, p := range v {
			if zUp(info.Format) {
				p = vec3{p[0], p[2], -p[1]}
			}
			m.tris = append(m.tris, float32(p[0]), float32(p[1]), float32(p[2]))
		}
		return nil
	}
	r := &ctxReader{ctx: ctx, r: io.NewSectionReader(ra, 0, size)}
	switch info.Format {
	case "stl":
		err = readSTL(r, size, add)
	case "obj":
		err = readOBJ(r, add)
	case "glb", "gltf":
		err = readGLTF(ctx, ra, size, s.Path, info.Format == "glb", lim, add)
	case "3mf":
		var a *archive
		if a, err = listZip(ra, size); err == nil {
			err = read3MF(ctx, a, lim, add)
		}
	default:
		err = fmt.Errorf("%w: %s", ErrUnsupported, info.Format)
	}
	if err == nil && m.count() == 0 {
		err = fmt.Errorf("%w: no triangles", ErrCorrupt)
	}
	if err != nil {
		m.release()
		s.meshErr = fmt.Errorf("model %s: %w", info.Format, wrapCorrupt(err))
		return nil, s.meshErr
	}
	s.mesh3d = m
	return m, nil
}

func (modelDecoder) Facts(ctx context.Context, src *Source, lim Limits) (facts.Facts, error) {
	m, err := src.mesh(ctx, lim)
	if err != nil {
		return facts.Facts{}, err
	}
	lo, hi := m.bounds()
	// Back in the file's own axes (Z up for STL and 3MF).
	f := facts.Facts{Triangles: m.count(), SizeX: hi[0] - lo[0], SizeY: hi[1] - lo[1], SizeZ: hi[2] - lo[2]}
	if info, _ := src.Probe(ctx, lim); zUp(info.Format) {
		f.SizeY, f.SizeZ = f.SizeZ, f.SizeY
	}
	round := func(v float64) float64 { return math.Round(v*1e4) / 1e4 }
	f.SizeX, f.SizeY, f.SizeZ = round(f.SizeX), round(f.SizeY), round(f.SizeZ)
	return f, nil
}

func (m *mesh) bounds() (lo, hi vec3) {
	lo, hi = vec3{math.Inf(1), math.Inf(1), math.Inf(1)}, vec3{math.Inf(-1), math.Inf(-1), math.Inf(-1)}
	for i := 0; i+2 < len(m.tris); i += 3 {
		for k := 0; k < 3; k++ {
			v := float64(m.tris[i+k])
			lo[k], hi[k] = min(lo[k], v), max(hi[k], v)
		}
	}
	return lo, hi
}

// Poster draws the model (its triangles are held until the Source is
// closed).
func (modelDecoder) Poster(ctx context.Context, src *Source, lim Limits, enough func(w, h int) bool) (*image.RGBA, error) {
	m, err := src.mesh(ctx, lim)
	if err != nil {
		return nil, err
	}
	side, _ := posterSize(modelRender, modelRender, enough)
	release, err := reserve(ctx, rgbaBytes(side, side)*2, lim.MaxDecodeBytes, "a 3D render")
	if err != nil {
		return nil, err
	}
	defer release()
	return renderMesh(m, side), nil
}

// renderMesh draws the mesh orthographically from 45° round and 30°
// above, fitted to a side×side picture on a light background.
func renderMesh(m *mesh, side int) *image.RGBA {
	lo, hi := m.bounds()
	c := vec3{(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, (lo[2] + hi[2]) / 2}
	yaw, pitch := math.Pi/4, math.Pi/6
	cy, sy, cp, sp := math.Cos(yaw), math.Sin(yaw), math.Cos(pitch), math.Sin(pitch)
	view := func(i int) vec3 {
		x, y, z := float64(m.tris[i])-c[0], float64(m.tris[i+1])-c[1], float64(m.tris[i+2])-c[2]
		x, z = x*cy-z*sy, x*sy+z*cy // round the vertical axis
		y, z = y*cp-z*sp, y*sp+z*cp // tip towards the viewer: we look from above
		return vec3{x, y, z}
	}
	pts := make([]vec3, m.count()*3)
	var minX, maxX, minY, maxY = math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for i := range pts {
		p := view(i * 3)
		pts[i] = p
		minX, maxX, minY, maxY = min(minX, p[0]), max(maxX, p[0]), min(minY, p[1]), max(maxY, p[1])
	}
	ext := max(maxX-minX, maxY-minY, 1e-12)
	scale := 0.9 * float64(side) / ext
	cx, cyy := (minX+maxX)/2, (minY+maxY)/2
	for i := range pts {
		pts[i][0] = (pts[i][0]-cx)*scale + float64(side)/2
		pts[i][1] = float64(side)/2 - (pts[i][1]-cyy)*scale
	}
	img := image.NewRGBA(image.Rect(0, 0, side, side))
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = 244, 244, 244, 255
	}
	zbuf := make([]float32, side*side)
	for i := range zbuf {
		zbuf[i] = float32(math.Inf(-1))
	}
	light := normalize(vec3{-0.4, 0.6, 0.7})
	for t := 0; t+2 < len(pts); t += 3 {
		a, b, cc := pts[t], pts[t+1], pts[t+2]
		// The normal from the view-space triangle (before the screen's y
		// flip); either winding is lit, as files disagree on it.
		n := normalize(cross(sub(view(3*(t+1)), view(3*t)), sub(view(3*(t+2)), view(3*t))))
		shade := 0.25 + 0.75*math.Abs(dot(n, light))
		col := [3]float64{150 * shade, 170 * shade, 200 * shade}
		x0, x1 := max(0, int(math.Floor(min(a[0], b[0], cc[0])))), min(side-1, int(math.Ceil(max(a[0], b[0], cc[0]))))
		y0, y1 := max(0, int(math.Floor(min(a[1], b[1], cc[1])))), min(side-1, int(math.Ceil(max(a[1], b[1], cc[1]))))
		area := (b[0]-a[0])*(cc[1]-a[1]) - (b[1]-a[1])*(cc[0]-a[0])
		if area == 0 || math.IsNaN(area) {
			continue
		}
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				px, py := float64(x)+0.5, float64(y)+0.5
				w0 := ((b[0]-px)*(cc[1]-py) - (b[1]-py)*(cc[0]-px)) / area
				w1 := ((cc[0]-px)*(a[1]-py) - (cc[1]-py)*(a[0]-px)) / area
				w2 := 1 - w0 - w1
				if w0 < 0 || w1 < 0 || w2 < 0 {
					continue
				}
				z := float32(w0*a[2] + w1*b[2] + w2*cc[2])
				if z <= zbuf[y*side+x] {
					continue
				}
				zbuf[y*side+x] = z
				o := img.PixOffset(x, y)
				img.Pix[o], img.Pix[o+1], img.Pix[o+2] = uint8(col[0]), uint8(col[1]), uint8(col[2])
			}
		}
	}
	return img
}

func sub(a, b vec3) vec3    { return vec3{a[0] - b[0], a[1] - b[1], a[2] - b[2]} }
func dot(a, b vec3) float64 { return a[0]*b[0] + a[1]*b[1] + a[2]*b[2] }
func cross(a, b vec3) vec3 {
	return vec3{a[1]*b[2] - a[2]*b[1], a[2]*b[0] - a[0]*b[2], a[0]*b[1] - a[1]*b[0]}
}
func normalize(a vec3) vec3 {
	l := math.Sqrt(dot(a, a))
	if l == 0 || math.IsNaN(l) {
		return vec3{}
	}
	return vec3{a[0] / l, a[1] / l, a[2] / l}
}

func finite(v ...float64) bool {
	for _, x := range v {
		if math.IsNaN(x) || math.IsInf(x, 0) || math.Abs(x) > 1e15 {
			return false
		}
	}
	return true
}

// readSTL reads binary STL (80-byte header, count, 50 bytes a triangle:
// the size must match) or ASCII STL ("vertex x y z" lines).
func readSTL(r io.Reader, size int64, add func(...vec3) error) error {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(84)
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if len(head) == 84 && 84+50*int64(binary.LittleEndian.Uint32(head[80:])) == size {
		br.Discard(84)
		n := int(binary.LittleEndian.Uint32(head[80:]))
		rec := make([]byte, 50)
		for i := 0; i < n; i++ {
			if _, err := io.ReadFull(br, rec); err != nil {
				return err
			}
			var v [3]vec3
			for k := 0; k < 9; k++ {
				v[k/3][k%3] = float64(math.Float32frombits(binary.LittleEndian.Uint32(rec[12+4*k:])))
			}
			if !finite(v[0][:]...) || !finite(v[1][:]...) || !finite(v[2][:]...) {
				return errors.New("a vertex is not a finite number")
			}
			if err := add(v[0], v[1], v[2]); err != nil {
				return err
			}
		}
		return nil
	}
	if !bytes.HasPrefix(bytes.TrimLeft(head, " \t\r\n"), []byte("solid")) {
		return errors.New("neither binary nor ASCII STL")
	}
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 4096), 1<<20)
	var v []vec3
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) == 4 && fs[0] == "vertex" {
			p, err := parseVec(fs[1:])
			if err != nil {
				return err
			}
			if v = append(v, p); len(v) == 3 {
				if err := add(v...); err != nil {
					return err
				}
				v = v[:0]
			}
		} else if len(fs) > 0 && fs[0] == "endloop" {
			v = v[:0]
		}
	}
	return sc.Err()
}

func parseVec(fs []string) (vec3, error) {
	var p vec3
	for k := 0; k < 3; k++ {
		x, err := strconv.ParseFloat(fs[k], 64)
		if err != nil || !finite(x) {
			return p, fmt.Errorf("bad coordinate %q", fs[k])
		}
		p[k] = x
	}
	return p, nil
}

// readOBJ reads Wavefront OBJ's vertices ("v x y z") and faces ("f a b
// c …", 1-based or negative indices, "i/t/n" forms), fans of triangles.
func readOBJ(r io.Reader, add func(...vec3) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 1<<20)
	var verts []vec3
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) == 0 {
			continue
		}
		switch fs[0] {
		case "v":
			if len(fs) < 4 {
				return errors.New("short vertex")
			}
			if len(verts) >= 3*maxTriangles {
				return fmt.Errorf("%w: too many vertices", ErrTooManyPixels)
			}
			p, err := parseVec(fs[1:4])
			if err != nil {
				return err
			}
			verts = append(verts, p)
		case "f":
			idx := make([]int, 0, len(fs)-1)
			for _, f := range fs[1:] {
				s, _, _ := strings.Cut(f, "/")
				i, err := strconv.Atoi(s)
				if err != nil {
					return fmt.Errorf("bad face index %q", f)
				}
				if i < 0 {
					i += len(verts) + 1
				}
				if i < 1 || i > len(verts) {
					return fmt.Errorf("face index %d out of range", i)
				}
				idx = append(idx, i-1)
			}
			for k := 2; k < len(idx); k++ {
				if err := add(verts[idx[0]], verts[idx[k-1]], verts[idx[k]]); err != nil {
					return err
				}
			}
		}
	}
	return sc.Err()
}

// read3MF reads the vertices and triangles of each mesh in
// 3D/3dmodel.model (components and build transforms are not applied).
func read3MF(ctx context.Context, a *archive, lim Limits, add func(...vec3) error) error {
	m := a.find("3D/3dmodel.model")
	if m == nil {
		return fmt.Errorf("%w: no 3D/3dmodel.model", ErrCorrupt)
	}
	if err := checkMember(*m, lim); err != nil {
		return err
	}
	rc, err := m.open()
	if err != nil {
		return err
	}
	defer rc.Close()
	d := xml.NewDecoder(&ctxReader{ctx: ctx, r: rc, max: lim.MaxFileBytes})
	var verts []vec3
	attr := func(e xml.StartElement, name string) string {
		for _, a := range e.Attr {
			if a.Name.Local == name {
				return a.Value
			}
		}
		return ""
	}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		e, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch e.Name.Local {
		case "mesh":
			verts = verts[:0]
		case "vertex":
			if len(verts) >= 3*maxTriangles {
				return fmt.Errorf("%w: too many vertices", ErrTooManyPixels)
			}
			p, err := parseVec([]string{attr(e, "x"), attr(e, "y"), attr(e, "z")})
			if err != nil {
				return err
			}
			verts = append(verts, p)
		case "triangle":
			var v [3]vec3
			for k, n := range []string{"v1", "v2", "v3"} {
				i, err := strconv.Atoi(attr(e, n))
				if err != nil || i < 0 || i >= len(verts) {
					return fmt.Errorf("bad triangle index %q", attr(e, n))
				}
				v[k] = verts[i]
			}
			if err := add(v[:]...); err != nil {
				return err
			}
		}
	}
}
