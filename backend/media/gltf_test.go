package media

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// gltfCube is a 20-unit cube as glTF stores it, written from the spec by
// hand: 8 corners (float32 VEC3) and 36 uint16 indices, two triangles a
// face, in one buffer (positions, then indices).
func gltfCube() []byte {
	var b bytes.Buffer
	for i := 0; i < 8; i++ { // corner i: bit 0 x, bit 1 y, bit 2 z
		for _, x := range []float32{float32(i & 1), float32(i >> 1 & 1), float32(i >> 2 & 1)} {
			binary.Write(&b, binary.LittleEndian, 20*x)
		}
	}
	for _, f := range [][4]uint16{{0, 1, 3, 2}, {4, 6, 7, 5}, {0, 4, 5, 1}, {2, 3, 7, 6}, {0, 2, 6, 4}, {1, 5, 7, 3}} {
		binary.Write(&b, binary.LittleEndian, []uint16{f[0], f[1], f[2], f[0], f[2], f[3]})
	}
	return b.Bytes() // 96 + 72 bytes
}

// gltfJSON describes gltfCube's buffer (uri "" for a GLB's BIN chunk)
// drawn by the given nodes (a scene of nodes 0..n-1).
func gltfJSON(uri string, nodes string) string {
	u := ""
	if uri != "" {
		u = fmt.Sprintf(`"uri":%q,`, uri)
	}
	return `{"asset":{"version":"2.0"},"scene":0,"scenes":[{"nodes":[` + sceneNodes(nodes) + `]}],` +
		`"nodes":` + nodes + `,"meshes":[{"primitives":[{"attributes":{"POSITION":0},"indices":1,"mode":4}]}],` +
		`"accessors":[{"bufferView":0,"componentType":5126,"count":8,"type":"VEC3","min":[0,0,0],"max":[20,20,20]},` +
		`{"bufferView":1,"componentType":5123,"count":36,"type":"SCALAR"}],` +
		`"bufferViews":[{"buffer":0,"byteOffset":0,"byteLength":96},{"buffer":0,"byteOffset":96,"byteLength":72}],` +
		`"buffers":[{` + u + `"byteLength":168}]}`
}

// sceneNodes lists the nodes no other node has as a child: the roots.
func sceneNodes(nodes string) string {
	var n []struct {
		Children []int `json:"children"`
	}
	if err := json.Unmarshal([]byte(nodes), &n); err != nil {
		panic(err)
	}
	child := map[int]bool{}
	for _, x := range n {
		for _, c := range x.Children {
			child[c] = true
		}
	}
	s := ""
	for i := range n {
		if !child[i] {
			if s != "" {
				s += ","
			}
			s += fmt.Sprint(i)
		}
	}
	return s
}

// glb packs JSON and a binary chunk as the spec's GLB container: a
// 12-byte header, each chunk's length and type, padded to 4 bytes
// (JSON with spaces, BIN with zeros).
func glb(js string, bin []byte) []byte {
	for len(js)%4 != 0 {
		js += " "
	}
	for len(bin)%4 != 0 {
		bin = append(bin, 0)
	}
	var b bytes.Buffer
	le := binary.LittleEndian
	b.WriteString("glTF")
	binary.Write(&b, le, uint32(2))
	binary.Write(&b, le, uint32(12+8+len(js)+8+len(bin)))
	binary.Write(&b, le, uint32(len(js)))
	b.WriteString("JSON")
	b.WriteString(js)
	binary.Write(&b, le, uint32(len(bin)))
	b.WriteString("BIN\x00")
	b.Write(bin)
	return b.Bytes()
}

const oneNode = `[{"mesh":0}]`

