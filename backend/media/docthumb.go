package media

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"io"

	"github.com/klauspost/compress/zstd"

	"github.com/tagsight/tagsight/backend/facts"
)

// Pictures that documents carry of themselves, outside zips: Blender's
// embedded thumbnail and Photoshop's merged composite.

// blendDecoder reads a .blend file's TEST block, the thumbnail Blender
// saves with the file (plain, gzip- or zstd-compressed files).
type blendDecoder struct{}

func (blendDecoder) Kind() string { return "blend" }
func (blendDecoder) Applies(mediaType, format string) bool {
	return mediaType == TypeDocument && format == "blend"
}
func (blendDecoder) Facts(ctx context.Context, src *Source, lim Limits) (facts.Facts, error) {
	return facts.Facts{}, nil
}

// blendMaxThumb: Blender saves 128×128 (older files 128 too); a larger
// TEST block is not a thumbnail.
const blendMaxThumb = 1024

func (blendDecoder) Poster(ctx context.Context, src *Source, lim Limits, enough func(w, h int) bool) (*image.RGBA, error) {
	ctx, cancel := withDeadline(ctx, lim)
	defer cancel()
	ra, size, err := src.sourceReaderAt()
	if err != nil {
		return nil, fmt.Errorf("blend: %w", err)
	}
	if size == 0 {
		return nil, fmt.Errorf("blend: %w: %w", ErrUnsupported, ErrEmpty)
	}
	var r io.Reader = io.NewSectionReader(ra, 0, size)
	var magic [4]byte
	ra.ReadAt(magic[:], 0)
	switch {
	case magic[0] == 0x1f && magic[1] == 0x8b:
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("blend: %w: %v", ErrCorrupt, err)
		}
		defer zr.Close()
		r = zr
	case string(magic[:]) == "\x28\xb5\x2f\xfd":
		zr, err := zstd.NewReader(r, zstd.WithDecoderMaxMemory(64<<20), zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, fmt.Errorf("blend: %w: %v", ErrCorrupt, err)
		}
		defer zr.Close()
		r = zr
	}
	br := bufio.NewReader(&ctxReader{ctx: ctx, r: r, max: maxStreamFactor * lim.MaxFileBytes})
	img, err := blendThumb(br)
	if err != nil {
		return nil, fmt.Errorf("blend: %w", wrapCorrupt(err))
	}
	return img, nil
}

