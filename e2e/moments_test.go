//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tagsight/tagsight/backend/testutil"
)

// Issue 21's Done-when in a browser: a video of 8 s red, 8 s blue, 8 s
// green is found by "blue"; its tile shows the blue moment and its time;
// the inspector lists the moment and clicking it puts the player at 8 s.
func TestSearchFindsVideoMoment(t *testing.T) {
	// VP8 (what every Chromium plays).
	s := serveColourVideo(t, "rgb.webm", "-c:v", "libvpx", "-b:v", "200k", "-auto-alt-ref", "0")

	ctx := browser(t)
	run(t, ctx, chromedp.Navigate(s.URL+"/"))
	typeQuery(t, ctx, "blue")
	settle(t, ctx, 1)
	if p := gridPaths(t, ctx); len(p) == 0 || p[0] != "rgb.webm" {
		t.Fatalf("blue: grid %v, want rgb.webm", p)
	}
	tile := `[data-testid="grid-item"][data-path="rgb.webm"]`
	got := eval[string](t, ctx, `(() => { const c = document.querySelector('`+tile+`');
		const img = c.querySelector('img'); const l = c.querySelector('[data-testid="tile-moment"]');
		return (img ? img.getAttribute('src').split('?')[0] : 'no img') + ' ' + (l ? l.textContent : 'no moment') })()`)
	if !strings.HasPrefix(got, "/frame/") || !strings.HasSuffix(got, "0:08") {
		t.Errorf("video tile: %q, want its moment's frame (/frame/…) and 0:08", got)
	}
	// The tile's frame is served (and is an image the browser decodes).
	waitFor(t, ctx, "the moment's frame to load", func() bool {
		return eval[bool](t, ctx, `(() => { const i = document.querySelector('`+tile+` img'); return i.complete && i.naturalWidth > 0 })()`)
	})
	run(t, ctx, chromedp.Click(css(tile)))
	player := `[data-testid="player"]`
	run(t, ctx, chromedp.WaitReady(css(player)))
	moment := `[data-testid="moment"]`
	run(t, ctx, chromedp.WaitReady(css(moment)))
	if at := eval[float64](t, ctx, `+document.querySelector('`+moment+`').dataset.at`); at < 7000 || at > 9000 {
		t.Fatalf("first moment at %v ms, want 8 s ± 1 s", at)
	}
	eval[bool](t, ctx, `(() => { const p = document.querySelector('`+player+`'); p.muted = true; return true })()`)
	run(t, ctx, chromedp.Click(css(moment)))
	waitFor(t, ctx, "the player to stand at the moment", func() bool {
		at := eval[float64](t, ctx, `document.querySelector('`+player+`').currentTime`)
		return at >= 7 && at <= 9
	})
	shot(t, ctx, "video-moment")
}

// TestMomentOfALateStartingVideo: a video whose timestamps start at 5 s
// (a camera's or a cut's offset) plays its moment where the moment is:
// Tagsight's times count from the start of the file, while Chromium's
// clock for such a file starts at 5. After clicking the blue moment, the
// frame the player shows is blue (read from its pixels), not the red of
// the file's 3 s.
func TestMomentOfALateStartingVideo(t *testing.T) {
	// H.264 in MP4 (Chromium's clock for an MP4 follows its timestamps;
	// for WebM it starts at 0 whatever they say).
	s := serveColourVideo(t, "late.mp4", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-output_ts_offset", "5")

	ctx := browser(t)
	run(t, ctx, chromedp.Navigate(s.URL+"/"))
	typeQuery(t, ctx, "blue")
	settle(t, ctx, 1)
	tile := `[data-testid="grid-item"][data-path="late.mp4"]`
	run(t, ctx, chromedp.Click(css(tile)))
	player := `[data-testid="player"]`
	moment := `[data-testid="moment"]`
	run(t, ctx, chromedp.WaitReady(css(player)))
	run(t, ctx, chromedp.WaitReady(css(moment)))
	if at := eval[float64](t, ctx, `+document.querySelector('`+moment+`').dataset.at`); at < 7000 || at > 9000 {
		t.Fatalf("first moment at %v ms, want 8 s ± 1 s from the start of the file", at)
	}
	eval[bool](t, ctx, `(() => { const p = document.querySelector('`+player+`'); p.muted = true;
		window.__seeked = false; p.addEventListener('seeked', () => { window.__seeked = true }, { once: true }); return true })()`)
	run(t, ctx, chromedp.Click(css(moment)))
	// The frame the seek landed on, before playing on could reach blue
	// from an earlier time: paused as soon as the seek is done, drawn on
	// a canvas.
	colour := `(() => { const v = document.querySelector('` + player + `');
		if (!window.__seeked || v.seeking || v.readyState < 2) return '';
		v.pause();
		const c = document.createElement('canvas'); c.width = 8; c.height = 8;
		const g = c.getContext('2d'); g.drawImage(v, 0, 0, 8, 8);
		const d = g.getImageData(4, 4, 1, 1).data; return d[0] + ',' + d[1] + ',' + d[2]; })()`
	var got string
	waitFor(t, ctx, "the player to land on the moment", func() bool {
		got = eval[string](t, ctx, colour)
		return got != ""
	})
	var r, g, b int
	if _, err := fmt.Sscanf(got, "%d,%d,%d", &r, &g, &b); err != nil || b < 150 || r > 80 || g > 80 {
		t.Fatalf("the player shows %s at the moment, want blue (red is the file's 3 s: the moment played on the element's clock, not the file's)", got)
	}
}

// serveColourVideo serves, with the colour model, a library of one video
// named name: 8 s red, 8 s blue, 8 s green, a keyframe every 2 s, encoded
// with the codec arguments given.
func serveColourVideo(t *testing.T, name string, codec ...string) *server {
	t.Helper()
	testutil.NeedTools(t, "ffmpeg")
	root := t.TempDir()
	args := []string{"-hide_banner", "-loglevel", "error", "-nostdin"}
	for _, c := range []string{"red", "blue", "green"} {
		args = append(args, "-f", "lavfi", "-i", "color="+c+":s=320x240:d=8:r=25")
	}
	args = append(args, "-filter_complex", "[0][1][2]concat=n=3:v=1[v]", "-map", "[v]", "-g", "50", "-keyint_min", "50")
	args = append(append(args, codec...), filepath.Join(root, name))
	if out, err := exec.Command("ffmpeg", args...).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v %s", err, out)
	}
	cmd := exec.Command(bin, "serve", root, "--addr", "127.0.0.1:0", "--model", colourModel)
	cmd.Env = append(os.Environ(), "TAGSIGHT_MODELS_DIR="+t.TempDir())
	cmd.Stderr = os.Stderr
	s := &server{URL: testutil.Serve(t, cmd), Root: root, cmd: cmd}
	s.waitIdle(t)
	return s
}
