package media

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/dhowden/tag"

	"github.com/tagsight/tagsight/backend/facts"
)

// audioDecoder reads sound files: the tags and the embedded cover with
// github.com/dhowden/tag (ID3, MP4 atoms, FLAC), duration, bitrate, sample
// rate and the tags of every other container (Ogg, WAV, AIFF, WMA) with
// ffprobe; the poster is the cover, else a waveform drawn from the samples
// ffmpeg decodes. The poster is the tile, which the thumbnail analyzer
// keeps by content, so the waveform is computed once per file content.
type audioDecoder struct{}

func (audioDecoder) Kind() string                          { return "audio" }
func (audioDecoder) Applies(mediaType, format string) bool { return mediaType == TypeAudio }

// maxAudioTagBytes bounds the tag block read for the cover and tags: an ID3v2
// tag declaring more is refused before it is read (real covers are well
// under a few MiB), and it is what a tag read reserves from the budget.
const maxAudioTagBytes = 32 << 20

func (audioDecoder) Facts(ctx context.Context, src *Source, lim Limits) (facts.Facts, error) {
	if src.Path == "" {
		return facts.Facts{}, fmt.Errorf("audio: %w: no file to read", ErrUnsupported)
	}
	md, tagErr := readAudioTags(ctx, src, lim)
	var f facts.Facts
	out, err := runTool(ctx, lim, "ffprobe", probeOutMax, "-hide_banner", "-v", "error",
		"-print_format", "json", "-show_format", "-show_streams", "file:"+src.Path)
	if err == nil {
		f, err = parseAudioProbe(out)
	}
	if err != nil {
		err = fmt.Errorf("audio facts: %w", err)
	}
	if md != nil {
		// The tag reader knows ID3's and MP4's frames better than
		// ffmpeg's mapping of them; ffprobe fills what it lacks.
		set := func(dst *string, v string) {
			if v = strings.TrimSpace(v); v != "" {
				*dst = v
			}
		}
		set(&f.Title, md.Title())
		set(&f.Album, md.Album())
		set(&f.Genre, md.Genre())
		set(&f.Artist, md.AlbumArtist())
		set(&f.Artist, md.Artist())
		if y := md.Year(); y > 0 && y < 10000 {
			f.Year = y
		}
		if n, _ := md.Track(); n > 0 && n < 100000 {
			f.Track = n
		}
	}
	if err == nil && tagErr != nil {
		err = tagErr
	}
	return f, err
}

// parseAudioProbe is parseProbe's facts plus the tags ffmpeg reads from
// containers the tag reader does not know (Vorbis comments, RIFF INFO,
// ASF).
func parseAudioProbe(data []byte) (facts.Facts, error) {
	f, err := parseProbe(data)
	if err != nil && f.IsZero() {
		return f, err
	}
	var p ffprobeJSON
	if json.Unmarshal(data, &p) != nil {
		return f, err
	}
	tags := lowerKeys(p.Format.Tags)
	for _, s := range p.Streams { // Ogg keeps its comments on the stream
		if s.CodecType == "audio" {
			for k, v := range lowerKeys(s.Tags) {
				if tags[k] == "" {
					tags[k] = v
				}
			}
			break
		}
	}
	f.Title = firstTag(tags, "title")
	f.Artist = firstTag(tags, "artist", "album_artist")
	f.Album = firstTag(tags, "album")
	f.Genre = firstTag(tags, "genre")
	if y := leadingInt(firstTag(tags, "date", "year")); y > 0 && y < 10000 {
		f.Year = y
	}
	if n := leadingInt(firstTag(tags, "track", "tracknumber")); n > 0 && n < 100000 {
		f.Track = n
	}
	return f, err
}

// leadingInt reads the number a tag starts with ("2019-04-01", "3/12").
func leadingInt(s string) int {
	i := 0
	for i < len(s) && i < 9 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n, _ := strconv.Atoi(s[:i])
	return n
}

