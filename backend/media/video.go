package media

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tagsight/tagsight/backend/facts"
)

// videoDecoder reads videos with ffprobe (facts) and ffmpeg (the poster),
// run as child processes under Limits.MaxDecodeTime.
type videoDecoder struct{}

func (videoDecoder) Kind() string                          { return "video" }
func (videoDecoder) Applies(mediaType, format string) bool { return mediaType == TypeVideo }

// probeOutMax caps ffprobe's JSON: a real file's is a few KiB; a file
// with thousands of streams or tags is not worth more.
const probeOutMax = 4 << 20

// maxPlausibleDuration: a container claiming more is lying (a bogus
// Matroska duration): the duration is dropped and the file reported.
const maxPlausibleDuration = 30 * 24 * 3600.0

func (videoDecoder) Facts(ctx context.Context, src *Source, lim Limits) (facts.Facts, error) {
	if src.Path == "" {
		return facts.Facts{}, fmt.Errorf("video: %w: no file to read", ErrUnsupported)
	}
	out, err := runTool(ctx, lim, "ffprobe", probeOutMax, "-hide_banner", "-v", "error",
		"-print_format", "json", "-show_format", "-show_streams", "file:"+src.Path)
	if err != nil {
		return facts.Facts{}, fmt.Errorf("video facts: %w", err)
	}
	return parseProbe(out)
}

// ffprobeJSON is what `ffprobe -print_format json -show_format
// -show_streams` writes, the parts read.
type ffprobeJSON struct {
	Streams []struct {
		CodecType    string            `json:"codec_type"`
		CodecName    string            `json:"codec_name"`
		Width        int               `json:"width"`
		Height       int               `json:"height"`
		AvgFrameRate string            `json:"avg_frame_rate"`
		RFrameRate   string            `json:"r_frame_rate"`
		SampleRate   string            `json:"sample_rate"`
		Channels     int               `json:"channels"`
		Duration     string            `json:"duration"`
		Tags         map[string]string `json:"tags"`
		Disposition  map[string]int    `json:"disposition"`
		SideDataList []struct {
			SideDataType string  `json:"side_data_type"`
			Rotation     float64 `json:"rotation"`
		} `json:"side_data_list"`
	} `json:"streams"`
	Format struct {
		Duration string            `json:"duration"`
		BitRate  string            `json:"bit_rate"`
		Tags     map[string]string `json:"tags"`
	} `json:"format"`
}

// parseProbe turns ffprobe's JSON into facts. A duration no real file has
// is dropped and reported (the facts read still come back).
func parseProbe(data []byte) (facts.Facts, error) {
	var p ffprobeJSON
	if err := json.Unmarshal(data, &p); err != nil {
		return facts.Facts{}, fmt.Errorf("video facts: %w: ffprobe output: %v", ErrCorrupt, err)
	}
	var f facts.Facts
	var bogus error
	f.Duration = parseSeconds(p.Format.Duration)
	f.Bitrate, _ = strconv.ParseInt(p.Format.BitRate, 10, 64)
	f.Bitrate = max(f.Bitrate, 0)
	video, audio := false, false
	for _, s := range p.Streams {
		switch {
		case s.CodecType == "video" && !video && s.Disposition["attached_pic"] == 0 && s.Width > 0 && s.Height > 0:
			video = true
			f.Codec = s.CodecName
			f.Width, f.Height = s.Width, s.Height
			f.FPS = parseRate(s.AvgFrameRate)
			if f.FPS == 0 {
				f.FPS = parseRate(s.RFrameRate)
			}
			f.Rotation = streamRotation(s.Tags["rotate"])
			for _, sd := range s.SideDataList {
				if sd.SideDataType == "Display Matrix" {
					// ffprobe gives the counter-clockwise angle that undoes it.
					f.Rotation = normRotation(int(math.Round(-sd.Rotation)))
				}
			}
			if f.Rotation == 90 || f.Rotation == 270 {
				f.Width, f.Height = f.Height, f.Width
			}
			if f.Duration == 0 {
				f.Duration = parseSeconds(s.Duration)
			}
		case s.CodecType == "audio" && !audio:
			audio = true
			f.AudioCodec = s.CodecName
			f.SampleRate, _ = strconv.Atoi(s.SampleRate)
			f.SampleRate = max(f.SampleRate, 0)
			f.Channels = max(s.Channels, 0)
			if f.Duration == 0 {
				f.Duration = parseSeconds(s.Duration)
			}
		}
	}
	if f.Codec == "" {
		f.Codec = f.AudioCodec
	}
	if f.Duration > maxPlausibleDuration {
		bogus = fmt.Errorf("video facts: %w: implausible duration %.0f s", ErrCorrupt, f.Duration)
		f.Duration = 0
	}
	tags := lowerKeys(p.Format.Tags)
	for _, k := range []string{"com.apple.quicktime.creationdate", "creation_time", "date"} {
		if c := parseCreated(tags[k]); c != "" {
			f.Created = c
			break
		}
	}
	for _, k := range []string{"com.apple.quicktime.location.iso6709", "location", "location-eng"} {
		if lat, lon, ok := parseISO6709(tags[k]); ok {
			f.Lat, f.Lon = &lat, &lon
			break
		}
	}
	f.Make = firstTag(tags, "com.apple.quicktime.make", "com.android.manufacturer", "make")
	f.Model = firstTag(tags, "com.apple.quicktime.model", "com.android.model", "model")
	f.Title = firstTag(tags, "title", "com.apple.quicktime.title")
	f.Artist = firstTag(tags, "artist", "com.apple.quicktime.artist")
	if !video && !audio {
		return f, fmt.Errorf("video facts: %w: no video or audio stream", ErrCorrupt)
	}
	return f, bogus
}

