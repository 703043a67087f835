package media

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/bodgit/sevenzip"
	"github.com/nwaples/rardecode/v2"
)

// Archives are listed from their directory and never extracted to disk:
// a member is read into memory only when it is the poster (a picture, an
// EPUB's OPF, a ComicInfo.xml), after its declared size and packing ratio
// pass the bomb checks below.
const (
	// maxMembers: an archive listing more is refused (its directory alone
	// would cost hundreds of MB of Go structs).
	maxMembers = 200_000
	// maxZipDir caps a zip's declared central directory, checked before
	// archive/zip reads it.
	maxZipDir = 64 << 20
	// maxRatio: a member whose declared size is more than this many times
	// its packed size, and large (bombRatioFloor), is a bomb. Real pictures
	// and documents pack 1–20×; deflate's own ceiling is about 1032×.
	maxRatio       = 100
	bombRatioFloor = 16 << 20
	// maxXMLMember caps the XML read from a container (OPF, ComicInfo,
	// docProps): real ones are a few KiB.
	maxXMLMember = 4 << 20
	// maxStreamFactor bounds what a tar.gz or a .gz may inflate to when it
	// is walked to list it, as a multiple of Limits.MaxFileBytes.
	maxStreamFactor = 4
	// rarMaxDict bounds the dictionary a RAR member may ask for (RAR5
	// allows 4 GiB): the decoder allocates it before reading.
	rarMaxDict = 256 << 20
)

// member is one file inside an archive.
type member struct {
	Name   string
	Size   int64 // declared unpacked size; -1 when unknown
	Packed int64 // declared packed size; -1 when unknown (solid 7z, tar)
	open   func() (io.ReadCloser, error)
}

// archive is the listing of an archive's files (directories left out).
type archive struct {
	members  []member
	unpacked int64 // declared, summed
	// ctx bounds the walks of stream formats (tar, rar) that reading a
	// member makes: the caller's of the moment, not the listing's.
	ctx context.Context
}

// sourceReaderAt gives random access to the Source's bytes.
func (s *Source) sourceReaderAt() (io.ReaderAt, int64, error) {
	if s.data != nil {
		return bytes.NewReader(s.data), int64(len(s.data)), nil
	}
	if err := s.open(); err != nil {
		return nil, 0, err
	}
	return s.f, s.size, nil
}

// ctxReader stops a stream when its context ends (the decode's time
// limit), so a slow inflate cannot stall a scan.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
	n   int64 // bytes read
	max int64 // more than this is an error; 0: no cap
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.max > 0 && c.n > c.max {
		return n, fmt.Errorf("%w: inflates past %s", ErrTooManyPixels, mib(c.max))
	}
	return n, err
}

// openArchive lists the archive of the given format in the Source.
func openArchive(ctx context.Context, src *Source, format string, lim Limits) (*archive, error) {
	ra, size, err := src.sourceReaderAt()
	if err != nil {
		return nil, fmt.Errorf("open archive: %w", err)
	}
	if size == 0 {
		return nil, fmt.Errorf("archive: %w: %w", ErrUnsupported, ErrEmpty) // an entry, nothing to read
	}
	switch format {
	case "7z", "cb7":
		return list7z(ra, size)
	case "rar", "cbr":
		return listRar(ctx, ra, size, lim)
	case "tar":
		return listTar(ctx, func() (io.Reader, func(), error) {
			return io.NewSectionReader(ra, 0, size), func() {}, nil
		}, lim)
	case "gz":
		return listGzip(ctx, ra, size, src.Path, lim)
	}
	return listZip(ra, size)
}

// listZip lists a zip (and the formats built on it: EPUB, CBZ, OOXML,
// ODF, …), refusing a declared directory too large before reading it.
func listZip(ra io.ReaderAt, size int64) (*archive, error) {
	count, dir, err := zipDirectory(ra, size)
	if err != nil {
		return nil, fmt.Errorf("zip: %w: %v", ErrCorrupt, err)
	}
	if count > maxMembers || dir > maxZipDir {
		return nil, fmt.Errorf("zip: %w: %d entries, a %s directory", ErrTooManyPixels, count, mib(int64(dir)))
	}
	zr, err := zip.NewReader(ra, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, fmt.Errorf("zip: %w: %v", ErrCorrupt, err)
	}
	a := &archive{}
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		a.add(member{Name: f.Name, Size: int64(f.UncompressedSize64), Packed: int64(f.CompressedSize64), open: f.Open})
	}
	return a, nil
}

