package library

import (
	"bytes"
	"fmt"
	"image/color"
	"path/filepath"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/tagsight/tagsight/backend/testutil"
)

// opens counts the times the kernel saw files of dir opened (inotify's
// IN_OPEN: every open(2), whoever in the process made it), by name.
type opens struct{ fd int }

func watchOpens(t *testing.T, dir string) *opens {
	t.Helper()
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		t.Skipf("inotify: %v", err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	// Closes are watched too, only so that two opens of one file are not
	// merged into one event (inotify merges identical consecutive events).
	if _, err := unix.InotifyAddWatch(fd, dir, unix.IN_OPEN|unix.IN_CLOSE); err != nil {
		t.Skipf("inotify watch: %v", err)
	}
	return &opens{fd: fd}
}

// take returns the opens seen since the last call (the events are queued
// by the kernel by the time the scan that caused them has returned).
func (o *opens) take(t *testing.T) map[string]int {
	t.Helper()
	got := map[string]int{}
	buf := make([]byte, 64<<10)
	for {
		n, err := unix.Read(o.fd, buf)
		if err == unix.EAGAIN || n <= 0 {
			return got
		}
		if err != nil {
			t.Fatal(err)
		}
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			name := buf[off+unix.SizeofInotifyEvent : off+unix.SizeofInotifyEvent+int(ev.Len)]
			if name = bytes.TrimRight(name, "\x00"); len(name) > 0 && ev.Mask&unix.IN_ISDIR == 0 && ev.Mask&unix.IN_OPEN != 0 {
				got[string(name)]++
			}
			off += unix.SizeofInotifyEvent + int(ev.Len)
		}
	}
}

// A new picture is opened once by the scan that indexes it: read,
// fingerprinted, probed and decoded from one read (it used to be opened
// four times: to fingerprint, to probe, and twice more to decode).
func TestScanOpensANewPictureOnce(t *testing.T) {
	root := t.TempDir()
	l := openLib(t, root)
	scan(t, l, ScanOptions{})
	o := watchOpens(t, root)
	o.take(t)
	for i := range 3 {
		testutil.WriteFile(t, filepath.Join(root, fmt.Sprintf("p%d.jpg", i)), testutil.JPEG(t, testutil.Solid(400, 300, color.RGBA{uint8(60 * i), 9, 9, 255}), nil))
	}
	testutil.WriteFile(t, filepath.Join(root, "q.png"), testutil.PNG(t, testutil.Solid(50, 40, color.RGBA{9, 9, 200, 255})))
	o.take(t) // the writes' own opens
	res := scan(t, l, ScanOptions{})
	if res.Added != 4 {
		t.Fatalf("added %d, want 4", res.Added)
	}
	want := map[string]int{"p0.jpg": 1, "p1.jpg": 1, "p2.jpg": 1, "q.png": 1}
	if got := o.take(t); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("opens during the scan %v, want %v", got, want)
	}
	for p, e := range entryMap(t, l) {
		if e.Thumb == "" || e.Width == 0 {
			t.Errorf("%s indexed without its thumbnail or size: %+v", p, e)
		}
	}
}
