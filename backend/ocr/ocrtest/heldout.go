package ocrtest

import (
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"unicode"
)

// Page is a held-out picture of several lines of text: screenshot-like
// layouts, receipts, text over photos, small text, rotated pages and
// Chinese paragraphs. Nothing is tuned on these (Samples are the tuning
// set): they say how a reader does on text it was not fitted to.
type Page struct {
	Name  string
	Kind  string   // ui, receipt, photo, small, rotated, zh
	Lines []string // the truth, one per line, in reading order (top to bottom, left to right)
	Path  string   // the PNG
}

// heldOutSeed fixes the pages' words: the same pages every run.
const heldOutSeed = 2112

// Photos under /usr/share that pages put text over (opencv-doc's samples,
// python3-skimage's data); a page whose photo is missing is left out.
var heldOutPhotos = []string{
	"/usr/lib/python3/dist-packages/skimage/data/coffee.png",
	"/usr/lib/python3/dist-packages/skimage/data/astronaut.png",
	"/usr/share/doc/opencv-doc/examples/data/fruits.jpg",
	"/usr/share/doc/opencv-doc/examples/data/building.jpg",
}

var (
	uiWords = strings.Fields("account settings profile password sync folder library photos videos music documents " +
		"downloads recent shared starred archive trash backup restore export import update install remove " +
		"open close save cancel rename move copy paste search filter sort view window help preview details " +
		"storage network battery display sound privacy security notifications language keyboard printer " +
		"calendar contacts messages weather camera gallery editor terminal browser project report invoice")
	items = strings.Fields("Coffee Bread Butter Cheese Apples Bananas Yogurt Rice Pasta Tomatoes Onions Eggs Milk " +
		"Tea Honey Salmon Chicken Lettuce Carrots Oranges Flour Sugar Olives Lemons")
	zhSentences = []string{
		"今天下午三点在会议室开会", "请把报告发到我的邮箱", "这家餐厅的菜很好吃", "明天早上八点出发去机场",
		"图书馆周末开放时间延长", "我们需要更多的测试数据", "火车票已经买好了", "天气预报说明天有雨",
		"这个文件夹里有很多照片", "新版本修复了几个问题", "学生们在操场上跑步", "超市里的水果很新鲜",
	}
)

type draw struct {
	text, font string
	px         int
	fill       string
	x, y       int    // the baseline's left end
	stroke     string // an outline's colour; "" = none
}

type pageSpec struct {
	name, kind string
	w, h       int
	bg         string // a colour, or a photo's path
	rotate     int    // the whole page, degrees clockwise
	draws      []draw
	truth      []string
}

// HeldOut renders the held-out pages into dir.
func HeldOut(dir string) ([]Page, error) {
	var out []Page
	for _, s := range heldOutSpecs() {
		if strings.HasPrefix(s.bg, "/") {
			if _, err := os.Stat(s.bg); err != nil {
				continue
			}
		}
		p := Page{Name: s.name, Kind: s.kind, Lines: s.truth, Path: filepath.Join(dir, s.name+".png")}
		var a []string
		if strings.HasPrefix(s.bg, "/") {
			a = append(a, s.bg, "-resize", fmt.Sprintf("%dx%d^", s.w, s.h), "-gravity", "center",
				"-extent", fmt.Sprintf("%dx%d", s.w, s.h), "-gravity", "NorthWest")
		} else {
			a = append(a, "-size", fmt.Sprintf("%dx%d", s.w, s.h), "xc:"+s.bg)
		}
		for _, d := range s.draws {
			a = append(a, "-font", d.font, "-pointsize", fmt.Sprint(d.px), "-fill", d.fill)
			if d.stroke != "" {
				a = append(a, "-stroke", d.stroke, "-strokewidth", "1")
			} else {
				a = append(a, "-stroke", "none")
			}
			a = append(a, "-annotate", fmt.Sprintf("+%d+%d", d.x, d.y), d.text)
		}
		if s.rotate != 0 {
			a = append(a, "-background", s.bg, "-rotate", fmt.Sprint(s.rotate))
		}
		a = append(a, "-density", "72", p.Path)
		if b, err := exec.Command("convert", a...).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("convert %s: %v: %s", s.name, err, b)
		}
		out = append(out, p)
	}
	return out, nil
}

