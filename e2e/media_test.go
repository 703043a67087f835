//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/tagsight/tagsight/backend/testutil"
)

// TestPlayVideoAndSongInInspector: an 8 s video and a 3 s sine tone made
// by ffmpeg play in the inspector (currentTime advances) and seek (a jump
// to 2 s lands there, which needs the file server's Range answers); the
// video's tile is its poster with its duration, not the generic icon. The
// video also plays in the full preview, where Shift+→ seeks 5 s on.
func TestPlayVideoAndSongInInspector(t *testing.T) {
	testutil.NeedTools(t, "ffmpeg")
	root := t.TempDir()
	for name, args := range map[string][]string{
		"clip.webm": {"-f", "lavfi", "-i", "testsrc=s=320x240:r=25:d=8", "-c:v", "libvpx", "-b:v", "300k"},
		"tone.mp3":  {"-f", "lavfi", "-i", "sine=frequency=440:duration=3", "-c:a", "libmp3lame"},
	} {
		cmd := append([]string{"-hide_banner", "-loglevel", "error", "-nostdin"}, args...)
		if out, err := exec.Command("ffmpeg", append(cmd, filepath.Join(root, name))...).CombinedOutput(); err != nil {
			t.Fatalf("ffmpeg %s: %v %s", name, err, out)
		}
	}
	cmd := exec.Command(bin, "serve", root, "--addr", "127.0.0.1:0", "--model", colourModel)
	cmd.Env = append(os.Environ(), "TAGSIGHT_MODELS_DIR="+t.TempDir())
	cmd.Stderr = os.Stderr
	s := &server{URL: testutil.Serve(t, cmd), Root: root, cmd: cmd}
	s.waitIdle(t)

	ctx := browser(t)
	run(t, ctx, chromedp.Navigate(s.URL+"/"))
	for _, tc := range []struct{ query, path, tag string }{
		{"type:video", "clip.webm", "VIDEO"},
		{"type:audio", "tone.mp3", "AUDIO"},
	} {
		typeQuery(t, ctx, tc.query)
		settle(t, ctx, 1)
		if p := gridPaths(t, ctx); len(p) != 1 || p[0] != tc.path {
			t.Fatalf("%s: grid %v, want %s", tc.query, p, tc.path)
		}
		tile := `[data-testid="grid-item"][data-path="` + tc.path + `"]`
		if tc.tag == "VIDEO" {
			got := eval[string](t, ctx, `(() => { const c = document.querySelector('`+tile+`');
				const img = c.querySelector('img'); const l = c.querySelector('[data-testid="tile-label"]');
				return (img ? img.getAttribute('src').split('?')[0] : 'no img') + ' ' + (l ? l.textContent : 'no label') })()`)
			if !strings.HasPrefix(got, "/thumb/") || !strings.HasSuffix(got, " 0:08") {
				t.Errorf("video tile: %q, want its poster (/thumb/…) and 0:08", got)
			}
		}
		run(t, ctx, chromedp.Click(css(tile)))
		player := `[data-testid="player"]`
		run(t, ctx, chromedp.WaitReady(css(player)))
		if got := eval[string](t, ctx, `document.querySelector('`+player+`').tagName`); got != tc.tag {
			t.Fatalf("%s: player is %s, want %s", tc.path, got, tc.tag)
		}
		// Muted, so no autoplay policy stands in the way of play().
		eval[bool](t, ctx, `(() => { const p = document.querySelector('`+player+`'); p.muted = true; p.play().catch(e => { window.__playErr = String(e) }); return true })()`)
		waitFor(t, ctx, tc.path+" to play", func() bool {
			if e := eval[string](t, ctx, `window.__playErr || ''`); e != "" {
				t.Fatalf("%s: play: %s (error %v)", tc.path, e, eval[any](t, ctx, `document.querySelector('`+player+`').error?.message ?? null`))
			}
			return eval[float64](t, ctx, `document.querySelector('`+player+`').currentTime`) > 0.3
		})
		eval[bool](t, ctx, `(() => { const p = document.querySelector('`+player+`'); p.pause(); window.__seeked = false;
			p.addEventListener('seeked', () => { window.__seeked = true }, {once: true}); p.currentTime = 2; return true })()`)
		waitFor(t, ctx, tc.path+" to seek", func() bool { return eval[bool](t, ctx, `window.__seeked === true`) })
		if at := eval[float64](t, ctx, `document.querySelector('`+player+`').currentTime`); at < 1.9 || at > 2.1 {
			t.Errorf("%s: after seeking to 2 s, currentTime %.2f", tc.path, at)
		}
		shot(t, ctx, fmt.Sprintf("play-%s", tc.path))
		if tc.tag == "VIDEO" {
			playInFullPreview(t, ctx, tile)
		}
	}
}

// playInFullPreview opens the tile's full preview (double-click), plays its
// video there and seeks it with the preview's own key, Shift+→ (5 s on),
// then closes the preview with Escape.
func playInFullPreview(t *testing.T, ctx context.Context, tile string) {
	t.Helper()
	const player = `[role="dialog"] [data-testid="preview-player"]`
	run(t, ctx, chromedp.DoubleClick(css(tile)))
	run(t, ctx, chromedp.WaitReady(css(player)))
	if got := eval[string](t, ctx, `document.querySelector('`+player+`').tagName`); got != "VIDEO" {
		t.Fatalf("full preview player is %s, want VIDEO", got)
	}
	eval[bool](t, ctx, `(() => { const p = document.querySelector('`+player+`'); p.muted = true; p.play().catch(e => { window.__playErr = String(e) }); return true })()`)
	waitFor(t, ctx, "the full preview to play", func() bool {
		if e := eval[string](t, ctx, `window.__playErr || ''`); e != "" {
			t.Fatalf("full preview: play: %s", e)
		}
		return eval[float64](t, ctx, `document.querySelector('`+player+`').currentTime`) > 0.3
	})
	seek := func(what, js string) float64 {
		eval[bool](t, ctx, `(() => { const p = document.querySelector('`+player+`'); window.__seeked = false;
			p.addEventListener('seeked', () => { window.__seeked = true }, {once: true}); `+js+`; return true })()`)
		waitFor(t, ctx, what, func() bool { return eval[bool](t, ctx, `window.__seeked === true`) })
		return eval[float64](t, ctx, `document.querySelector('`+player+`').currentTime`)
	}
	if at := seek("a seek to 1 s", `p.pause(); p.currentTime = 1`); at < 0.9 || at > 1.1 {
		t.Fatalf("full preview: after seeking to 1 s, currentTime %.2f", at)
	}
	// The key goes to the dialog, as when it has the focus (the preview's default).
	if at := seek("Shift+→ to seek", `document.querySelector('[role="dialog"]').dispatchEvent(new KeyboardEvent('keydown', {key: 'ArrowRight', shiftKey: true, bubbles: true}))`); at < 5.9 || at > 6.1 {
		t.Errorf("full preview: Shift+→ from 1 s landed at %.2f, want 6", at)
	}
	shot(t, ctx, "play-full-preview")
	eval[bool](t, ctx, `document.querySelector('[role="dialog"]').dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape', bubbles: true}))`)
	waitFor(t, ctx, "the full preview to close", func() bool { return !eval[bool](t, ctx, `!!document.querySelector('[role="dialog"]')`) })
}
