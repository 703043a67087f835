package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"

	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/vectors"
)

// childCPU is the CPU time of the finished child processes (ffmpeg).
func childCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchMoments measures keyframe extraction (issue 21, video moments):
// the CPU an hour of video costs (ffmpeg's and ours) and how many frames
// it gives, for generated hours at two sizes.
func benchMoments(rep *report, data string) {
	dir := filepath.Join(data, "moments")
	must(os.MkdirAll(dir, 0o755))
	rep.line("| video (1 hour, generated) | keyframes every | frames | wall s | CPU-s (ffmpeg + Go) per video-hour |")
	rep.line("|---|---|---|---|---|")
	for _, v := range []struct{ name, src, gop string }{
		{"320x240 10 fps", "testsrc2=s=320x240:r=10:d=3600,hue=h=t*7", "20"},
		{"1280x720 5 fps", "testsrc2=s=1280x720:r=5:d=3600,hue=h=t*7", "10"},
	} {
		p := filepath.Join(dir, fmt.Sprintf("hour-%s.mp4", v.gop))
		if _, err := os.Stat(p); err != nil {
			out, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "lavfi", "-i", v.src,
				"-c:v", "libx264", "-preset", "ultrafast", "-g", v.gop, "-pix_fmt", "yuv420p", p).CombinedOutput()
			if err != nil {
				rep.line("| %s | — | ffmpeg failed: %v %s | | |", v.name, err, out)
				continue
			}
		}
		src := media.NewSource(p, nil)
		c0, s0, t0 := childCPU(), cpuTime(), time.Now()
		n := 0
		err := src.Frames(context.Background(), media.Limits{}, func(w, h int) bool { return min(w, h) >= vectors.FrameShort },
			func(media.Frame) error { n++; return nil })
		wall := time.Since(t0)
		cpu := childCPU() - c0 + cpuTime() - s0
		src.Close()
		if err != nil {
			rep.line("| %s | 2 s | error: %v | | |", v.name, err)
			continue
		}
		rep.line("| %s | 2 s | %d | %.1f | %.1f |", v.name, n, wall.Seconds(), cpu.Seconds())
	}
	rep.line("")
	rep.line("One ffmpeg pass over keyframes only (`-skip_frame nokey`), scene changes (score > %.1f) plus one every %s, at most %d a file, scaled to a %d px short side.",
		0.3, media.KeyframeEvery, media.MaxKeyframes, vectors.FrameShort)
	rep.line("CLIP inference per kept frame costs what a picture's does (see clip.md); the toy model's dedupe is not measured here.")
}
