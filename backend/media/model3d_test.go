package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"testing"
)

// cubeTris are the 12 triangles of an axis-aligned cube from 0 to s
// (two per face), written out by hand.
func cubeTris(s float64) [][3][3]float64 {
	v := func(i int) [3]float64 { // corner i: bit 0 x, bit 1 y, bit 2 z
		return [3]float64{float64(i&1) * s, float64(i>>1&1) * s, float64(i>>2&1) * s}
	}
	faces := [][4]int{{0, 1, 3, 2}, {4, 6, 7, 5}, {0, 4, 5, 1}, {2, 3, 7, 6}, {0, 2, 6, 4}, {1, 5, 7, 3}}
	var out [][3][3]float64
	for _, f := range faces {
		out = append(out, [3][3]float64{v(f[0]), v(f[1]), v(f[2])}, [3][3]float64{v(f[0]), v(f[2]), v(f[3])})
	}
	return out
}

func binarySTL(tris [][3][3]float64) []byte {
	var b bytes.Buffer
	b.Write(make([]byte, 80))
	binary.Write(&b, binary.LittleEndian, uint32(len(tris)))
	for _, t := range tris {
		b.Write(make([]byte, 12)) // normal: readers recompute it
		for _, p := range t {
			for _, x := range p {
				binary.Write(&b, binary.LittleEndian, float32(x))
			}
		}
		b.Write([]byte{0, 0})
	}
	return b.Bytes()
}

func asciiSTL(tris [][3][3]float64) []byte {
	var b strings.Builder
	b.WriteString("solid cube\n")
	for _, t := range tris {
		b.WriteString(" facet normal 0 0 0\n  outer loop\n")
		for _, p := range t {
			fmt.Fprintf(&b, "   vertex %g %g %g\n", p[0], p[1], p[2])
		}
		b.WriteString("  endloop\n endfacet\n")
	}
	b.WriteString("endsolid cube\n")
	return []byte(b.String())
}

// objCube: 8 vertices, 6 quads (fanned into 12 triangles), the "v/t/n"
// index form and a negative index.
const objCube = `# cube
v 0 0 0
v 20 0 0
v 0 20 0
v 20 20 0
v 0 0 20
v 20 0 20
v 0 20 20
v 20 20 20
f 1/1/1 2/1/1 4/1/1 3/1/1
f 5 7 8 6
f 1 5 6 2
f 3 4 8 7
f 1 3 7 5
f 2 6 8 -5
`

func threeMF(t testing.TB) []byte {
	var m strings.Builder
	m.WriteString(`<?xml version="1.0"?><model unit="millimeter" xmlns="http://schemas.microsoft.com/3dmanufacturing/core/2015/02"><resources><object id="1" type="model"><mesh><vertices>`)
	for i := 0; i < 8; i++ {
		fmt.Fprintf(&m, `<vertex x="%d" y="%d" z="%d"/>`, (i&1)*20, (i>>1&1)*20, (i>>2&1)*20)
	}
	m.WriteString(`</vertices><triangles>`)
	for _, f := range [][4]int{{0, 1, 3, 2}, {4, 6, 7, 5}, {0, 4, 5, 1}, {2, 3, 7, 6}, {0, 2, 6, 4}, {1, 5, 7, 3}} {
		fmt.Fprintf(&m, `<triangle v1="%d" v2="%d" v3="%d"/><triangle v1="%d" v2="%d" v3="%d"/>`, f[0], f[1], f[2], f[0], f[2], f[3])
	}
	m.WriteString(`</triangles></mesh></object></resources><build><item objectid="1"/></build></model>`)
	return zipBytes(t, part{"[Content_Types].xml", []byte("<Types/>")}, part{"3D/3dmodel.model", []byte(m.String())})
}