// zipDirectory reads the end-of-central-directory record (zip64's when
// the classic one overflows): the entries and directory size declared.
func zipDirectory(ra io.ReaderAt, size int64) (count, dirSize uint64, err error) {
	n := min(size, 65535+22)
	tail := make([]byte, n)
	if _, err := ra.ReadAt(tail, size-n); err != nil && err != io.EOF {
		return 0, 0, err
	}
	i := bytes.LastIndex(tail, []byte("PK\x05\x06"))
	if i < 0 || i+22 > len(tail) {
		return 0, 0, errors.New("no end of central directory")
	}
	e := tail[i:]
	count, dirSize = uint64(binary.LittleEndian.Uint16(e[10:])), uint64(binary.LittleEndian.Uint32(e[12:]))
	if count != 0xffff && dirSize != 0xffffffff {
		return count, dirSize, nil
	}
	if i < 20 || string(tail[i-20:i-16]) != "PK\x06\x07" {
		return count, dirSize, nil // archive/zip decides
	}
	off := int64(binary.LittleEndian.Uint64(tail[i-20+8:]))
	rec := make([]byte, 56)
	if off < 0 || off > size-56 {
		return 0, 0, errors.New("bad zip64 directory offset")
	}
	if _, err := ra.ReadAt(rec, off); err != nil || string(rec[:4]) != "PK\x06\x06" {
		return 0, 0, errors.New("bad zip64 directory")
	}
	return binary.LittleEndian.Uint64(rec[32:]), binary.LittleEndian.Uint64(rec[40:]), nil
}

func (a *archive) add(m member) {
	if m.Size > 0 {
		a.unpacked += m.Size
	}
	a.members = append(a.members, m)
}

// listTar walks a tar stream's headers (members skipped unread, except
// that a compressed stream must be inflated to find the next header).
// open gives a fresh stream from the start: reading a member walks again.
func listTar(ctx context.Context, open func() (io.Reader, func(), error), lim Limits) (*archive, error) {
	a := &archive{ctx: ctx}
	walk := func(visit func(i int, h *tar.Header, r io.Reader) (bool, error)) error {
		r, done, err := open()
		if err != nil {
			return err
		}
		defer done()
		tr := tar.NewReader(&ctxReader{ctx: a.ctx, r: r, max: maxStreamFactor * lim.MaxFileBytes})
		return eachMember(tr.Next, tr, visit)
	}
	err := walk(func(i int, h *tar.Header, _ io.Reader) (bool, error) {
		if h.Typeflag != tar.TypeReg && h.Typeflag != tar.TypeRegA {
			return false, nil
		}
		idx := i
		a.add(member{Name: h.Name, Size: h.Size, Packed: -1, open: func() (io.ReadCloser, error) {
			var data []byte
			err := walk(func(j int, h *tar.Header, r io.Reader) (bool, error) {
				if j != idx {
					return false, nil
				}
				var err error
				data, err = readCapped(r, h.Size)
				return true, err
			})
			if err != nil {
				return nil, err
			}
			return io.NopCloser(bytes.NewReader(data)), nil
		}})
		return false, nil
	})
	if err != nil {
		return a, fmt.Errorf("tar: %w", wrapCorrupt(err))
	}
	return a, nil
}