func lowerKeys(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}

func firstTag(tags map[string]string, keys ...string) string {
	for _, k := range keys {
		if v := strings.TrimSpace(tags[k]); v != "" {
			return v
		}
	}
	return ""
}

// parseSeconds reads ffprobe's "12.345000"; anything not a finite,
// positive number is unknown.
func parseSeconds(s string) float64 {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
		return 0
	}
	return v
}

// parseRate reads a rational frame rate ("30000/1001").
func parseRate(s string) float64 {
	n, d, ok := strings.Cut(s, "/")
	num, err1 := strconv.ParseFloat(n, 64)
	den := 1.0
	var err2 error
	if ok {
		den, err2 = strconv.ParseFloat(d, 64)
	}
	if err1 != nil || err2 != nil || den <= 0 || num <= 0 || math.IsInf(num, 0) || math.IsNaN(num) {
		return 0
	}
	r := num / den
	if r > 10000 {
		return 0
	}
	return math.Round(r*1000) / 1000
}

func streamRotation(tag string) int {
	v, err := strconv.Atoi(strings.TrimSpace(tag))
	if err != nil {
		return 0
	}
	return normRotation(v)
}

// normRotation maps degrees onto 0, 90, 180 or 270 (the nearest).
func normRotation(deg int) int {
	deg %= 360
	if deg < 0 {
		deg += 360
	}
	return (deg + 45) / 90 % 4 * 90
}

// parseCreated reads a container's creation date into the entries' date
// form: "2006-01-02T15:04:05" plus its offset ("+00:00" for UTC).
func parseCreated(s string) string {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05Z0700", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.Year() < 1900 || t.Year() > 9999 { // QuickTime's zero date is 1904
				return ""
			}
			if layout == "2006-01-02 15:04:05" {
				return t.Format("2006-01-02T15:04:05")
			}
			return t.Format("2006-01-02T15:04:05-07:00")
		}
	}
	return ""
}

// iso6709 is the decimal-degrees form of ISO 6709 that QuickTime and MP4
// (©xyz) use: "+37.7749-122.4194+010.000/".
var iso6709 = regexp.MustCompile(`^([+-]\d{1,2}(?:\.\d+)?)([+-]\d{1,3}(?:\.\d+)?)`)

func parseISO6709(s string) (lat, lon float64, ok bool) {
	m := iso6709.FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return 0, 0, false
	}
	lat, err1 := strconv.ParseFloat(m[1], 64)
	lon, err2 := strconv.ParseFloat(m[2], 64)
	if err1 != nil || err2 != nil || math.Abs(lat) > 90 || math.Abs(lon) > 180 {
		return 0, 0, false
	}
	return lat, lon, true
}

// posterCandidates is how many keyframes the poster is chosen among, and
// posterSeek how far into a video they are looked for.
const (
	posterCandidates = 8
	posterSeek       = 120 * time.Second
)

