package media

import (
	"image"
	"testing"
)

func TestApplyOrientation(t *testing.T) {
	// Source 3x2, pixel value = index:   0 1 2
	//                                    3 4 5
	src := image.NewRGBA(image.Rect(0, 0, 3, 2))
	for i := 0; i < 6; i++ {
		src.Pix[i*4] = uint8(i)
		src.Pix[i*4+3] = 0xff
	}
	tests := []struct {
		o    int
		w, h int
		want []uint8 // row-major
	}{
		{1, 3, 2, []uint8{0, 1, 2, 3, 4, 5}},
		{2, 3, 2, []uint8{2, 1, 0, 5, 4, 3}},
		{3, 3, 2, []uint8{5, 4, 3, 2, 1, 0}},
		{4, 3, 2, []uint8{3, 4, 5, 0, 1, 2}},
		{5, 2, 3, []uint8{0, 3, 1, 4, 2, 5}},
		{6, 2, 3, []uint8{3, 0, 4, 1, 5, 2}},
		{7, 2, 3, []uint8{5, 2, 4, 1, 3, 0}},
		{8, 2, 3, []uint8{2, 5, 1, 4, 0, 3}},
		{0, 3, 2, []uint8{0, 1, 2, 3, 4, 5}},
		{9, 3, 2, []uint8{0, 1, 2, 3, 4, 5}},
	}
	for _, tt := range tests {
		t.Run(string(rune('0'+tt.o)), func(t *testing.T) {
			got := applyOrientation(src, tt.o)
			if got.Rect.Dx() != tt.w || got.Rect.Dy() != tt.h {
				t.Fatalf("size %v, want %dx%d", got.Rect.Size(), tt.w, tt.h)
			}
			for y := 0; y < tt.h; y++ {
				for x := 0; x < tt.w; x++ {
					if v := got.Pix[got.PixOffset(x, y)]; v != tt.want[y*tt.w+x] {
						t.Fatalf("(%d,%d) = %d, want %d; all %v", x, y, v, tt.want[y*tt.w+x], got.Pix)
					}
				}
			}
		})
	}
	// Applying an orientation and then its inverse is the identity.
	inverse := map[int]int{1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 8, 7: 7, 8: 6}
	for o, inv := range inverse {
		back := applyOrientation(applyOrientation(src, o), inv)
		if string(back.Pix) != string(src.Pix) || back.Rect != src.Rect {
			t.Errorf("orientation %d then %d is not the identity", o, inv)
		}
	}
}