// readAudioTags reads the file's tags with the tag reader, refusing what
// it would read unbounded. No tags is not an error.
func readAudioTags(ctx context.Context, src *Source, lim Limits) (md tag.Metadata, err error) {
	lim = lim.withDefaults()
	info, err := src.Probe(ctx, lim)
	if err != nil {
		return nil, err
	}
	if info.Format == "ogg" {
		// Its cover is a base64 picture block whose declared length the
		// reader allocates unchecked; ffprobe reads Ogg's comments.
		return nil, nil
	}
	ra, size, err := src.sourceReaderAt()
	if err != nil {
		return nil, fmt.Errorf("audio tags: %w", err)
	}
	r := io.NewSectionReader(ra, 0, size)
	if err := tagBounded(r, size); err != nil {
		return nil, fmt.Errorf("audio tags: %w", err)
	}
	release, err := reserve(ctx, min(size, maxAudioTagBytes), lim.MaxDecodeBytes, "an audio file's tags")
	if err != nil {
		return nil, err
	}
	defer release()
	defer func() {
		if p := recover(); p != nil {
			md, err = nil, fmt.Errorf("audio tags: %w: %v", ErrCorrupt, p)
		}
	}()
	md, err = tag.ReadFrom(r)
	if errors.Is(err, tag.ErrNoTagsFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audio tags: %w: %v", ErrCorrupt, err)
	}
	return md, nil
}

// tagBounded checks what the tag reader would allocate from declared
// sizes before it reads them: an ID3v2 tag over maxAudioTagBytes, a FLAC
// picture whose fields claim more than their block holds.
func tagBounded(r io.ReaderAt, size int64) error {
	var h [10]byte
	if n, _ := r.ReadAt(h[:], 0); n < 10 {
		return nil
	}
	switch {
	case string(h[:3]) == "ID3":
		n := int64(h[6]&0x7f)<<21 | int64(h[7]&0x7f)<<14 | int64(h[8]&0x7f)<<7 | int64(h[9]&0x7f)
		if n > maxAudioTagBytes {
			return fmt.Errorf("%w: ID3 tag of %d bytes", ErrTooManyPixels, n)
		}
	case string(h[:4]) == "fLaC":
		return flacBounded(r, size)
	}
	return nil
}

// flacBounded walks FLAC's metadata blocks (at most a few thousand) and
// refuses a picture block whose MIME, description or data length exceeds
// the block.
func flacBounded(r io.ReaderAt, size int64) error {
	off := int64(4)
	for i := 0; i < 4096 && off+4 <= size; i++ {
		var bh [4]byte
		if _, err := r.ReadAt(bh[:], off); err != nil {
			return nil // the reader reports a short file itself
		}
		last, typ := bh[0]&0x80 != 0, bh[0]&0x7f
		blen := int64(bh[1])<<16 | int64(bh[2])<<8 | int64(bh[3])
		body := off + 4
		if typ == 6 {
			bad := fmt.Errorf("%w: FLAC picture larger than its block", ErrCorrupt)
			u32 := func(at int64) (int64, bool) {
				var b [4]byte
				if at+4 > body+blen {
					return 0, false
				}
				if _, err := r.ReadAt(b[:], at); err != nil {
					return 0, false
				}
				return int64(binary.BigEndian.Uint32(b[:])), true
			}
			p := body + 4 // picture type
			mimeLen, ok := u32(p)
			if !ok || mimeLen > blen {
				return bad
			}
			p += 4 + mimeLen
			descLen, ok := u32(p)
			if !ok || descLen > blen {
				return bad
			}
			p += 4 + descLen + 16 // width, height, depth, colours
			dataLen, ok := u32(p)
			if !ok || p+4+dataLen > body+blen {
				return bad
			}
		}
		if last {
			return nil
		}
		off = body + blen
	}
	return nil
}