// TestModelRender: a 20 mm cube in each format has 12 triangles, a
// 20×20×20 box, and a render whose centre is shaded (the cube) and whose
// corners are the background, with more than one shade (faces lit
// differently from the three-quarter view).
func TestModelRender(t *testing.T) {
	dir := t.TempDir()
	files := map[string][]byte{
		"bin.stl":   binarySTL(cubeTris(20)),
		"ascii.stl": asciiSTL(cubeTris(20)),
		"cube.obj":  []byte(objCube),
		"cube.3mf":  threeMF(t),
	}
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			src := NewSource(writeFile(t, dir, name, data), nil)
			defer src.Close()
			f, err := src.Facts(context.Background(), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if f.Triangles != 12 || f.SizeX != 20 || f.SizeY != 20 || f.SizeZ != 20 {
				t.Errorf("facts %+v, want 12 triangles, 20×20×20", f)
			}
			img, info, err := src.Poster(context.Background(), Limits{}, func(w, h int) bool { return w >= 256 })
			if err != nil {
				t.Fatal(err)
			}
			b := img.Bounds()
			if info.MediaType != TypeModel || b.Dx() != 256 || b.Dy() != 256 {
				t.Fatalf("%s %v", info.MediaType, b)
			}
			bg := img.At(0, 0)
			for _, p := range [][2]int{{2, 2}, {253, 2}, {2, 253}, {253, 253}} {
				if img.At(p[0], p[1]) != bg {
					t.Errorf("corner %v is %v, not the background %v", p, img.At(p[0], p[1]), bg)
				}
			}
			if img.At(128, 128) == bg {
				t.Error("the centre is background: nothing drawn")
			}
			shades := map[[3]uint8]int{}
			for y := 0; y < 256; y += 4 {
				for x := 0; x < 256; x += 4 {
					o := img.PixOffset(x, y)
					shades[[3]uint8{img.Pix[o], img.Pix[o+1], img.Pix[o+2]}]++
				}
			}
			if len(shades) < 3 { // the background and at least two lit faces
				t.Errorf("%d shades: %v", len(shades), shades)
			}
			// The cube fills most of the render (fitted): more than a
			// third of the samples are not background.
			r, g, bl, _ := bg.RGBA()
			if n := shades[[3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8)}]; n > 2*64*64/3 {
				t.Errorf("%d of %d samples are background: not fitted", n, 64*64)
			}
		})
	}
}

func TestModelHostile(t *testing.T) {
	dir := t.TempDir()
	big := binarySTL(cubeTris(1))
	binary.LittleEndian.PutUint32(big[80:], 1<<30) // claims a billion triangles: the size does not match
	nan := binarySTL(cubeTris(1))
	binary.LittleEndian.PutUint32(nan[84+12:], math.Float32bits(float32(math.NaN())))
	for name, data := range map[string][]byte{
		"claims.stl": big, "nan.stl": nan, "bad.obj": []byte("v 0 0 0\nf 1 2 3\n"),
		"none.3mf": zipBytes(t, part{"a.txt", nil}), "text.stl": []byte("hello"),
	} {
		src := NewSource(writeFile(t, dir, name, data), nil)
		if _, err := src.Facts(context.Background(), Limits{}); err == nil {
			t.Errorf("%s: no error", name)
		}
		src.Close()
	}
}

func FuzzModel(f *testing.F) {
	f.Add(binarySTL(cubeTris(1)), "a.stl")
	f.Add(asciiSTL(cubeTris(1)), "a.stl")
	f.Add([]byte(objCube), "a.obj")
	f.Add(threeMF(f), "a.3mf")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		if name != "a.stl" && name != "a.obj" && name != "a.3mf" {
			return
		}
		src := NewSource(name, data)
		defer src.Close()
		lim := Limits{MaxFileBytes: 1 << 20, MaxDecodeBytes: 64 << 20}
		src.Facts(context.Background(), lim)
		src.Poster(context.Background(), lim, func(w, h int) bool { return w >= 32 })
	})
}
