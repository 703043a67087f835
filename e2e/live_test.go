//go:build e2e

package e2e

import (
	"fmt"
	"image/color"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/tagsight/tagsight/backend/testutil"
)

// liveView is what the test watches of the page: the grid's scroll
// position and count, what is selected, and what the inspector shows.
type liveView struct {
	ScrollTop float64  `json:"scrollTop"`
	Count     string   `json:"count"`
	Selected  []string `json:"selected"`
	Inspector string   `json:"inspector"`
	Chips     []string `json:"chips"`
	Query     string   `json:"query"`
}

const liveViewJS = `(() => {
	const sc = document.querySelector('.scroller');
	return {
		scrollTop: sc ? sc.scrollTop : -1,
		count: (document.querySelector('.toolbar .count')?.textContent ?? '').replace(/\s+/g, ' ').trim(),
		selected: [...document.querySelectorAll('[data-testid="grid-item"][aria-selected="true"]')].map(e => e.dataset.path),
		inspector: document.querySelector('aside[aria-label="Inspector"] h2.name')?.getAttribute('title') ?? '',
		chips: [...document.querySelectorAll('aside[aria-label="Inspector"] [data-testid="tag-chip"]')].map(e => e.textContent.trim()),
		query: document.querySelector('input[aria-label="Search"]')?.value ?? '',
	};
})()`

// TestLiveLibrary: with the served app open, scrolled and with a picture
// selected, files copied in with cp -r, a folder renamed, files deleted, a
// photo overwritten, and another process tagging — each shows in the grid
// and the inspector without moving the user's scroll position, selection
// or search.
func TestLiveLibrary(t *testing.T) {
	s := startServer(t, 10) // 60 pictures, 10 per colour folder
	ctx := browser(t)
	run(t, ctx, chromedp.Navigate(s.URL+"/"))
	settle(t, ctx, -1)
	view := func() liveView { return eval[liveView](t, ctx, liveViewJS) }
	waitView := func(what string, cond func(v liveView) bool) liveView {
		t.Helper()
		start := time.Now()
		var v liveView
		defer func() {
			if t.Failed() {
				t.Logf("last view: %+v", v)
			}
		}()
		waitFor(t, ctx, what, func() bool { v = view(); return cond(v) })
		t.Logf("%s: %.1fs", what, time.Since(start).Seconds())
		return v
	}
	waitView("60 items", func(v liveView) bool { return strings.HasPrefix(v.Count, "60 items") })

	// The user scrolls down a little and selects a green picture.
	eval[bool](t, ctx, `(() => { const sc = document.querySelector('.scroller'); sc.scrollTop = 140; sc.dispatchEvent(new Event('scroll')); return true })()`)
	pick := `[data-testid="grid-item"][data-path="green/green-05.jpg"]`
	run(t, ctx, chromedp.WaitVisible(css(pick)), chromedp.Click(css(pick)))
	before := waitView("the inspector", func(v liveView) bool { return v.Inspector == "green/green-05.jpg" })
	if before.ScrollTop < 100 || len(before.Selected) != 1 {
		t.Fatalf("setup: %+v", before)
	}
	kept := func(v liveView, path string) {
		t.Helper()
		if v.ScrollTop != before.ScrollTop || len(v.Selected) != 1 || v.Selected[0] != path || v.Inspector != path || v.Query != "" {
			t.Fatalf("the user's place moved: %+v, was %+v (selected %s)", v, before, path)
		}
	}
	// 200 photos copied in with cp -r (into "trip/": below the view).
	src := t.TempDir()
	for i := 0; i < 200; i++ {
		c := color.RGBA{uint8(i), 40, uint8(200 - i/2), 255}
		testutil.WriteFile(t, filepath.Join(src, "trip", fmt.Sprintf("day%d", i/50), fmt.Sprintf("IMG_%04d.jpg", i)), flatJPEG(t, c, 320, 240))
	}
	if out, err := exec.Command("cp", "-r", filepath.Join(src, "trip"), s.Root).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v %s", err, out)
	}
	kept(waitView("260 items after cp -r", func(v liveView) bool { return strings.HasPrefix(v.Count, "260 items") }), "green/green-05.jpg")

	// The selected picture's folder is renamed: same entry, new path.
	if err := os.Rename(filepath.Join(s.Root, "green"), filepath.Join(s.Root, "lime")); err != nil {
		t.Fatal(err)
	}
	v := waitView("the renamed folder", func(v liveView) bool {
		return v.Inspector == "lime/green-05.jpg" && len(v.Selected) == 1 && v.Selected[0] == "lime/green-05.jpg"
	})
	kept(v, "lime/green-05.jpg")
	if !strings.HasPrefix(v.Count, "260 items") {
		t.Errorf("a rename changed the count: %s", v.Count)
	}

	// 10 files deleted.
	for i := 0; i < 10; i++ {
		if err := os.Remove(filepath.Join(s.Root, "trip", "day0", fmt.Sprintf("IMG_%04d.jpg", i))); err != nil {
			t.Fatal(err)
		}
	}
	kept(waitView("250 items after 10 deletions", func(v liveView) bool { return strings.HasPrefix(v.Count, "250 items") }), "lime/green-05.jpg")

	// One photo overwritten with another picture (a red one over yellow).
	if err := os.WriteFile(filepath.Join(s.Root, "yellow", "yellow-04.jpg"), flatJPEG(t, color.RGBA{231, 21, 19, 255}, 160, 120), 0o644); err != nil {
		t.Fatal(err)
	}
	// Another process tags the selected picture: its chip shows up.
	// Once the server has indexed the overwrite (the picture is now among
	// the red ones), the CLI writes.
	waitFor(t, ctx, "the overwrite indexed", func() bool {
		for i, it := range s.find(t, "red") {
			if i < 11 && it.Path == "yellow/yellow-04.jpg" {
				return true
			}
		}
		return false
	})
	for _, args := range [][]string{{"tags", s.Root, "create", "Sunset"}, {"tag", s.Root, "add", "Sunset", "lime/green-05.jpg"}} {
		if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
			t.Fatalf("tagsight %v: %v %s", args, err, out)
		}
	}
	kept(waitView("the other process's tag in the inspector", func(v liveView) bool {
		return len(v.Chips) == 1 && strings.Contains(v.Chips[0], "Sunset")
	}), "lime/green-05.jpg")
	shot(t, ctx, "live-library")

	// The overwritten photo is found by its new content.
	typeQuery(t, ctx, "red")
	waitFor(t, ctx, "the overwritten photo among the red ones", func() bool {
		paths := gridPaths(t, ctx)
		for i, p := range paths {
			if i < 11 && p == "yellow/yellow-04.jpg" {
				return true
			}
		}
		return false
	})
	// And the renamed folder by its new name.
	typeQuery(t, ctx, "path:lime/")
	settle(t, ctx, 10)
}

