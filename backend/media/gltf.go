package media

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// glTF 2.0 (https://registry.khronos.org/glTF/specs/2.0/glTF-2.0.html):
// a JSON scene whose meshes point, through accessors and buffer views,
// into binary buffers: a GLB's BIN chunk, data: URIs, or files beside a
// .gltf. Only what a render needs is read: the POSITION and indices of
// triangle primitives, placed by the scene's node transforms.

const (
	// maxGLTFJSON bounds the JSON part (a scene's description, without
	// its geometry; data: URIs inside it count too).
	maxGLTFJSON = 64 << 20
	// maxGLTFNodes bounds the node visits: a hostile file may share one
	// node among many parents (a DAG the spec forbids) and multiply them.
	maxGLTFNodes = 100_000
	// maxGLTFDepth bounds a node tree's depth (a cycle never ends).
	maxGLTFDepth = 64
	// maxGLTFRead bounds the geometry bytes read in all: a hostile file
	// may point many nodes at one huge accessor for a triangle each.
	maxGLTFRead = 1 << 30
)

type gltfDoc struct {
	Scene  *int `json:"scene"`
	Scenes []struct {
		Nodes []int `json:"nodes"`
	} `json:"scenes"`
	Nodes []struct {
		Mesh        *int      `json:"mesh"`
		Children    []int     `json:"children"`
		Matrix      []float64 `json:"matrix"`
		Translation []float64 `json:"translation"`
		Rotation    []float64 `json:"rotation"`
		Scale       []float64 `json:"scale"`
	} `json:"nodes"`
	Meshes []struct {
		Primitives []struct {
			Attributes map[string]int `json:"attributes"`
			Indices    *int           `json:"indices"`
			Mode       *int           `json:"mode"`
		} `json:"primitives"`
	} `json:"meshes"`
	Accessors []struct {
		BufferView    *int   `json:"bufferView"`
		ByteOffset    int64  `json:"byteOffset"`
		ComponentType int    `json:"componentType"`
		Count         int64  `json:"count"`
		Type          string `json:"type"`
	} `json:"accessors"`
	BufferViews []struct {
		Buffer     int   `json:"buffer"`
		ByteOffset int64 `json:"byteOffset"`
		ByteLength int64 `json:"byteLength"`
		ByteStride int64 `json:"byteStride"`
	} `json:"bufferViews"`
	Buffers []struct {
		URI        string `json:"uri"`
		ByteLength int64  `json:"byteLength"`
	} `json:"buffers"`
}

// gltfReader reads one glTF's geometry; buffers are opened as first used.
type gltfReader struct {
	ctx  context.Context
	lim  Limits
	doc  gltfDoc
	bin  io.ReaderAt // a GLB's BIN chunk
	nbin int64
	dir  string // the .gltf's folder: where its buffer files may be
	bufs []gltfBuffer
	add  func(...vec3) error
	// visits counts node visits against maxGLTFNodes; read, the bytes
	// read against maxGLTFRead.
	visits int
	read   int64
}

type gltfBuffer struct {
	r    io.ReaderAt
	size int64
	err  error
	done bool
	f    *os.File
}