// blendThumb walks a .blend's blocks to its TEST block: int32 width and
// height, then RGBA rows bottom-up.
func blendThumb(r *bufio.Reader) (*image.RGBA, error) {
	head := make([]byte, 12)
	if _, err := io.ReadFull(r, head); err != nil || string(head[:7]) != "BLENDER" {
		return nil, errors.New("not a .blend file")
	}
	// Classic header: BLENDER, pointer size (_ 4, - 8), endianness (v
	// little, V big), version (3 digits). Blender 5's: BLENDER, header
	// size "17", "-", format "01", endianness, version (4 digits), with
	// 64-bit block sizes.
	large := false
	var ptr int
	var bo binary.ByteOrder = binary.LittleEndian
	switch {
	case string(head[7:9]) == "17" && head[9] == '-':
		rest := make([]byte, 5)
		if _, err := io.ReadFull(r, rest); err != nil {
			return nil, err
		}
		large, ptr = true, 8
		if rest[0] == 'V' {
			bo = binary.BigEndian
		}
	case head[7] == '_' || head[7] == '-':
		ptr = 4
		if head[7] == '-' {
			ptr = 8
		}
		if head[8] == 'V' {
			bo = binary.BigEndian
		}
	default:
		return nil, errors.New("unknown .blend header")
	}
	bh := make([]byte, 16+ptr)
	if large {
		bh = make([]byte, 32)
	}
	for n := 0; n < 1<<20; n++ {
		if _, err := io.ReadFull(r, bh); err != nil {
			return nil, fmt.Errorf("%w: no thumbnail", ErrUnsupported)
		}
		code := string(bh[:4])
		var length int64
		if large { // code, sdna int32, old pointer, length int64, count int64
			length = int64(bo.Uint64(bh[16:]))
		} else { // code, length int32, old pointer, sdna, count
			length = int64(int32(bo.Uint32(bh[4:])))
		}
		if length < 0 {
			return nil, errors.New("negative block length")
		}
		switch code {
		case "ENDB", "DNA1":
			return nil, fmt.Errorf("%w: saved without a thumbnail", ErrUnsupported)
		case "TEST":
			if length < 8 {
				return nil, errors.New("short thumbnail")
			}
			var wh [8]byte
			if _, err := io.ReadFull(r, wh[:]); err != nil {
				return nil, err
			}
			w, h := int(int32(bo.Uint32(wh[:]))), int(int32(bo.Uint32(wh[4:])))
			if w <= 0 || h <= 0 || w > blendMaxThumb || h > blendMaxThumb || int64(w)*int64(h)*4 > length-8 {
				return nil, fmt.Errorf("thumbnail of %dx%d in %d bytes", w, h, length)
			}
			img := image.NewRGBA(image.Rect(0, 0, w, h))
			for y := h - 1; y >= 0; y-- {
				if _, err := io.ReadFull(r, img.Pix[y*img.Stride:y*img.Stride+4*w]); err != nil {
					return nil, err
				}
			}
			return img, nil
		}
		if _, err := io.CopyN(io.Discard, r, length); err != nil {
			return nil, err
		}
	}
	return nil, fmt.Errorf("%w: no thumbnail", ErrUnsupported)
}

// psdDecoder draws a Photoshop file from its merged composite (the image
// data section, raw or PackBits, 8-bit RGB or grey), which Photoshop saves
// when "maximise compatibility" is on (its default).
type psdDecoder struct{}

func (psdDecoder) Kind() string { return "psd" }
func (psdDecoder) Applies(mediaType, format string) bool {
	return mediaType == TypeImage && format == "psd"
}
func (psdDecoder) Facts(ctx context.Context, src *Source, lim Limits) (facts.Facts, error) {
	_, err := src.Probe(ctx, lim)
	return facts.Facts{}, err
}

func (psdDecoder) Poster(ctx context.Context, src *Source, lim Limits, enough func(w, h int) bool) (*image.RGBA, error) {
	ctx, cancel := withDeadline(ctx, lim)
	defer cancel()
	ra, size, err := src.sourceReaderAt()
	if err != nil {
		return nil, fmt.Errorf("psd: %w", err)
	}
	img, err := decodePSD(ctx, ra, size, lim)
	if err != nil {
		return nil, fmt.Errorf("psd: %w", wrapCorrupt(err))
	}
	return img, nil
}

