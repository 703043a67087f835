package media

import (
	"bytes"
	"context"
	"errors"
	"image/jpeg"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
)

// TestPreviewJPEG: the generated document's page 1 carries a red
// rectangle over its middle and pages 2–3 are blank, so page 1's preview
// is red in the middle and page 2's white; page 4 of 3 and a picture are
// refused, not rendered; a picture's page 1 is its poster.
func TestPreviewJPEG(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, "report.pdf", testutil.PDF(3, testInfo))
	ctx := context.Background()
	for _, c := range []struct {
		page int
		want string
	}{{1, "red"}, {2, "white"}, {3, "white"}} {
		data, err := PreviewJPEG(ctx, path, c.page, 200, Limits{})
		if err != nil {
			t.Fatalf("page %d: %v", c.page, err)
		}
		img, err := jpeg.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("page %d: %v", c.page, err)
		}
		if b := img.Bounds(); b.Dx() != 200 || b.Dy() != 150 {
			t.Errorf("page %d: %v, want 200x150 (400x300 points, long side 200)", c.page, b)
		}
		want := rgba(255, 255, 255)
		if c.want == "red" {
			want = red
		}
		if px := img.At(100, 75); !near(px, want) {
			t.Errorf("page %d middle: %v, want %s", c.page, px, c.want)
		}
	}
	if _, err := PreviewJPEG(ctx, path, 4, 200, Limits{}); !errors.Is(err, ErrNoPage) {
		t.Errorf("page 4 of 3: %v, want ErrNoPage", err)
	}
	// Any other kind has its poster as page 1 and no page 2.
	pic := writeFile(t, dir, "red.png", testutil.PNG(t, flat(300, 100, red)))
	data, err := PreviewJPEG(ctx, pic, 1, 200, Limits{})
	if err != nil {
		t.Fatalf("a PNG's page 1: %v", err)
	}
	if img, err := jpeg.Decode(bytes.NewReader(data)); err != nil || img.Bounds().Dx() != 200 || !near(img.At(100, 30), red) {
		t.Errorf("a 300x100 red PNG's preview at 200: %v %v", img.Bounds(), err)
	}
	if _, err := PreviewJPEG(ctx, pic, 2, 200, Limits{}); !errors.Is(err, ErrNoPage) {
		t.Errorf("a PNG's page 2: %v, want ErrNoPage", err)
	}
}