// readGLTF reads a .glb (binary) or .gltf (JSON) at path from ra.
func readGLTF(ctx context.Context, ra io.ReaderAt, size int64, path string, glb bool, lim Limits, add func(...vec3) error) error {
	g := &gltfReader{ctx: ctx, lim: lim, add: add, dir: filepath.Dir(path)}
	defer g.close()
	var js []byte
	var err error
	if glb {
		js, err = g.readGLB(ra, size)
	} else {
		if size > maxGLTFJSON {
			return fmt.Errorf("%w: JSON of %d bytes", ErrTooManyPixels, size)
		}
		js = make([]byte, size)
		_, err = ra.ReadAt(js, 0)
		if errors.Is(err, io.EOF) {
			err = nil
		}
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(js, &g.doc); err != nil {
		return fmt.Errorf("%w: json: %v", ErrCorrupt, err)
	}
	g.bufs = make([]gltfBuffer, len(g.doc.Buffers))
	return g.walk()
}

// readGLB checks the 12-byte header and returns the JSON chunk; the BIN
// chunk after it, if any, is kept as a section of the file.
func (g *gltfReader) readGLB(ra io.ReaderAt, size int64) ([]byte, error) {
	var h [20]byte
	if _, err := ra.ReadAt(h[:], 0); err != nil {
		return nil, fmt.Errorf("%w: short header", ErrCorrupt)
	}
	le := binary.LittleEndian
	if string(h[:4]) != "glTF" || le.Uint32(h[4:]) != 2 {
		return nil, fmt.Errorf("%w: not a glTF 2 binary", ErrCorrupt)
	}
	total := min(int64(le.Uint32(h[8:])), size)
	jlen, jtype := int64(le.Uint32(h[12:])), le.Uint32(h[16:])
	if jtype != 0x4E4F534A || 20+jlen > total {
		return nil, fmt.Errorf("%w: bad JSON chunk", ErrCorrupt)
	}
	if jlen > maxGLTFJSON {
		return nil, fmt.Errorf("%w: JSON chunk of %d bytes", ErrTooManyPixels, jlen)
	}
	js := make([]byte, jlen)
	if _, err := ra.ReadAt(js, 20); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	next := 20 + (jlen+3)&^3
	var c [8]byte
	if next+8 <= total {
		if _, err := ra.ReadAt(c[:], next); err == nil && le.Uint32(c[4:]) == 0x004E4942 {
			n := min(int64(le.Uint32(c[:])), total-next-8)
			g.bin, g.nbin = io.NewSectionReader(ra, next+8, n), n
		}
	}
	return js, nil
}

func (g *gltfReader) close() {
	for _, b := range g.bufs {
		if b.f != nil {
			b.f.Close()
		}
	}
}

// buffer opens buffer i: the GLB's BIN chunk (no URI), a data: URI, or a
// plain file name in the .gltf's own folder (never a path, never a link:
// a model must not read files elsewhere).
func (g *gltfReader) buffer(i int) (io.ReaderAt, int64, error) {
	if i < 0 || i >= len(g.bufs) {
		return nil, 0, fmt.Errorf("%w: buffer %d missing", ErrCorrupt, i)
	}
	b := &g.bufs[i]
	if b.done {
		return b.r, b.size, b.err
	}
	b.done = true
	uri := g.doc.Buffers[i].URI
	switch {
	case uri == "":
		if g.bin == nil {
			b.err = fmt.Errorf("%w: buffer %d has no data", ErrCorrupt, i)
		}
		b.r, b.size = g.bin, g.nbin
	case strings.HasPrefix(uri, "data:"):
		_, enc, ok := strings.Cut(uri, ";base64,")
		if !ok {
			b.err = fmt.Errorf("%w: buffer %d: data URI not base64", ErrUnsupported, i)
			break
		}
		data, err := base64.StdEncoding.DecodeString(enc)
		if err != nil {
			b.err = fmt.Errorf("%w: buffer %d: %v", ErrCorrupt, i, err)
			break
		}
		b.r, b.size = bytes.NewReader(data), int64(len(data))
	default:
		b.r, b.size, b.f, b.err = g.sibling(uri)
		if b.err != nil {
			b.err = fmt.Errorf("buffer %d: %w", i, b.err)
		}
	}
	return b.r, b.size, b.err
}

var errBufferPath = errors.New("buffer is not a plain file beside the model")

func (g *gltfReader) sibling(uri string) (io.ReaderAt, int64, *os.File, error) {
	name, err := url.PathUnescape(uri)
	if err != nil || name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\:`) || filepath.Base(name) != name {
		return nil, 0, nil, fmt.Errorf("%w: %w: %q", ErrUnsupported, errBufferPath, uri)
	}
	p := filepath.Join(g.dir, name)
	st, err := os.Lstat(p)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	if !st.Mode().IsRegular() { // a symlink may lead out of the library
		return nil, 0, nil, fmt.Errorf("%w: %w: %q", ErrUnsupported, errBufferPath, uri)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	// The name may have been swapped for a link between the two looks.
	if fst, err := f.Stat(); err != nil || !os.SameFile(st, fst) {
		f.Close()
		return nil, 0, nil, fmt.Errorf("%w: %w: %q changed", ErrUnsupported, errBufferPath, uri)
	}
	return f, st.Size(), f, nil
}

type mat4 [16]float64 // column-major, as glTF writes it

var ident = mat4{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}

func (a mat4) mul(b mat4) mat4 {
	var c mat4
	for col := 0; col < 4; col++ {
		for row := 0; row < 4; row++ {
			var s float64
			for k := 0; k < 4; k++ {
				s += a[k*4+row] * b[col*4+k]
			}
			c[col*4+row] = s
		}
	}
	return c
}

func (a mat4) apply(p vec3) vec3 {
	return vec3{
		a[0]*p[0] + a[4]*p[1] + a[8]*p[2] + a[12],
		a[1]*p[0] + a[5]*p[1] + a[9]*p[2] + a[13],
		a[2]*p[0] + a[6]*p[1] + a[10]*p[2] + a[14],
	}
}

// local is node n's transform: its matrix, else T·R·S.
func (g *gltfReader) local(n int) mat4 {
	nd := g.doc.Nodes[n]
	if len(nd.Matrix) == 16 {
		var m mat4
		copy(m[:], nd.Matrix)
		return m
	}
	m := ident
	if t := nd.Translation; len(t) == 3 {
		m[12], m[13], m[14] = t[0], t[1], t[2]
	}
	if q := nd.Rotation; len(q) == 4 {
		x, y, z, w := q[0], q[1], q[2], q[3]
		r := mat4{
			1 - 2*(y*y+z*z), 2 * (x*y + z*w), 2 * (x*z - y*w), 0,
			2 * (x*y - z*w), 1 - 2*(x*x+z*z), 2 * (y*z + x*w), 0,
			2 * (x*z + y*w), 2 * (y*z - x*w), 1 - 2*(x*x+y*y), 0,
			0, 0, 0, 1,
		}
		m = m.mul(r)
	}
	if s := nd.Scale; len(s) == 3 {
		m = m.mul(mat4{s[0], 0, 0, 0, 0, s[1], 0, 0, 0, 0, s[2], 0, 0, 0, 0, 1})
	}
	return m
}

// walk draws the default scene's nodes (else the first scene's), or every
// mesh as it stands when the file has no scene.
func (g *gltfReader) walk() error {
	d := &g.doc
	if len(d.Scenes) == 0 {
		for i := range d.Meshes {
			if err := g.mesh(i, ident); err != nil {
				return err
			}
		}
		return nil
	}
	s := 0
	if d.Scene != nil {
		s = *d.Scene
	}
	if s < 0 || s >= len(d.Scenes) {
		return fmt.Errorf("%w: scene %d missing", ErrCorrupt, s)
	}
	for _, n := range d.Scenes[s].Nodes {
		if err := g.node(n, ident, 0); err != nil {
			return err
		}
	}
	return nil
}

func (g *gltfReader) node(n int, parent mat4, depth int) error {
	if n < 0 || n >= len(g.doc.Nodes) {
		return fmt.Errorf("%w: node %d missing", ErrCorrupt, n)
	}
	if g.visits++; g.visits > maxGLTFNodes || depth > maxGLTFDepth {
		return fmt.Errorf("%w: node graph over %d visits or %d deep", ErrTooManyPixels, maxGLTFNodes, maxGLTFDepth)
	}
	if err := g.ctx.Err(); err != nil {
		return err
	}
	m := parent.mul(g.local(n))
	if nd := g.doc.Nodes[n]; nd.Mesh != nil {
		if err := g.mesh(*nd.Mesh, m); err != nil {
			return err
		}
	}
	for _, c := range g.doc.Nodes[n].Children {
		if err := g.node(c, m, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (g *gltfReader) mesh(i int, m mat4) error {
	if i < 0 || i >= len(g.doc.Meshes) {
		return fmt.Errorf("%w: mesh %d missing", ErrCorrupt, i)
	}
	for _, p := range g.doc.Meshes[i].Primitives {
		if p.Mode != nil && *p.Mode != 4 {
			continue // points, lines, strips and fans: not drawn
		}
		pos, ok := p.Attributes["POSITION"]
		if !ok {
			continue
		}
		if err := g.primitive(pos, p.Indices, m); err != nil {
			return err
		}
	}
	return nil
}

// accessor reads accessor a's bytes, each of its count elements packed
// to elem bytes, after checking them against its buffer view, the view
// against its buffer, and the count against the triangle cap — all before
// anything is allocated.
func (g *gltfReader) accessor(a int, wantType string, comps map[int]int) (data []byte, count int64, elem int, ctype int, release func(), err error) {
	if a < 0 || a >= len(g.doc.Accessors) {
		return nil, 0, 0, 0, nil, fmt.Errorf("%w: accessor %d missing", ErrCorrupt, a)
	}
	acc := g.doc.Accessors[a]
	size, ok := comps[acc.ComponentType]
	if acc.Type != wantType || !ok {
		return nil, 0, 0, 0, nil, fmt.Errorf("%w: accessor %d is %s of component %d", ErrUnsupported, a, acc.Type, acc.ComponentType)
	}
	elem = size
	if wantType == "VEC3" {
		elem = 3 * size
	}
	if acc.Count <= 0 || acc.Count > 3*maxTriangles {
		return nil, 0, 0, 0, nil, fmt.Errorf("%w: accessor %d counts %d", ErrTooManyPixels, a, acc.Count)
	}
	if acc.BufferView == nil || *acc.BufferView < 0 || *acc.BufferView >= len(g.doc.BufferViews) {
		return nil, 0, 0, 0, nil, fmt.Errorf("%w: accessor %d has no buffer view", ErrUnsupported, a)
	}
	bv := g.doc.BufferViews[*acc.BufferView]
	stride := int64(elem)
	if bv.ByteStride != 0 {
		stride = bv.ByteStride
	}
	const big = 1 << 40
	if bv.ByteOffset < 0 || bv.ByteLength < 0 || bv.ByteOffset > big || bv.ByteLength > big || acc.ByteOffset < 0 || acc.ByteOffset > big ||
		stride < int64(elem) || stride > 252 {
		return nil, 0, 0, 0, nil, fmt.Errorf("%w: accessor %d: bad offsets or stride", ErrCorrupt, a)
	}
	span := acc.ByteOffset + stride*(acc.Count-1) + int64(elem)
	if span > bv.ByteLength {
		return nil, 0, 0, 0, nil, fmt.Errorf("%w: accessor %d runs past its buffer view", ErrCorrupt, a)
	}
	r, bsize, err := g.buffer(bv.Buffer)
	if err != nil {
		return nil, 0, 0, 0, nil, err
	}
	if bv.ByteOffset+bv.ByteLength > bsize {
		return nil, 0, 0, 0, nil, fmt.Errorf("%w: buffer view runs past buffer %d", ErrCorrupt, bv.Buffer)
	}
	if g.read += span; g.read > maxGLTFRead {
		return nil, 0, 0, 0, nil, fmt.Errorf("%w: over %s of geometry read", ErrTooManyPixels, mib(maxGLTFRead))
	}
	release, err = reserve(g.ctx, span+acc.Count*int64(elem), g.lim.MaxDecodeBytes, "a glTF accessor")
	if err != nil {
		return nil, 0, 0, 0, nil, err
	}
	raw := make([]byte, span-acc.ByteOffset)
	if _, err := r.ReadAt(raw, bv.ByteOffset+acc.ByteOffset); err != nil && !(errors.Is(err, io.EOF)) {
		release()
		return nil, 0, 0, 0, nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	data = raw
	if stride != int64(elem) { // pack the elements
		data = make([]byte, acc.Count*int64(elem))
		for k := int64(0); k < acc.Count; k++ {
			copy(data[k*int64(elem):(k+1)*int64(elem)], raw[k*stride:])
		}
	}
	return data, acc.Count, elem, acc.ComponentType, release, nil
}

func (g *gltfReader) primitive(posAcc int, idxAcc *int, m mat4) error {
	pos, nv, _, _, relP, err := g.accessor(posAcc, "VEC3", map[int]int{5126: 4})
	if err != nil {
		return err
	}
	defer relP()
	le := binary.LittleEndian
	vert := func(i int64) (vec3, error) {
		var p vec3
		for k := 0; k < 3; k++ {
			p[k] = float64(math.Float32frombits(le.Uint32(pos[i*12+int64(4*k):])))
		}
		if !finite(p[:]...) {
			return p, errors.New("a vertex is not a finite number")
		}
		return m.apply(p), nil
	}
	index := func(k int64) int64 { return k }
	n := nv
	if idxAcc != nil {
		idx, ni, size, _, relI, err := g.accessor(*idxAcc, "SCALAR", map[int]int{5121: 1, 5123: 2, 5125: 4})
		if err != nil {
			return err
		}
		defer relI()
		n = ni
		switch size {
		case 1:
			index = func(k int64) int64 { return int64(idx[k]) }
		case 2:
			index = func(k int64) int64 { return int64(le.Uint16(idx[2*k:])) }
		default:
			index = func(k int64) int64 { return int64(le.Uint32(idx[4*k:])) }
		}
	}
	for k := int64(0); k+2 < n; k += 3 {
		if k%(3<<12) == 0 {
			if err := g.ctx.Err(); err != nil {
				return err
			}
		}
		var v [3]vec3
		for j := int64(0); j < 3; j++ {
			i := index(k + j)
			if i >= nv {
				return fmt.Errorf("%w: index %d past %d vertices", ErrCorrupt, i, nv)
			}
			if v[j], err = vert(i); err != nil {
				return err
			}
		}
		if err := g.add(v[:]...); err != nil {
			return err
		}
	}
	return nil
}