// TestGLTFRender: the cube as a GLB, a .gltf with a data: URI and a .gltf
// with its buffer in a file beside it has 12 triangles and a 20×20×20
// box, and renders shaded (the checks of TestModelRender); node
// transforms place instances (two nodes, one scaled and moved: 24
// triangles, a box the transforms give).
func TestGLTFRender(t *testing.T) {
	dir := t.TempDir()
	cube := gltfCube()
	os.WriteFile(filepath.Join(dir, "cube data.bin"), cube, 0o644)
	dataURI := "data:application/octet-stream;base64," + base64.StdEncoding.EncodeToString(cube)
	for _, c := range []struct {
		name    string
		data    []byte
		tris    int
		x, y, z float64
	}{
		{"cube.glb", glb(gltfJSON("", oneNode), cube), 12, 20, 20, 20},
		{"data.gltf", []byte(gltfJSON(dataURI, oneNode)), 12, 20, 20, 20},
		{"beside.gltf", []byte(gltfJSON("cube%20data.bin", oneNode)), 12, 20, 20, 20},
		// Node 1 scales y by 3 and moves x by 100: x spans 0..120, y 0..60.
		{"two.glb", glb(gltfJSON("", `[{"mesh":0},{"mesh":0,"translation":[100,0,0],"scale":[1,3,1]}]`), cube), 24, 120, 60, 20},
		// A matrix (column-major) doubling z, as a child of a plain node.
		{"matrix.glb", glb(gltfJSON("", `[{"children":[1]},{"mesh":0,"matrix":[1,0,0,0, 0,1,0,0, 0,0,2,0, 0,0,0,1]}]`), cube), 12, 20, 20, 40},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := NewSource(writeFile(t, dir, c.name, c.data), nil)
			defer src.Close()
			f, err := src.Facts(context.Background(), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if f.Triangles != c.tris || f.SizeX != c.x || f.SizeY != c.y || f.SizeZ != c.z {
				t.Errorf("facts %+v, want %d triangles, %g×%g×%g", f, c.tris, c.x, c.y, c.z)
			}
			img, info, err := src.Poster(context.Background(), Limits{}, func(w, h int) bool { return w >= 256 })
			if err != nil {
				t.Fatal(err)
			}
			if info.MediaType != TypeModel || img.Bounds().Dx() != 256 {
				t.Fatalf("%s %v", info.MediaType, img.Bounds())
			}
			bg := img.At(0, 0)
			for _, p := range [][2]int{{2, 2}, {253, 2}, {2, 253}, {253, 253}} {
				if img.At(p[0], p[1]) != bg {
					t.Errorf("corner %v is %v, not the background %v", p, img.At(p[0], p[1]), bg)
				}
			}
			shades := map[[3]uint8]int{}
			for y := 0; y < 256; y += 4 {
				for x := 0; x < 256; x += 4 {
					o := img.PixOffset(x, y)
					shades[[3]uint8{img.Pix[o], img.Pix[o+1], img.Pix[o+2]}]++
				}
			}
			r, g, bl, _ := bg.RGBA()
			drawn := 64*64 - shades[[3]uint8{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8)}]
			if len(shades) < 3 || drawn < 64*64/10 {
				t.Errorf("%d shades, %d of %d samples drawn: not a shaded model", len(shades), drawn, 64*64)
			}
		})
	}
}

