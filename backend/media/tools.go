package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// findTool finds a program a decoder runs (ffmpeg, ffprobe): in
// $TAGSIGHT_FFMPEG_DIR when set (and only there), else next to the running
// binary (the Windows and macOS packages carry it there), else on PATH
// (the .deb depends on Debian's ffmpeg). Looked up per file, so a program
// installed while Tagsight runs is found by the next scan.
func findTool(name string) (string, error) {
	exe := name
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	isFile := func(p string) bool {
		st, err := os.Stat(p)
		return err == nil && st.Mode().IsRegular()
	}
	if dir, ok := os.LookupEnv("TAGSIGHT_FFMPEG_DIR"); ok {
		if p := filepath.Join(dir, exe); isFile(p) {
			return p, nil
		}
		return "", fmt.Errorf("%w: %s not found in TAGSIGHT_FFMPEG_DIR (%s)", ErrMissingTool, name, dir)
	}
	if self, err := os.Executable(); err == nil {
		if p := filepath.Join(filepath.Dir(self), exe); isFile(p) {
			return p, nil
		}
	}
	if p, err := exec.LookPath(exe); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("%w: %s not found next to tagsight or on PATH; install ffmpeg (Debian/Ubuntu: apt install ffmpeg)", ErrMissingTool, name)
}

// toolStderrMax caps what of a program's error output is kept.
const toolStderrMax = 16 << 10

// runTool runs a decoder's program on one file and returns its standard
// output, at most maxOut bytes: killed when it runs past lim.MaxDecodeTime
// or writes more, its error output (capped) in the error.
func runTool(ctx context.Context, lim Limits, name string, maxOut int64, args ...string) ([]byte, error) {
	bin, err := findTool(name)
	if err != nil {
		return nil, err
	}
	lim = lim.withDefaults()
	tctx, cancel := context.WithTimeout(ctx, lim.MaxDecodeTime)
	defer cancel()
	cmd := exec.CommandContext(tctx, bin, args...)
	stdout := &cappedBuffer{max: maxOut, over: cancel}
	stderr := &cappedBuffer{max: toolStderrMax}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, stdout, stderr
	// A grandchild holding the pipes open must not hold us past the kill.
	cmd.WaitDelay = 2 * time.Second
	runErr := cmd.Run()
	switch {
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case stdout.overflow:
		return nil, fmt.Errorf("%s: %w: output exceeds %d bytes", name, ErrTooManyPixels, maxOut)
	case errors.Is(tctx.Err(), context.DeadlineExceeded):
		return nil, fmt.Errorf("%s: ran past %s, killed", name, lim.MaxDecodeTime)
	case runErr != nil:
		msg := lastLine(stderr.Bytes())
		if msg == "" {
			msg = runErr.Error()
		}
		return nil, fmt.Errorf("%s: %w: %s", name, ErrCorrupt, msg)
	}
	return stdout.Bytes(), nil
}

// lastLine is the last non-empty line of a program's error output: the
// one that says why it stopped.
func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// cappedBuffer keeps at most max bytes; past that it keeps nothing more
// and calls over (which kills the program) once.
type cappedBuffer struct {
	bytes.Buffer
	max      int64
	over     func()
	overflow bool
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	if room := c.max - int64(c.Len()); int64(len(p)) > room {
		if room > 0 && c.over == nil {
			c.Buffer.Write(p[:room])
		}
		if c.over != nil && !c.overflow {
			c.overflow = true
			c.over()
		}
		return len(p), nil
	}
	return c.Buffer.Write(p)
}

// streamTool runs a decoder's program whose output is read as it comes
// (a video's keyframes): read gets its standard output and the frame
// times its error output carries (lineTimes). The program is killed when
// read returns, when it runs past timeout, or when ctx ends.
func streamTool(ctx context.Context, lim Limits, timeout time.Duration, name string, args []string,
	read func(out io.Reader, times <-chan time.Duration) error) error {
	bin, err := findTool(name)
	if err != nil {
		return err
	}
	if timeout <= 0 {
		timeout = lim.withDefaults().MaxDecodeTime
	}
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(tctx, bin, args...)
	cmd.Stdin = nil
	cmd.WaitDelay = 2 * time.Second
	out, err := cmd.StdoutPipe()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	errOut, err := cmd.StderrPipe()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	times := make(chan time.Duration, 16)
	var last []string
	stderrDone := make(chan struct{})
	go func() { lineTimes(errOut, times, &last); close(stderrDone) }()
	readErr := read(out, times)
	if readErr != nil {
		cancel() // a reader that stopped early wants no more
	}
	// Whatever was not read is not wanted: drain, so neither pipe holds
	// the program up.
	go func() {
		for range times {
		}
	}()
	io.Copy(io.Discard, out)
	<-stderrDone
	runErr := cmd.Wait()
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case errors.Is(tctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("%s: ran past %s, killed", name, timeout)
	case readErr != nil:
		return readErr
	case runErr != nil:
		msg := runErr.Error()
		if len(last) > 0 {
			msg = strings.TrimSpace(last[len(last)-1])
		}
		return fmt.Errorf("%s: %w: %s", name, ErrCorrupt, msg)
	}
	return nil
}