func heldOutSpecs() []pageSpec {
	rng := rand.New(rand.NewSource(heldOutSeed))
	pick := func(list []string) string { return list[rng.Intn(len(list))] }
	phrase := func(n int) string {
		w := make([]string, n)
		for i := range w {
			w[i] = pick(uiWords)
		}
		w[0] = strings.ToUpper(w[0][:1]) + w[0][1:]
		if rng.Intn(3) == 0 {
			w = append(w, fmt.Sprint(rng.Intn(990)+10))
		}
		return strings.Join(w, " ")
	}
	sans, serif, mono := dejavu+"DejaVuSans.ttf", dejavu+"DejaVuSerif.ttf", dejavu+"DejaVuSansMono.ttf"
	bold := dejavu + "DejaVuSans-Bold.ttf"
	var specs []pageSpec

	// Screenshot-like: a bold title, then lines of 11–16 px in two columns.
	ui := func(name, bg, fg string, rotate int) pageSpec {
		s := pageSpec{name: name, kind: "ui", w: 760, h: 420, bg: bg, rotate: rotate}
		if rotate != 0 {
			s.kind = "rotated"
		}
		title := phrase(2)
		s.draws = append(s.draws, draw{text: title, font: bold, px: 16, fill: fg, x: 24, y: 36})
		s.truth = append(s.truth, title)
		y := 76
		for i := 0; i < 6; i++ {
			px := 11 + rng.Intn(6)
			l, r := phrase(2+rng.Intn(3)), phrase(1+rng.Intn(2))
			s.draws = append(s.draws, draw{text: l, font: sans, px: px, fill: fg, x: 24, y: y},
				draw{text: r, font: sans, px: px, fill: fg, x: 470, y: y})
			s.truth = append(s.truth, l, r)
			y += 2*px + 18
		}
		return s
	}
	specs = append(specs, ui("ui-light-a", "#f4f4f6", "#202124", 0), ui("ui-light-b", "#ffffff", "#3c4043", 0),
		ui("ui-dark-a", "#1e1f22", "#dcdcdc", 0), ui("ui-dark-b", "#2b2d30", "#bfc4cc", 0))

	// Receipts: item, quantity and price columns in a monospaced font.
	receipt := func(name string, n int) pageSpec {
		s := pageSpec{name: name, kind: "receipt", w: 460, h: 110 + 26*(n+2), bg: "#fbfaf5"}
		head := fmt.Sprintf("Receipt %d", 10000+rng.Intn(89999))
		date := fmt.Sprintf("2024-%02d-%02d %02d:%02d", 1+rng.Intn(12), 1+rng.Intn(28), rng.Intn(24), rng.Intn(60))
		s.draws = append(s.draws, draw{text: head, font: bold, px: 16, fill: "#111", x: 24, y: 36},
			draw{text: date, font: mono, px: 13, fill: "#111", x: 24, y: 64})
		s.truth = append(s.truth, head, date)
		y, total := 100, 0
		for i := 0; i < n; i++ {
			item, q, c := pick(items), 1+rng.Intn(4), 50+rng.Intn(1500)
			total += q * c
			price := fmt.Sprintf("%d.%02d", q*c/100, q*c%100)
			s.draws = append(s.draws, draw{text: item, font: mono, px: 14, fill: "#111", x: 24, y: y},
				draw{text: fmt.Sprint(q), font: mono, px: 14, fill: "#111", x: 250, y: y},
				draw{text: fmt.Sprintf("%8s", price), font: mono, px: 14, fill: "#111", x: 330, y: y})
			s.truth = append(s.truth, fmt.Sprintf("%s %d %s", item, q, price))
			y += 26
		}
		tot := fmt.Sprintf("%d.%02d", total/100, total%100)
		s.draws = append(s.draws, draw{text: "TOTAL", font: bold, px: 14, fill: "#111", x: 24, y: y + 10},
			draw{text: fmt.Sprintf("%8s", tot), font: mono, px: 14, fill: "#111", x: 330, y: y + 10})
		s.truth = append(s.truth, "TOTAL "+tot)
		return s
	}
	specs = append(specs, receipt("receipt-a", 7), receipt("receipt-b", 10))

	// Text over photos: white with a dark outline, or plain dark or light.
	for i, photo := range heldOutPhotos {
		s := pageSpec{name: fmt.Sprintf("photo-%s", strings.TrimSuffix(filepath.Base(photo), filepath.Ext(photo))),
			kind: "photo", w: 800, h: 520, bg: photo}
		fill, stroke := "#ffffff", ""
		switch i {
		case 0:
			stroke = "#000000"
		case 3:
			fill, stroke = "#101010", "#ffffff"
		}
		y := 90 + rng.Intn(60)
		for k := 0; k < 3; k++ {
			px := 22 + rng.Intn(8)
			l := phrase(2 + rng.Intn(3))
			s.draws = append(s.draws, draw{text: l, font: bold, px: px, fill: fill, x: 40 + rng.Intn(120), y: y, stroke: stroke})
			s.truth = append(s.truth, l)
			y += 2*px + 40 + rng.Intn(40)
		}
		specs = append(specs, s)
	}

	// Small text: 10–12 px, sans and serif.
	for _, name := range []string{"small-a", "small-b"} {
		s := pageSpec{name: name, kind: "small", w: 620, h: 260, bg: "#ffffff"}
		y := 24
		for k := 0; k < 8; k++ {
			px := 10 + k%3
			font := sans
			if k%2 == 1 {
				font = serif
			}
			l := phrase(3 + rng.Intn(4))
			s.draws = append(s.draws, draw{text: l, font: font, px: px, fill: "#222222", x: 16, y: y})
			s.truth = append(s.truth, l)
			y += 28
		}
		specs = append(specs, s)
	}

	// Whole pages turned ±10°.
	specs = append(specs, ui("rot-light-plus10", "#f4f4f6", "#202124", 10), ui("rot-dark-minus10", "#1e1f22", "#dcdcdc", -10),
		ui("rot-light-minus7", "#ffffff", "#3c4043", -7))

	// Chinese paragraphs.
	for _, name := range []string{"zh-a", "zh-b"} {
		s := pageSpec{name: name, kind: "zh", w: 640, h: 300, bg: "#ffffff"}
		y := 44
		for k := 0; k < 5; k++ {
			px := 16 + 2*rng.Intn(3)
			l := pick(zhSentences)
			s.draws = append(s.draws, draw{text: l, font: wqy, px: px, fill: "#1a1a1a", x: 30, y: y})
			s.truth = append(s.truth, l)
			y += 2*px + 16
		}
		specs = append(specs, s)
	}
	return specs
}