func decodePSD(ctx context.Context, ra io.ReaderAt, size int64, lim Limits) (*image.RGBA, error) {
	r := bufio.NewReader(&ctxReader{ctx: ctx, r: io.NewSectionReader(ra, 0, size)})
	h := make([]byte, 26)
	if _, err := io.ReadFull(r, h); err != nil || string(h[:4]) != "8BPS" {
		return nil, errors.New("not a PSD")
	}
	be := binary.BigEndian
	version, channels := be.Uint16(h[4:]), int(be.Uint16(h[12:]))
	height, width := int(be.Uint32(h[14:])), int(be.Uint32(h[18:]))
	depth, mode := be.Uint16(h[22:]), be.Uint16(h[24:])
	if version != 1 && version != 2 || channels < 1 || channels > 56 || width <= 0 || height <= 0 {
		return nil, fmt.Errorf("bad header: version %d, %d channels, %dx%d", version, channels, width, height)
	}
	if int64(width)*int64(height) > lim.MaxPixels {
		return nil, fmt.Errorf("%w: %dx%d exceeds %d pixels", ErrTooManyPixels, width, height, lim.MaxPixels)
	}
	if depth != 8 || mode != 3 && mode != 1 || mode == 3 && channels < 3 {
		return nil, fmt.Errorf("%w: %d-bit colour mode %d", ErrUnsupported, depth, mode)
	}
	// Colour mode data, image resources, layers: skipped (the layer
	// section's length is 64-bit in PSB).
	for i := 0; i < 3; i++ {
		var n int64
		if version == 2 && i == 2 {
			var b [8]byte
			if _, err := io.ReadFull(r, b[:]); err != nil {
				return nil, err
			}
			n = int64(be.Uint64(b[:]))
		} else {
			var b [4]byte
			if _, err := io.ReadFull(r, b[:]); err != nil {
				return nil, err
			}
			n = int64(be.Uint32(b[:]))
		}
		if n < 0 || n > size {
			return nil, errors.New("section past the end")
		}
		if _, err := r.Discard(int(n)); err != nil {
			return nil, err
		}
	}
	var cb [2]byte
	if _, err := io.ReadFull(r, cb[:]); err != nil {
		return nil, err
	}
	comp := be.Uint16(cb[:])
	if comp > 1 {
		return nil, fmt.Errorf("%w: composite compression %d", ErrUnsupported, comp)
	}
	used := 3
	if mode == 1 {
		used = 1
	}
	countSize := 2
	if version == 2 {
		countSize = 4
	}
	need := rgbaBytes(width, height) + int64(width)
	if comp == 1 {
		need += int64(channels) * int64(height) * int64(countSize)
	}
	release, err := reserve(ctx, need, lim.MaxDecodeBytes, fmt.Sprintf("a %dx%d PSD", width, height))
	if err != nil {
		return nil, err
	}
	defer release()
	var counts []byte
	if comp == 1 {
		counts = make([]byte, channels*height*countSize)
		if _, err := io.ReadFull(r, counts); err != nil {
			return nil, err
		}
	}
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	for i := 3; i < len(img.Pix); i += 4 {
		img.Pix[i] = 255
	}
	row := make([]byte, width)
	for c := 0; c < used; c++ {
		for y := 0; y < height; y++ {
			if comp == 0 {
				if _, err := io.ReadFull(r, row); err != nil {
					return nil, err
				}
			} else {
				k := (c*height + y) * countSize
				n := int(be.Uint16(counts[k:]))
				if countSize == 4 {
					n = int(be.Uint32(counts[k:]))
				}
				if err := unpackBits(r, n, row); err != nil {
					return nil, err
				}
			}
			p := img.Pix[y*img.Stride:]
			for x, v := range row {
				if used == 1 {
					p[4*x], p[4*x+1], p[4*x+2] = v, v, v
				} else {
					p[4*x+c] = v
				}
			}
		}
	}
	return img, nil
}

// unpackBits decodes one PackBits row of n packed bytes into row, which
// it must fill exactly.
func unpackBits(r *bufio.Reader, n int, row []byte) error {
	if n < 0 || n > 2*len(row)+128 {
		return errors.New("bad row length")
	}
	packed := make([]byte, n)
	if _, err := io.ReadFull(r, packed); err != nil {
		return err
	}
	o := 0
	for i := 0; i < len(packed); {
		b := int8(packed[i])
		i++
		switch {
		case b >= 0:
			k := int(b) + 1
			if i+k > len(packed) || o+k > len(row) {
				return errors.New("literal run past the row")
			}
			copy(row[o:], packed[i:i+k])
			i, o = i+k, o+k
		case b != -128:
			k := 1 - int(b)
			if i >= len(packed) || o+k > len(row) {
				return errors.New("repeat run past the row")
			}
			for j := 0; j < k; j++ {
				row[o+j] = packed[i]
			}
			i, o = i+1, o+k
		}
	}
	if o != len(row) {
		return fmt.Errorf("row of %d bytes, want %d", o, len(row))
	}
	return nil
}
