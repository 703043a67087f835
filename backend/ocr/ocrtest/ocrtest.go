// Package ocrtest renders the pictures of text that the OCR tests and
// benchmark read back (with ImageMagick and Debian's fonts), and scores
// what was read. It is for tests and the benchmark, never the app.
package ocrtest

import (
	"fmt"
	"image"
	"os/exec"
	"path/filepath"
	"strings"
)

// Sample is a picture of one line of text that ImageMagick renders:
// the OCR tests and benchmark read it back, with Text as the truth and Box
// (the text's pixels as ImageMagick's trim finds them on a blank canvas)
// as where it is.
type Sample struct {
	Name   string
	Text   string
	Font   string // a font file (Debian's fonts-dejavu-core, fonts-wqy-microhei)
	Size   int    // points
	Rotate int    // degrees, clockwise
	Photo  bool   // on a plasma "photo" rather than white
	Path   string // the PNG, once rendered
	Box    image.Rectangle
	W, H   int
}

const (
	dejavu = "/usr/share/fonts/truetype/dejavu/"
	wqy    = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
)

// Samples are the test and benchmark pictures: English and Chinese,
// five fonts, 18 to 48 points, rotations up to ±10°, plain and photo-like
// backgrounds.
func Samples() []Sample {
	return []Sample{
		{Name: "en-sans", Text: "Invoice 2024 total 318.50", Font: dejavu + "DejaVuSans.ttf", Size: 36},
		{Name: "en-serif-rot", Text: "The quick brown fox jumps", Font: dejavu + "DejaVuSerif.ttf", Size: 40, Rotate: 8},
		{Name: "en-bold-photo", Text: "Meeting at 10:30 in Room B", Font: dejavu + "DejaVuSans-Bold.ttf", Size: 32, Photo: true},
		{Name: "en-mono-small", Text: "whiteboard notes for Tuesday", Font: dejavu + "DejaVuSansMono.ttf", Size: 18},
		{Name: "en-serif-bold-neg", Text: "Search inside everything", Font: dejavu + "DejaVuSerif-Bold.ttf", Size: 44, Rotate: -10, Photo: true},
		{Name: "en-sans-big", Text: "Tagsight 42", Font: dejavu + "DejaVuSans.ttf", Size: 48, Rotate: 5},
		{Name: "zh-plain", Text: "搜索图片中的文字", Font: wqy, Size: 40},
		{Name: "zh-rot", Text: "发票金额合计三百元", Font: wqy, Size: 36, Rotate: -7},
		{Name: "zh-photo", Text: "今天天气很好", Font: wqy, Size: 44, Rotate: 6, Photo: true},
		{Name: "mixed", Text: "价格 Price 128元", Font: wqy, Size: 34, Photo: true},
		{Name: "en-bold-amount", Text: "Total due: $1,250.00", Font: dejavu + "DejaVuSans-Bold.ttf", Size: 28, Rotate: 3},
		{Name: "en-monobold-photo", Text: "Room 404 not found", Font: dejavu + "DejaVuSansMono-Bold.ttf", Size: 30, Rotate: -4, Photo: true},
		{Name: "en-serif-small", Text: "Receipt No. 88231", Font: dejavu + "DejaVuSerif.ttf", Size: 22, Rotate: -6},
		{Name: "zh-small", Text: "北京市海淀区中关村大街", Font: wqy, Size: 24},
		{Name: "zh-photo-rot", Text: "欢迎使用标签视界", Font: wqy, Size: 30, Rotate: 10, Photo: true},
		{Name: "mixed-rot", Text: "Hello World 你好世界", Font: wqy, Size: 32, Rotate: -3},
	}
}

// Render draws s into dir/<name>.png on a 900×240 canvas, text
// centred, and measures where the text is by drawing it again on white
// alone and trimming.
func Render(dir string, s Sample) (Sample, error) {
	s.W, s.H = 900, 240
	s.Path = filepath.Join(dir, s.Name+".png")
	text := func(bg string, out ...string) []string {
		a := []string{"-size", fmt.Sprintf("%dx%d", s.W, s.H)}
		if bg == "" {
			a = append(a, "xc:white")
		} else {
			a = append(a, "-seed", "7", "plasma:"+bg, "-blur", "0x2")
		}
		return append(append(a, "-font", s.Font, "-pointsize", fmt.Sprint(s.Size), "-fill", "#1a1a1a",
			"-gravity", "center", "-annotate", fmt.Sprintf("%dx%d+0+0", s.Rotate, s.Rotate), s.Text), out...)
	}
	bg := ""
	if s.Photo {
		bg = "#e8d8b0-#9ec0e0"
	}
	if out, err := exec.Command("convert", text(bg, s.Path)...).CombinedOutput(); err != nil {
		return s, fmt.Errorf("convert: %v: %s", err, out)
	}
	out, err := exec.Command("convert", text("", "-format", "%@", "info:")...).Output()
	if err != nil {
		return s, fmt.Errorf("convert -trim: %w", err)
	}
	var w, h, x, y int
	if _, err := fmt.Sscanf(strings.TrimSpace(string(out)), "%dx%d+%d+%d", &w, &h, &x, &y); err != nil {
		return s, fmt.Errorf("trim box %q: %w", out, err)
	}
	s.Box = image.Rect(x, y, x+w, y+h)
	return s, nil
}

// CER is the character error rate of got against want: the edit distance
// between them over want's length, in characters, whitespace ignored (a
// line read as two boxes or one reads the same).
func CER(got, want string) float64 {
	g, w := []rune(strings.Join(strings.Fields(got), "")), []rune(strings.Join(strings.Fields(want), ""))
	if len(w) == 0 {
		return 0
	}
	prev := make([]int, len(g)+1)
	cur := make([]int, len(g)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(w); i++ {
		cur[0] = i
		for j := 1; j <= len(g); j++ {
			c := prev[j-1]
			if w[i-1] != g[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return float64(prev[len(g)]) / float64(len(w))
}