// Words are what search finds text by: runs of letters and digits,
// lower-cased (as the index's unicode61 tokenizer splits them), and in
// scripts written without spaces each pair of neighbouring characters
// (Chinese words are mostly two characters; the index matches such text
// by its characters in sequence).
func Words(s string) []string {
	var out []string
	var run, han []rune
	endRun := func() {
		if len(run) > 0 {
			out = append(out, strings.ToLower(string(run)))
		}
		run = run[:0]
	}
	endHan := func() {
		if len(han) == 1 {
			out = append(out, string(han))
		}
		for i := 0; i+1 < len(han); i++ {
			out = append(out, string(han[i:i+2]))
		}
		han = han[:0]
	}
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
			endRun()
			han = append(han, r)
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			endHan()
			run = append(run, r)
		default:
			endRun()
			endHan()
		}
	}
	endRun()
	endHan()
	return out
}

// WordHits is how many of want's words (Words, counted with repeats) got
// has as whole words: "HelloWorld" has neither "hello" nor "world".
func WordHits(got, want string) (hits, total int) {
	have := map[string]int{}
	for _, w := range Words(got) {
		have[w]++
	}
	for _, w := range Words(want) {
		total++
		if have[w] > 0 {
			have[w]--
			hits++
		}
	}
	return hits, total
}