// listGzip lists a .tar.gz as its tar, and a plain .gz as the one file
// it holds (its size from the gzip trailer, modulo 4 GiB as declared).
func listGzip(ctx context.Context, ra io.ReaderAt, size int64, name string, lim Limits) (*archive, error) {
	open := func() (io.Reader, func(), error) {
		zr, err := gzip.NewReader(bufio.NewReader(io.NewSectionReader(ra, 0, size)))
		if err != nil {
			return nil, nil, fmt.Errorf("gzip: %w: %v", ErrCorrupt, err)
		}
		return zr, func() { zr.Close() }, nil
	}
	r, done, err := open()
	if err != nil {
		return nil, err
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(&ctxReader{ctx: ctx, r: r}, head)
	done()
	if n >= 262 && string(head[257:262]) == "ustar" {
		return listTar(ctx, open, lim)
	}
	var isize int64 = -1
	if size >= 18 {
		var t [4]byte
		if _, err := ra.ReadAt(t[:], size-4); err == nil {
			isize = int64(binary.LittleEndian.Uint32(t[:]))
		}
	}
	inner := strings.TrimSuffix(path.Base(name), path.Ext(name))
	a := &archive{ctx: ctx}
	a.add(member{Name: inner, Size: isize, Packed: size, open: func() (io.ReadCloser, error) {
		r, done, err := open()
		if err != nil {
			return nil, err
		}
		defer done()
		data, err := readCapped(&ctxReader{ctx: a.ctx, r: r}, lim.MaxFileBytes)
		return io.NopCloser(bytes.NewReader(data)), err
	}})
	return a, nil
}

// list7z lists a 7z from its header. A solid archive declares no packed
// size per file: the ratio is checked over the whole archive.
func list7z(ra io.ReaderAt, size int64) (a *archive, err error) {
	defer func() {
		if r := recover(); r != nil {
			a, err = nil, fmt.Errorf("7z: %w: reader panicked: %v", ErrCorrupt, r)
		}
	}()
	zr, err := sevenzip.NewReader(ra, size)
	if err != nil {
		return nil, fmt.Errorf("7z: %w: %v", ErrCorrupt, err)
	}
	if len(zr.File) > maxMembers {
		return nil, fmt.Errorf("7z: %w: %d entries", ErrTooManyPixels, len(zr.File))
	}
	a = &archive{}
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		a.add(member{Name: f.Name, Size: int64(min(f.UncompressedSize, 1<<62)), Packed: -1, open: f.Open})
	}
	for i := range a.members {
		a.members[i].Packed = size // the whole archive is the most any member packs into
	}
	return a, nil
}

// listRar walks a RAR's headers; a member is read by walking again.
func listRar(ctx context.Context, ra io.ReaderAt, size int64, lim Limits) (*archive, error) {
	a := &archive{ctx: ctx}
	walk := func(visit func(i int, h *rardecode.FileHeader, r io.Reader) (bool, error)) (err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("%w: reader panicked: %v", ErrCorrupt, r)
			}
		}()
		rr, err := rardecode.NewReader(&ctxReader{ctx: a.ctx, r: io.NewSectionReader(ra, 0, size)},
			rardecode.MaxDictionarySize(rarMaxDict))
		if err != nil {
			return err
		}
		return eachMember(rr.Next, rr, visit)
	}
	err := walk(func(i int, h *rardecode.FileHeader, _ io.Reader) (bool, error) {
		if h.IsDir {
			return false, nil
		}
		idx, sz := i, h.UnPackedSize
		if h.UnKnownSize {
			sz = -1
		}
		a.add(member{Name: h.Name, Size: sz, Packed: max(h.PackedSize, -1), open: func() (io.ReadCloser, error) {
			var data []byte
			err := walk(func(j int, h *rardecode.FileHeader, r io.Reader) (bool, error) {
				if j != idx {
					return false, nil
				}
				var err error
				data, err = readCapped(r, min(lim.MaxFileBytes, max(sz, 0)))
				return true, err
			})
			if err != nil {
				return nil, err
			}
			return io.NopCloser(bytes.NewReader(data)), nil
		}})
		return false, nil
	})
	if err != nil {
		return a, fmt.Errorf("rar: %w", wrapCorrupt(err))
	}
	return a, nil
}

// wrapCorrupt marks a reader's own error as a damaged file; the limits'
// errors (too large, time out) keep their kind.
func wrapCorrupt(err error) error {
	if errors.Is(err, ErrTooManyPixels) || errors.Is(err, ErrCorrupt) || errors.Is(err, ErrUnsupported) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return err
	}
	return fmt.Errorf("%w: %v", ErrCorrupt, err)
}

// readCapped reads r whole, refusing more than max bytes (a member that
// inflates past the size it declared).
func readCapped(r io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, wrapCorrupt(err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%w: inflates past its declared %d bytes", ErrTooManyPixels, max)
	}
	return data, nil
}