// TestGLTFHostile: buffers outside the model's folder (a path, "..", an
// absolute path, a link) are refused without being read; lies about
// counts and offsets are caught before anything is allocated; a node
// cycle ends.
func TestGLTFHostile(t *testing.T) {
	top := t.TempDir()
	dir := filepath.Join(top, "lib")
	os.Mkdir(dir, 0o755)
	cube := gltfCube()
	os.WriteFile(filepath.Join(top, "outside.bin"), cube, 0o644)
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "sub", "in.bin"), cube, 0o644)
	if err := os.Symlink(filepath.Join(top, "outside.bin"), filepath.Join(dir, "link.bin")); err != nil {
		t.Fatal(err)
	}
	huge := glb(`{"scenes":[{"nodes":[0]}],"nodes":[{"mesh":0}],"meshes":[{"primitives":[{"attributes":{"POSITION":0}}]}],`+
		`"accessors":[{"bufferView":0,"componentType":5126,"count":4000000000,"type":"VEC3"}],`+
		`"bufferViews":[{"buffer":0,"byteLength":96}],"buffers":[{"byteLength":96}]}`, cube)
	past := glb(`{"scenes":[{"nodes":[0]}],"nodes":[{"mesh":0}],"meshes":[{"primitives":[{"attributes":{"POSITION":0}}]}],`+
		`"accessors":[{"bufferView":0,"componentType":5126,"count":9,"type":"VEC3"}],`+
		`"bufferViews":[{"buffer":0,"byteLength":96}],"buffers":[{"byteLength":96}]}`, cube)
	viewPast := glb(`{"scenes":[{"nodes":[0]}],"nodes":[{"mesh":0}],"meshes":[{"primitives":[{"attributes":{"POSITION":0}}]}],`+
		`"accessors":[{"bufferView":0,"componentType":5126,"count":8,"type":"VEC3"}],`+
		`"bufferViews":[{"buffer":0,"byteOffset":1000000,"byteLength":96}],"buffers":[{"byteLength":96}]}`, cube)
	badIndex := bytes.Clone(cube)
	binary.LittleEndian.PutUint16(badIndex[96:], 8) // past the 8 vertices
	for name, c := range map[string]struct {
		data []byte
		want error
	}{
		"up.gltf":     {[]byte(gltfJSON("../outside.bin", oneNode)), errBufferPath},
		"abs.gltf":    {[]byte(gltfJSON(filepath.Join(top, "outside.bin"), oneNode)), errBufferPath},
		"sub.gltf":    {[]byte(gltfJSON("sub/in.bin", oneNode)), errBufferPath},
		"esc.gltf":    {[]byte(gltfJSON("..%2Foutside.bin", oneNode)), errBufferPath},
		"link.gltf":   {[]byte(gltfJSON("link.bin", oneNode)), errBufferPath},
		"huge.glb":    {huge, ErrTooManyPixels},
		"past.glb":    {past, ErrCorrupt},
		"view.glb":    {viewPast, ErrCorrupt},
		"index.glb":   {glb(gltfJSON("", oneNode), badIndex), ErrCorrupt},
		"cycle.glb":   {glb(gltfJSON("", `[{"children":[1]},{"mesh":0,"children":[1]}]`), cube), ErrTooManyPixels},
		"notjson.glb": {glb(`{"scenes":`, cube), ErrCorrupt},
		"short.glb":   {[]byte("glTF\x02\x00\x00\x00"), ErrCorrupt},
	} {
		src := NewSource(writeFile(t, dir, name, c.data), nil)
		_, err := src.Facts(context.Background(), Limits{})
		if !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
		src.Close()
	}
}

func FuzzGLTF(f *testing.F) {
	cube := gltfCube()
	f.Add(glb(gltfJSON("", oneNode), cube), true)
	f.Add(glb(gltfJSON("", `[{"children":[1]},{"mesh":0,"rotation":[0,0.7071,0,0.7071]}]`), cube), true)
	f.Add([]byte(gltfJSON("data:application/octet-stream;base64,"+base64.StdEncoding.EncodeToString(cube), oneNode)), false)
	dir := f.TempDir() // an empty folder: no buffer file beside the model
	f.Fuzz(func(t *testing.T, data []byte, binary bool) {
		name := "a.gltf"
		if binary {
			name = "a.glb"
		}
		src := NewSource(filepath.Join(dir, name), data)
		defer src.Close()
		lim := Limits{MaxFileBytes: 1 << 20, MaxDecodeBytes: 64 << 20}
		if f, err := src.Facts(context.Background(), lim); err == nil && (math.IsNaN(f.SizeX) || f.Triangles <= 0) {
			t.Fatalf("facts %+v without an error", f)
		}
		src.Poster(context.Background(), lim, func(w, h int) bool { return w >= 32 })
	})
}