// Poster picks a representative frame the way Immich does: keyframes
// only (-skip_frame nointra, cheap even for a long video), those that
// start a new scene (scene score), the first that is not black or a blank
// white flash. When every keyframe is blank (a fade-in longer than the
// gap between keyframes) the first half-minute is sampled once a second.
// ffmpeg applies the rotation and scales to the size asked for.
func (videoDecoder) Poster(ctx context.Context, src *Source, lim Limits, enough func(w, h int) bool) (*image.RGBA, error) {
	f, err := src.Facts(ctx, lim)
	if f.Width == 0 || f.Height == 0 {
		if err == nil {
			err = fmt.Errorf("video: %w: no video stream", ErrUnsupported)
		}
		return nil, err
	}
	if int64(f.Width)*int64(f.Height) > lim.MaxPixels {
		return nil, fmt.Errorf("video: %w: %dx%d exceeds %d pixels", ErrTooManyPixels, f.Width, f.Height, lim.MaxPixels)
	}
	w, h := posterSize(f.Width, f.Height, enough)
	frame := rgbaBytes(w, h)
	release, err := reserve(ctx, (posterCandidates+1)*frame, lim.MaxDecodeBytes, fmt.Sprintf("a %dx%d video frame", w, h))
	if err != nil {
		return nil, err
	}
	defer release()
	scale := fmt.Sprintf("scale=%d:%d:force_original_aspect_ratio=decrease,pad=%d:%d:(ow-iw)/2:(oh-ih)/2,setsar=1", w, h, w, h)
	frames := func(pre []string, filter string, n int) ([][]byte, error) {
		args := append([]string{"-hide_banner", "-nostdin", "-loglevel", "error"}, pre...)
		args = append(args, "-i", "file:"+src.Path, "-an", "-sn", "-dn", "-vf", filter+","+scale,
			"-frames:v", strconv.Itoa(n), "-vsync", "passthrough", "-pix_fmt", "rgba", "-f", "rawvideo", "pipe:1")
		out, err := runTool(ctx, lim, "ffmpeg", int64(n)*frame, args...)
		if err != nil {
			return nil, fmt.Errorf("video poster: %w", err)
		}
		var fs [][]byte
		for len(out) >= int(frame) {
			fs = append(fs, out[:frame])
			out = out[frame:]
		}
		return fs, nil
	}
	seek := strconv.FormatFloat(posterSeek.Seconds(), 'f', -1, 64)
	cands, err := frames([]string{"-skip_frame", "nointra", "-t", seek},
		`select='isnan(prev_selected_t)+gt(scene\,0.3)'`, posterCandidates)
	if err != nil {
		return nil, err
	}
	pick := -1
	for i, c := range cands {
		if !blankFrame(c) {
			pick = i
			break
		}
	}
	if pick < 0 {
		more, err := frames([]string{"-t", "30"}, "fps=1", 30)
		if err == nil && len(more) > 0 {
			for _, c := range more {
				if !blankFrame(c) {
					cands, pick = [][]byte{c}, 0
					break
				}
			}
			if len(cands) == 0 {
				cands = more
			}
		}
	}
	if len(cands) == 0 {
		return nil, fmt.Errorf("video poster: %w: no frame decodes", ErrCorrupt)
	}
	pick = max(pick, 0)
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	copy(img.Pix, cands[pick])
	return img, nil
}

// posterSize is the smallest size, aspect kept, that enough accepts, or
// the video's own size when none smaller does (never upscaled).
func posterSize(w, h int, enough func(w, h int) bool) (int, int) {
	long := max(w, h)
	at := func(l int) (int, int) {
		if l >= long {
			return w, h
		}
		return max(1, int(math.Round(float64(w)*float64(l)/float64(long)))), max(1, int(math.Round(float64(h)*float64(l)/float64(long))))
	}
	if enough == nil {
		return w, h
	}
	lo, hi := 1, long
	for lo < hi {
		mid := (lo + hi) / 2
		if enough(at(mid)) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return at(lo)
}

// blankFrame: black (the mean of each pixel's brightest channel under
// 24 of 255) or a flat white flash, not worth a tile.
func blankFrame(pix []byte) bool {
	var sumMax, sum, sumSq float64
	n := float64(len(pix) / 4)
	if n == 0 {
		return true
	}
	for i := 0; i+3 < len(pix); i += 4 {
		r, g, b := float64(pix[i]), float64(pix[i+1]), float64(pix[i+2])
		sumMax += max(r, g, b)
		y := 0.299*r + 0.587*g + 0.114*b
		sum += y
		sumSq += y * y
	}
	mean := sum / n
	sd := math.Sqrt(max(sumSq/n-mean*mean, 0))
	return sumMax/n < 24 || mean > 245 && sd < 4
}
