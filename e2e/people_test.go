//go:build e2e

package e2e

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/tagsight/tagsight/backend/testutil"
)

// TestNamePersonInPeopleView indexes pictures with the test face models
// (a "face" is a bright disc; its colour is who it is), names the red
// person Alice in the People view with the keyboard alone, and checks the
// effect where the user sees it: person:Alice finds exactly the red
// pictures, and the inspector draws Alice's box over the disc that was
// painted there.
func TestNamePersonInPeopleView(t *testing.T) {
	root := t.TempDir()
	type painted struct{ x, y, w float64 } // centre and width, fractions of the picture
	want := map[string]painted{}
	people := map[string]color.RGBA{"red": {230, 30, 30, 255}, "blue": {40, 60, 235, 255}}
	for name, c := range people {
		for i := 0; i < 3; i++ {
			w, h := 640, 480
			if i == 1 { // portrait: the inspector letterboxes it, and the boxes must follow
				w, h = 480, 640
			}
			d := testutil.Disc{X: 150 + 120*float64(i), Y: 200 + 30*float64(i), R: 56, C: c}
			rel := fmt.Sprintf("%s/%s-%d.jpg", name, name, i)
			want[rel] = painted{d.X / float64(w), d.Y / float64(h), 2 * d.R / float64(w)}
			testutil.WriteFile(t, filepath.Join(root, filepath.FromSlash(rel)), testutil.JPEG(t, testutil.DiscsImage(w, h, d), nil))
		}
	}
	cmd := exec.Command(bin, "serve", root, "--addr", "127.0.0.1:0", "--model", colourModel, "--faces-model", testutil.FaceModels(t, false))
	cmd.Env = append(os.Environ(), "TAGSIGHT_MODELS_DIR="+t.TempDir())
	cmd.Stderr = os.Stderr
	s := &server{URL: testutil.Serve(t, cmd), Root: root, cmd: cmd}
	s.waitIdle(t)

	// Which person is red comes from the faces stored on a red picture.
	var red0 struct {
		Faces []struct {
			PersonID int64 `json:"person_id"`
		}
	}
	reds := s.find(t, "path:red/")
	if len(reds) != 3 {
		t.Fatalf("red pictures: %+v", reds)
	}
	s.call(t, "Entry", &red0, reds[0].ID)
	if len(red0.Faces) != 1 || red0.Faces[0].PersonID == 0 {
		t.Fatalf("the red picture's faces: %+v", red0)
	}
	redID := red0.Faces[0].PersonID

	ctx := browser(t)
	run(t, ctx, chromedp.Navigate(s.URL+"/"))
	run(t, ctx, chromedp.WaitVisible(css(`[data-testid="nav-people"]`)), chromedp.Click(css(`[data-testid="nav-people"]`)))
	run(t, ctx, chromedp.WaitVisible(css(`[data-testid="person-card"]`)))
	waitFor(t, ctx, "two people", func() bool {
		return eval[int](t, ctx, `document.querySelectorAll('[data-testid="person-card"]').length`) == 2
	})
	shot(t, ctx, "people-unnamed")

	// Keyboard only: focus the first card, arrow to the red person, F2,
	// type the name, Enter.
	eval[bool](t, ctx, `(document.querySelector('[data-testid="person-card"]').focus(), true)`)
	for i := 0; i < 2 && eval[string](t, ctx, `document.activeElement?.dataset?.person ?? ''`) != fmt.Sprint(redID); i++ {
		run(t, ctx, chromedp.KeyEvent(kb.ArrowRight))
	}
	if got := eval[string](t, ctx, `document.activeElement?.dataset?.person ?? ''`); got != fmt.Sprint(redID) {
		t.Fatalf("arrow keys did not reach the red person %d (focused %q)", redID, got)
	}
	run(t, ctx, chromedp.KeyEvent(kb.F2))
	if tag := eval[string](t, ctx, `document.activeElement?.tagName ?? ''`); tag != "INPUT" {
		t.Fatalf("F2 did not open the name field (focus on %s)", tag)
	}
	run(t, ctx, chromedp.KeyEvent("Alice"), chromedp.KeyEvent(kb.Enter))

	// The core has the name: a People tag on exactly the red pictures.
	waitFor(t, ctx, "person:Alice to find the red pictures", func() bool {
		got := s.find(t, "person:Alice")
		return len(got) == 3 && strings.HasPrefix(got[0].Path, "red/") && strings.HasPrefix(got[1].Path, "red/") && strings.HasPrefix(got[2].Path, "red/")
	})
	for _, it := range reds {
		if tags := s.entryTags(t, it.ID); len(tags) != 1 || tags[0] != "Alice" {
			t.Errorf("%s tags: %v", it.Path, tags)
		}
	}
	// Naming moves on to the next unnamed person, the blue one.
	waitFor(t, ctx, "the card to show Alice", func() bool {
		return eval[string](t, ctx, fmt.Sprintf(`document.querySelector('[data-person="%d"]')?.textContent ?? ''`, redID)) != "" &&
			strings.Contains(eval[string](t, ctx, fmt.Sprintf(`document.querySelector('[data-person="%d"]').textContent`, redID)), "Alice")
	})
	next := eval[map[string]string](t, ctx, `({tag: document.activeElement?.tagName ?? '', person: document.activeElement?.closest('[data-person]')?.dataset.person ?? ''})`)
	if next["tag"] != "INPUT" || next["person"] == "" || next["person"] == fmt.Sprint(redID) {
		t.Errorf("after naming, focus is not in the next unnamed person's name field: %v", next)
	}
	shot(t, ctx, "people-named")

	// The person's page is the search person:Alice: exactly the red pictures.
	eval[bool](t, ctx, `(document.activeElement?.blur(), true)`)
	run(t, ctx, chromedp.Click(css(fmt.Sprintf(`[data-person="%d"] .cover`, redID))))
	settle(t, ctx, 3)
	paths := gridPaths(t, ctx)
	sort.Strings(paths)
	if strings.Join(paths, ",") != "red/red-0.jpg,red/red-1.jpg,red/red-2.jpg" {
		t.Errorf("Alice's page shows %v", paths)
	}
	q := eval[string](t, ctx, `document.querySelector('input[aria-label="Search"]').value`)
	if q != "person:Alice" {
		t.Errorf("search bar: %q", q)
	}

	// The inspector's box is labelled Alice and lies over the painted disc.
	sel := `[data-testid="grid-item"][data-path="red/red-1.jpg"]`
	run(t, ctx, chromedp.WaitVisible(css(sel)), chromedp.Click(css(sel)))
	run(t, ctx, chromedp.WaitVisible(css(`[data-testid="face-box"]`)))
	box := eval[map[string]any](t, ctx, `(() => {
		const b = document.querySelector('[data-testid="face-box"]'), r = b.getBoundingClientRect();
		const img = document.querySelector('.preview img'), p = img.getBoundingClientRect();
		// the picture's rectangle inside the letterboxed <img>
		const k = Math.min(p.width / img.naturalWidth, p.height / img.naturalHeight);
		const w = img.naturalWidth * k, h = img.naturalHeight * k, x = p.left + (p.width - w) / 2, y = p.top + (p.height - h) / 2;
		return {label: b.textContent.trim(), n: document.querySelectorAll('[data-testid="face-box"]').length,
			cx: (r.left + r.width / 2 - x) / w, cy: (r.top + r.height / 2 - y) / h, fw: r.width / w,
			debug: [b.style.cssText, img.naturalWidth, img.naturalHeight, p.left, p.top, p.width, p.height, r.left, r.top, r.width, img.src].join(' ')};
	})()`)
	d := want["red/red-1.jpg"]
	cx, cy, fw := box["cx"].(float64), box["cy"].(float64), box["fw"].(float64)
	if box["label"] != "Alice" || box["n"].(float64) != 1 {
		t.Errorf("face boxes: %v", box)
	}
	// The test detector's box is the disc's bounding square, within 2 px of 640.
	if math.Abs(cx-d.x) > 0.01 || math.Abs(cy-d.y) > 0.01 || math.Abs(fw-d.w) > 0.02 {
		t.Errorf("box centre (%.3f, %.3f) width %.3f; disc painted at (%.3f, %.3f) width %.3f (%v)", cx, cy, fw, d.x, d.y, d.w, box["debug"])
	}
	shot(t, ctx, "inspector-face-box")

	// The full preview draws the same box over the disc (F keeps it shown).
	run(t, ctx, chromedp.DoubleClick(css(sel)), chromedp.WaitVisible(css(`[role="dialog"] [data-testid="face-box"]`)))
	run(t, ctx, chromedp.KeyEvent("f"))
	big := eval[map[string]any](t, ctx, `(() => {
		const b = document.querySelector('[role="dialog"] [data-testid="face-box"]').getBoundingClientRect();
		const p = document.querySelector('[role="dialog"] img').getBoundingClientRect();
		return {label: document.querySelector('[role="dialog"] [data-testid="face-box"]').textContent.trim(),
			cx: (b.left + b.width / 2 - p.left) / p.width, cy: (b.top + b.height / 2 - p.top) / p.height, fw: b.width / p.width,
			opacity: getComputedStyle(document.querySelector('[role="dialog"] [data-testid="face-box"]')).opacity};
	})()`)
	if big["label"] != "Alice" || math.Abs(big["cx"].(float64)-d.x) > 0.01 || math.Abs(big["cy"].(float64)-d.y) > 0.01 || math.Abs(big["fw"].(float64)-d.w) > 0.02 {
		t.Errorf("preview face box %v; disc painted at (%.3f, %.3f) width %.3f", big, d.x, d.y, d.w)
	}
	shot(t, ctx, "preview-face-box")
	run(t, ctx, chromedp.KeyEvent(kb.Escape))

	// Naming from the inspector: a click on the unnamed blue face, a name,
	// Enter: the whole blue group is Bob.
	typeQuery(t, ctx, "path:blue/blue-0")
	settle(t, ctx, 1)
	sel = `[data-testid="grid-item"][data-path="blue/blue-0.jpg"]`
	run(t, ctx, chromedp.WaitVisible(css(sel)), chromedp.Click(css(sel)))
	run(t, ctx, chromedp.WaitVisible(css(`[data-testid="face-box"]`)))
	if l := eval[string](t, ctx, `document.querySelector('[data-testid="face-box"]').textContent.trim()`); l != "?" {
		t.Errorf("the unnamed face's label: %q", l)
	}
	run(t, ctx, chromedp.Click(css(`[data-testid="face-box"]`)), chromedp.WaitVisible(css(`input[aria-label="Name this face"]`)))
	run(t, ctx, chromedp.SendKeys(css(`input[aria-label="Name this face"]`), "Bob"+kb.Enter))
	waitFor(t, ctx, "person:Bob to find the blue pictures", func() bool {
		got := s.find(t, "person:Bob")
		n := 0
		for _, it := range got {
			if strings.HasPrefix(it.Path, "blue/") {
				n++
			}
		}
		return len(got) == 3 && n == 3
	})
	waitFor(t, ctx, "the box to say Bob", func() bool {
		return eval[string](t, ctx, `document.querySelector('[data-testid="face-box"]')?.textContent.trim() ?? ''`) == "Bob"
	})
}