// TestLiveOtherProcess: the server polls (no change events; the sidebar
// says so and why), so what reaches the page comes from another process:
// `tagsight index` of new photos and `tagsight tag`. The page follows
// without losing the user's place.
func TestLiveOtherProcess(t *testing.T) {
	s := startServer(t, 10, "--watch", "poll", "--poll-every", "1h")
	ctx := browser(t)
	run(t, ctx, chromedp.Navigate(s.URL+"/"))
	settle(t, ctx, -1)
	status := eval[string](t, ctx, `(() => { const d = document.querySelector('[data-watch="polling"]'); return d ? d.textContent.replace(/\s+/g, ' ') : '' })()`)
	if !strings.Contains(status, "every 1 h") && !strings.Contains(status, "every 60 min") && !strings.Contains(status, "every 3600 s") {
		t.Errorf("the sidebar does not say it polls, and how often: %q", status)
	}
	if !strings.Contains(status, "polling was chosen") {
		t.Errorf("the sidebar does not say why it polls: %q", status)
	}
	view := func() liveView { return eval[liveView](t, ctx, liveViewJS) }
	pick := `[data-testid="grid-item"][data-path="blue/blue-02.jpg"]`
	run(t, ctx, chromedp.WaitVisible(css(pick)), chromedp.Click(css(pick)))
	var before liveView
	waitFor(t, ctx, "the inspector", func() bool { before = view(); return before.Inspector == "blue/blue-02.jpg" })

	for i := 0; i < 30; i++ {
		testutil.WriteFile(t, filepath.Join(s.Root, "aaa-new", fmt.Sprintf("n-%02d.jpg", i)), flatJPEG(t, color.RGBA{uint8(100 + i), 100, 100, 255}, 160, 120))
	}
	if out, err := exec.Command(bin, "index", s.Root, "--model", colourModel).CombinedOutput(); err != nil {
		t.Fatalf("tagsight index: %v %s", err, out)
	}
	var v liveView
	waitFor(t, ctx, "another process's 30 new photos", func() bool { v = view(); return strings.HasPrefix(v.Count, "90 items") })
	// They sort first ("aaa-new/"): the picture the user selected moved
	// down the list, and is still the one selected.
	if v.ScrollTop != before.ScrollTop || v.Inspector != "blue/blue-02.jpg" || !strings.Contains(v.Count, "1 selected") {
		t.Fatalf("the user's place moved: %+v, was %+v", v, before)
	}
	for _, args := range [][]string{{"tags", s.Root, "create", "Harbour"}, {"tag", s.Root, "add", "Harbour", "blue/blue-02.jpg"}} {
		if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
			t.Fatalf("tagsight %v: %v %s", args, err, out)
		}
	}
	waitFor(t, ctx, "another process's tag in the inspector", func() bool {
		v = view()
		return len(v.Chips) == 1 && strings.Contains(v.Chips[0], "Harbour")
	})
	// The sidebar lists the new tag too.
	run(t, ctx, chromedp.WaitVisible(css(`nav[aria-label="Library"] ul[aria-label="Tags"] button[title="Harbour"]`)))
}