// checkMember refuses a member whose declared sizes say it is a bomb, or
// larger than a file the decoders would read.
func checkMember(m member, lim Limits) error {
	switch {
	case m.Size > lim.MaxFileBytes:
		return fmt.Errorf("%s: %w: declares %d bytes, over %d", m.Name, ErrTooManyPixels, m.Size, lim.MaxFileBytes)
	case m.Size > bombRatioFloor && m.Packed > 0 && m.Size/m.Packed > maxRatio:
		return fmt.Errorf("%s: %w: packed %d:1 (a bomb)", m.Name, ErrTooManyPixels, m.Size/m.Packed)
	}
	return nil
}

// streamMember opens the member called name for streaming, after the
// bomb checks, what it may inflate to capped like any member read and
// the stream stopped with ctx; the caller closes it.
func streamMember(ctx context.Context, a *archive, name string, lim Limits) (io.Reader, func() error, error) {
	m := a.find(name)
	if m == nil {
		return nil, nil, fmt.Errorf("%s: %w", name, errNoMember)
	}
	if err := checkMember(*m, lim); err != nil {
		return nil, nil, err
	}
	rc, err := m.open()
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, wrapCorrupt(err))
	}
	return &ctxReader{ctx: ctx, r: rc, max: lim.MaxFileBytes}, rc.Close, nil
}

// readMember reads a member into memory under the decode budget, after
// the bomb checks; at most its declared size (or max when undeclared).
func readMember(ctx context.Context, m member, lim Limits, max int64) ([]byte, func(), error) {
	if err := checkMember(m, lim); err != nil {
		return nil, nil, err
	}
	n := max
	if m.Size >= 0 {
		n = min(m.Size, max)
	}
	release, err := reserve(ctx, n, lim.MaxDecodeBytes, m.Name)
	if err != nil {
		return nil, nil, err
	}
	rc, err := m.open()
	if err != nil {
		release()
		return nil, nil, fmt.Errorf("%s: %w", m.Name, wrapCorrupt(err))
	}
	defer rc.Close()
	data, err := readCapped(&ctxReader{ctx: ctx, r: rc}, n)
	if err != nil {
		release()
		return nil, nil, fmt.Errorf("%s: %w", m.Name, err)
	}
	return data, release, nil
}

// find returns the member of that name (case-insensitive, "/" separated,
// leading "./" or "/" ignored); nil when none.
func (a *archive) find(name string) *member {
	want := cleanMemberName(name)
	for i := range a.members {
		if strings.EqualFold(cleanMemberName(a.members[i].Name), want) {
			return &a.members[i]
		}
	}
	return nil
}

func cleanMemberName(n string) string {
	n = strings.ReplaceAll(n, "\\", "/")
	return strings.TrimPrefix(path.Clean("/"+n), "/")
}

// posterExts are the picture formats a member may be decoded as.
var posterExts = map[string]bool{".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".webp": true,
	".bmp": true, ".tif": true, ".tiff": true, ".heic": true, ".avif": true}

// pictures are the members that are pictures, in reading order (natural
// order of names, as comic readers sort pages), leaving out hidden files
// and macOS resource forks.
func (a *archive) pictures() []*member {
	var out []*member
	for i := range a.members {
		n := cleanMemberName(a.members[i].Name)
		if strings.HasPrefix(n, "__MACOSX/") || strings.HasPrefix(path.Base(n), ".") {
			continue
		}
		if posterExts[strings.ToLower(path.Ext(n))] {
			out = append(out, &a.members[i])
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return naturalLess(out[i].Name, out[j].Name) })
	return out
}

// naturalLess orders names as people number pages: "page2" before
// "page10", case ignored.
func naturalLess(a, b string) bool {
	a, b = strings.ToLower(a), strings.ToLower(b)
	for a != "" && b != "" {
		da, db := digitRun(a), digitRun(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func digitRun(s string) int {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// eachMember hands a streamed archive's members to visit in order (its
// reader positioned at each member's content) until visit stops, the
// archive ends, or it holds more than maxMembers.
func eachMember[H any](next func() (H, error), r io.Reader, visit func(int, H, io.Reader) (bool, error)) error {
	for i := 0; ; i++ {
		h, err := next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if i >= maxMembers {
			return fmt.Errorf("%w: over %d entries", ErrTooManyPixels, maxMembers)
		}
		if stop, err := visit(i, h, r); stop || err != nil {
			return err
		}
	}
}
