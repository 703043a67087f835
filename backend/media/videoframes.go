package media

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// Keyframe selection (issue 21, video moments): a frame where the scene
// changes, and at least one every KeyframeEvery, at most MaxKeyframes per
// file. A long video's frames are spread over its whole length instead of
// stopping at the cap: the interval grows so that duration/interval stays
// under the cap, and no two frames come closer than duration/MaxKeyframes.
const (
	MaxKeyframes  = 200
	KeyframeEvery = 15 * time.Second
	sceneChange   = 0.3
)

// keyframeTimePerHour is how much longer than Limits.MaxDecodeTime one
// hour of video may take: ffmpeg demuxes the whole file even when it
// decodes keyframes only.
const keyframeTimePerHour = 5 * time.Minute

// The duration a keyframe pass's time limit grows with is the declared
// one, clamped: to keyframeMaxHours, and to what the file's size holds at
// keyframeMinRate bytes a second (8 kbit/s: below any real video), so a
// header declaring years gives no unlimited pass.
const (
	keyframeMaxHours = 12
	keyframeMinRate  = 1000
)

// keyframeTimeout is the time limit of the keyframe pass over a video
// declaring secs seconds in size bytes.
func keyframeTimeout(base time.Duration, secs float64, size int64) time.Duration {
	if !(secs > 0) { // NaN too
		return base
	}
	secs = min(secs, keyframeMaxHours*3600, float64(max(size, 0))/keyframeMinRate)
	return base + time.Duration(float64(keyframeTimePerHour)*secs/3600)
}

// keyframeFilter is the select expression of the keyframes of a video of
// duration d (0: unknown), in ffmpeg's filter syntax.
func keyframeFilter(d time.Duration) string {
	every := KeyframeEvery.Seconds()
	gap := 0.0
	if d > 0 {
		gap = d.Seconds() / MaxKeyframes
		every = math.Max(every, gap)
	}
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', 3, 64) }
	return fmt.Sprintf(`select='isnan(prev_selected_t)+gte(t-prev_selected_t\,%s)*(gt(scene\,%s)+gte(t-prev_selected_t\,%s))'`,
		f(gap), f(sceneChange), f(every))
}

// Frames implements Framer: the video's keyframes chosen by scene change
// (keyframeFilter) in one ffmpeg pass over keyframes only (-skip_frame
// nokey: cheap even for a long file), each with its time, rotated as the
// poster is and scaled to the smallest size enough accepts. The memory of
// every frame the cap allows is reserved before the first is read (what
// the frames handed out hold stays reserved for a FramesHeld caller), and
// the pass is bounded by MaxDecodeTime plus keyframeTimePerHour of the video.
func (videoDecoder) Frames(ctx context.Context, src *Source, lim Limits, enough func(w, h int) bool, yield func(Frame) error) error {
	f, err := src.Facts(ctx, lim)
	if f.Width == 0 || f.Height == 0 {
		if err == nil {
			err = fmt.Errorf("video: %w: no video stream", ErrUnsupported)
		}
		return err
	}
	if int64(f.Width)*int64(f.Height) > lim.MaxPixels {
		return fmt.Errorf("video: %w: %dx%d exceeds %d pixels", ErrTooManyPixels, f.Width, f.Height, lim.MaxPixels)
	}
	w, h := posterSize(f.Width, f.Height, enough)
	frame := rgbaBytes(w, h)
	held, err := reserveHold(ctx, MaxKeyframes*frame, lim.MaxDecodeBytes, fmt.Sprintf("%d %dx%d video frames", MaxKeyframes, w, h))
	if err != nil {
		return err
	}
	defer held.release()
	dur := time.Duration(f.Duration * float64(time.Second))
	_, size, err := src.sourceReaderAt()
	if err != nil {
		return fmt.Errorf("video frames: %w", err)
	}
	timeout := keyframeTimeout(lim.MaxDecodeTime, f.Duration, size)
	scale := fmt.Sprintf("scale=%d:%d:force_original_aspect_ratio=decrease,pad=%d:%d:(ow-iw)/2:(oh-ih)/2,setsar=1", w, h, w, h)
	args := []string{"-hide_banner", "-nostdin", "-nostats", "-loglevel", "info", "-skip_frame", "nokey",
		"-i", "file:" + src.Path, "-an", "-sn", "-dn", "-vf", keyframeFilter(dur) + ",showinfo," + scale,
		"-vsync", "passthrough", "-frames:v", strconv.Itoa(MaxKeyframes), "-pix_fmt", "rgba", "-f", "rawvideo", "pipe:1"}
	n := 0
	err = streamTool(ctx, lim, timeout, "ffmpeg", args, func(out io.Reader, times <-chan time.Duration) error {
		for n < MaxKeyframes {
			img := image.NewRGBA(image.Rect(0, 0, w, h))
			if _, err := io.ReadFull(out, img.Pix); err != nil {
				if errors.Is(err, io.EOF) {
					return nil
				}
				return fmt.Errorf("video frames: %w: %v", ErrCorrupt, err)
			}
			at, ok := <-times
			if !ok {
				return fmt.Errorf("video frames: %w: frame %d has no time", ErrCorrupt, n)
			}
			n++
			if err := yield(Frame{Image: img, At: at}); err != nil {
				return err
			}
		}
		return nil
	})
	// The frames yielded stay counted while a FramesHeld caller keeps
	// them (those before a failure too); the cap's unused rest goes back.
	src.handFrames(held, int64(n)*frame)
	if err == nil && n == 0 {
		err = fmt.Errorf("video frames: %w: no frame decodes", ErrCorrupt)
	}
	return err
}

// showinfoTime reads a frame's time from a line ffmpeg's showinfo filter
// writes ("[Parsed_showinfo_1 @ 0x…] n:   1 pts: 102400 pts_time:8 …").
func showinfoTime(line string) (time.Duration, bool) {
	if !strings.Contains(line, "Parsed_showinfo") {
		return 0, false
	}
	_, rest, ok := strings.Cut(line, " pts_time:")
	if !ok {
		return 0, false
	}
	v, err := strconv.ParseFloat(strings.Fields(rest + " ")[0], 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	return time.Duration(max(v, 0) * float64(time.Second)), true
}

// Frames hands the file's frames (a video's keyframes) to yield through
// its kind's decoder; a kind without frames is ErrUnsupported.
func (s *Source) Frames(ctx context.Context, lim Limits, enough func(w, h int) bool, yield func(Frame) error) error {
	d, _, err := s.decoder(ctx, lim)
	if err != nil {
		return err
	}
	fr, ok := d.(Framer)
	if !ok {
		return fmt.Errorf("frames: %w: %s files have none", ErrUnsupported, d.Kind())
	}
	return fr.Frames(ctx, s, lim.withDefaults(), enough, yield)
}

// lineTimes sends the frame times showinfo writes to r on a channel,
// closed at r's end; the other lines' last few are kept for the error.
// It never blocks on times for long: streamTool drains it.
func lineTimes(r io.Reader, times chan<- time.Duration, last *[]string) {
	defer close(times)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if at, ok := showinfoTime(line); ok {
			times <- at
			continue
		}
		if strings.TrimSpace(line) != "" {
			*last = append(*last, line)
			if len(*last) > 16 {
				*last = (*last)[1:]
			}
		}
	}
	io.Copy(io.Discard, r) // a line past the scanner's cap: keep ffmpeg writing
}
