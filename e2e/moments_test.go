//go:build e2e

package e2e

import (
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
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("ffmpeg not installed")
	}
	root := t.TempDir()
	args := []string{"-hide_banner", "-loglevel", "error", "-nostdin"}
	for _, c := range []string{"red", "blue", "green"} {
		args = append(args, "-f", "lavfi", "-i", "color="+c+":s=320x240:d=8:r=25")
	}
	// VP8 (what every Chromium plays), a keyframe every 2 s.
	args = append(args, "-filter_complex", "[0][1][2]concat=n=3:v=1[v]", "-map", "[v]", "-c:v", "libvpx", "-b:v", "200k",
		"-g", "50", "-keyint_min", "50", "-auto-alt-ref", "0", filepath.Join(root, "rgb.webm"))
	if out, err := exec.Command("ffmpeg", args...).CombinedOutput(); err != nil {
		t.Fatalf("ffmpeg: %v %s", err, out)
	}
	cmd := exec.Command(bin, "serve", root, "--addr", "127.0.0.1:0", "--model", colourModel)
	cmd.Env = append(os.Environ(), "TAGSIGHT_MODELS_DIR="+t.TempDir())
	cmd.Stderr = os.Stderr
	s := &server{URL: testutil.Serve(t, cmd), Root: root, cmd: cmd}
	s.waitIdle(t)

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