// Poster is the embedded cover (decoded like any picture, within the
// budget) or, without one, the waveform.
func (audioDecoder) Poster(ctx context.Context, src *Source, lim Limits, enough func(w, h int) bool) (*image.RGBA, error) {
	md, _ := readAudioTags(ctx, src, lim)
	if md != nil {
		if p := md.Picture(); p != nil && len(p.Data) > 0 {
			data := p.Data
			md = nil // the tag's other frames need not stay
			img, info, release, err := decodeBytes(ctx, data, "cover", lim, enough,
				func(w, h int) int64 { return 2 * rgbaBytes(w, h) })
			if err == nil {
				defer release()
				return applyOrientation(toRGBA(img), info.Orientation), nil
			}
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			// A cover that does not decode: the waveform stands in.
		}
	}
	return waveform(ctx, src, lim, enough)
}

// Waveform: the size drawn (2:1, scaled down to what enough needs), the
// samples decoded for it at most, and the rates they are taken at.
const (
	waveW, waveH   = 1024, 512
	maxWaveSamples = 2 << 20
	minWaveRate    = 100
	maxWaveRate    = 8000
)

var (
	waveBackground = color.RGBA{0x1c, 0x20, 0x28, 0xff}
	waveForeground = color.RGBA{0x9c, 0xc8, 0xf4, 0xff}
)

// waveform draws the peaks of the sound, one column per slice of time,
// from ffmpeg's mono 16-bit samples at a rate low enough that the whole
// file is at most maxWaveSamples (a longer one than its duration says is
// cut there).
func waveform(ctx context.Context, src *Source, lim Limits, enough func(w, h int) bool) (*image.RGBA, error) {
	f, _ := src.Facts(ctx, lim)
	rate := maxWaveRate
	if f.Duration > 0 {
		rate = int(min(max(maxWaveSamples/f.Duration, minWaveRate), maxWaveRate))
	}
	maxOut := int64(maxWaveSamples * 2 * 2) // s16, and room for a duration understated twice over
	w, h := posterSize(waveW, waveH, enough)
	release, err := reserve(ctx, maxOut+rgbaBytes(w, h), lim.MaxDecodeBytes, "an audio waveform")
	if err != nil {
		return nil, err
	}
	defer release()
	secs := strconv.FormatFloat(float64(2*maxWaveSamples)/float64(rate), 'f', 3, 64)
	out, err := runTool(ctx, lim, "ffmpeg", maxOut, "-hide_banner", "-nostdin", "-loglevel", "error",
		"-i", "file:"+src.Path, "-map", "0:a:0", "-vn", "-sn", "-dn", "-t", secs,
		"-ac", "1", "-ar", strconv.Itoa(rate), "-f", "s16le", "-acodec", "pcm_s16le", "pipe:1")
	if err != nil {
		return nil, fmt.Errorf("audio waveform: %w", err)
	}
	n := len(out) / 2
	if n == 0 {
		return nil, fmt.Errorf("audio waveform: %w: no samples decode", ErrCorrupt)
	}
	return drawWaveform(out[:2*n], w, h), nil
}

// drawWaveform draws the peak of each column's samples (s16le),
// normalised to the loudest, as a band about the middle line.
func drawWaveform(pcm []byte, w, h int) *image.RGBA {
	n := len(pcm) / 2
	peaks := make([]float64, w)
	loudest := 0.0
	for x := range w {
		lo, hi := x*n/w, (x+1)*n/w
		if hi <= lo {
			hi = min(lo+1, n)
		}
		p := 0
		for i := lo; i < hi; i++ {
			s := int(int16(binary.LittleEndian.Uint16(pcm[2*i:])))
			p = max(p, s, -s)
		}
		peaks[x] = float64(p)
		loudest = max(loudest, peaks[x])
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := 0; i < len(img.Pix); i += 4 {
		copy(img.Pix[i:i+4], []byte{waveBackground.R, waveBackground.G, waveBackground.B, 0xff})
	}
	mid := float64(h) / 2
	for x := range w {
		a := 0.0
		if loudest > 0 {
			a = peaks[x] / loudest * 0.9 * mid
		}
		top := max(int(math.Round(mid-a)), 0)
		bottom := min(max(int(math.Round(mid+a)), top+1), h) // silence: the middle line
		for y := top; y < bottom; y++ {
			img.SetRGBA(x, y, waveForeground)
		}
	}
	return img
}
