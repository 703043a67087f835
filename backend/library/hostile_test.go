package library

import (
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/testutil"
)

// TestScanSparseGiants: 10 GB sparse files (no disk) named and headed
// like a video, a PDF, a zip and a text, and a real video padded to
// 10 GB, are entries after one scan: each of the first four reported
// with why it was not read, the padded video read from its header (a
// tile and its 2 s), and the scan's own allocations far below the files'
// size (nothing is read whole).
func TestScanSparseGiants(t *testing.T) {
	testutil.NeedTools(t, "ffmpeg", "ffprobe")
	const giant = 10 << 30
	root := t.TempDir()
	p := func(n string) string { return filepath.Join(root, n) }
	mk := func(name string, head []byte) {
		t.Helper()
		if err := os.WriteFile(p(name), head, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(p(name), giant); err != nil {
			t.Skipf("no sparse files here: %v", err)
		}
	}
	// An MP4 whose mdat box (64-bit size) claims all the rest.
	mp4 := []byte("\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp41\x00\x00\x00\x01mdat")
	mp4 = binary.BigEndian.AppendUint64(mp4, giant-24)
	mk("claims.mp4", mp4)
	mk("big.pdf", []byte("%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"))
	mk("big.zip", []byte("PK\x03\x04\x14\x00\x00\x00\x00\x00"))
	mk("big.txt", []byte("hello\n"))
	ffmpegMake(t, "-f", "lavfi", "-i", "color=c=red:s=160x120:d=2", "-c:v", "libx264", "-pix_fmt", "yuv420p",
		"-movflags", "+faststart", p("padded.mp4"))
	if err := os.Truncate(p("padded.mp4"), giant); err != nil {
		t.Fatal(err)
	}

	l := openLib(t, root)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res := scan(t, l, ScanOptions{ThumbSize: 64, Limits: media.Limits{MaxDecodeTime: 30 * time.Second}})
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 256<<20 {
		t.Errorf("the scan allocated %d MiB for 5 files", alloc>>20)
	}
	es := entryMap(t, l)
	if len(es) != 5 || len(res.Errors) != 0 {
		t.Fatalf("entries %d, errors %v", len(es), res.Errors)
	}
	reported := map[string]string{}
	for _, w := range res.Warnings {
		reported[w.Path] += w.Error + "; "
	}
	for name, want := range map[string]string{
		"claims.mp4": "corrupt", "big.pdf": "exceeds", "big.zip": "corrupt", "big.txt": "exceeds",
	} {
		if e := es[name]; e.Size != giant {
			t.Errorf("%s: size %d", name, e.Size)
		}
		if !strings.Contains(reported[name], want) {
			t.Errorf("%s: reported %q, want %q in it", name, reported[name], want)
		}
	}
	v := es["padded.mp4"]
	if reported["padded.mp4"] != "" || v.MediaType != media.TypeVideo || v.Thumb == "" || v.Width != 160 {
		t.Errorf("padded.mp4: %+v, reported %q", v, reported["padded.mp4"])
	}
	if fa, err := l.DB.Facts(t.Context(), v.ID); err != nil || math.Abs(fa.Duration-2) > 0.1 {
		t.Errorf("padded.mp4 facts %+v %v", fa, err)
	}
}
