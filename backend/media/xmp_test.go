package media

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The files under testdata/xmp were written by exiftool 12.57 over tiny
// Go-encoded pictures: embedded.{jpg,png,tif} carry
//
//	-XMP-dc:Subject=Beach,Holiday,Places,France
//	-XMP-lr:HierarchicalSubject='Places|France|Nice' -XMP-xmp:Rating=4
//	-XMP-xmp:CreateDate='2021:07:14 18:30:05+02:00'
//	-XMP-dc:Title=Sunset -XMP-dc:Description='On the Promenade'
//
// and sidecar.xmp (exiftool -o sidecar.xmp) carries dc:subject Cat,
// digiKam:TagsList Animals/Pets/Cat, MicrosoftPhoto:Rating 75,
// photoshop:DateCreated 2019-03-02T08:09:10, dc:title x-default "The cat"
// and fr "Chat", xmp:Label Red.
func TestXMPEmbeddedByExiftool(t *testing.T) {
	want := &XMP{
		Subjects:  []string{"Beach", "Holiday", "Places", "France"},
		Paths:     [][]string{{"Places", "France", "Nice"}},
		Rating:    4,
		HasRating: true,
		Taken:     "2021-07-14T18:30:05+02:00",
		Title:     "Sunset", Description: "On the Promenade",
	}
	for _, name := range []string{"embedded.jpg", "embedded.png", "embedded.tif"} {
		t.Run(name, func(t *testing.T) {
			info, err := Probe(context.Background(), filepath.Join("testdata", "xmp", name), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(info.XMP, want) {
				t.Fatalf("XMP = %+v, want %+v", info.XMP, want)
			}
			kw := info.XMP.Keywords()
			wantKW := [][]string{{"Places", "France", "Nice"}, {"Beach"}, {"Holiday"}}
			if !reflect.DeepEqual(kw, wantKW) {
				t.Fatalf("Keywords = %q, want %q", kw, wantKW)
			}
		})
	}
}

// extended.jpg: exiftool moved 1800 dc:subject keywords into extended XMP
// (three APP1 segments); xmp:Rating 2 and lr:hierarchicalSubject Big|Tree
// stayed in the main packet.
func TestXMPExtendedJPEG(t *testing.T) {
	info, err := Probe(context.Background(), filepath.Join("testdata", "xmp", "extended.jpg"), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	x := info.XMP
	if x == nil || x.Rating != 2 || !reflect.DeepEqual(x.Paths, [][]string{{"Big", "Tree"}}) {
		t.Fatalf("main packet: %+v", x)
	}
	if len(x.Subjects) != 1800 || x.Subjects[0] != "kw0000-xxxxxxxxxxxxxxxxxxxx" || x.Subjects[1799] != "kw1799-xxxxxxxxxxxxxxxxxxxx" {
		t.Fatalf("extended packet: %d subjects", len(x.Subjects))
	}
	// A missing chunk: nothing of the extended packet.
	b, _ := os.ReadFile(filepath.Join("testdata", "xmp", "extended.jpg"))
	i := bytes.LastIndex(b, []byte(jpegExtXMPPrefix))
	b[i+len(jpegExtXMPPrefix)] ^= 1 // the last chunk's GUID no longer matches
	if got := jpegExtendedXMP(b, x.extGUID); got != nil {
		t.Fatalf("reassembled %d bytes with a chunk missing", len(got))
	}
}

// embedded.heic is testdata/tiny.heic with, by exiftool, dc:subject Heif,
// lr:hierarchicalSubject Formats|Heif and xmp:Rating 3 (an XMP item).
func TestXMPEmbeddedHEIF(t *testing.T) {
	info, err := Probe(context.Background(), filepath.Join("testdata", "xmp", "embedded.heic"), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := &XMP{Subjects: []string{"Heif"}, Paths: [][]string{{"Formats", "Heif"}}, Rating: 3, HasRating: true}
	if !reflect.DeepEqual(info.XMP, want) {
		t.Fatalf("XMP = %+v, want %+v", info.XMP, want)
	}
}

func TestXMPSidecarByExiftool(t *testing.T) {
	x, err := ReadXMPFile(filepath.Join("testdata", "xmp", "sidecar.xmp"))
	if err != nil {
		t.Fatal(err)
	}
	want := &XMP{
		Subjects: []string{"Cat"}, Paths: [][]string{{"Animals", "Pets", "Cat"}},
		Rating: 4, HasRating: true, Taken: "2019-03-02T08:09:10", Title: "The cat",
	}
	if !reflect.DeepEqual(x, want) {
		t.Fatalf("XMP = %+v, want %+v", x, want)
	}
}

func TestXMPAttributesAndAlternatives(t *testing.T) {
	x, err := ParseXMP([]byte(`<?xml version="1.0" encoding="UTF-8"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmp:Rating="-1" xmp:CreateDate="2020-01-01T00:00:00Z" exif:DateTimeOriginal="2019-12-31T23:59:58.25-05:00">
 <dc:description><rdf:Alt><rdf:li xml:lang="de">Hallo</rdf:li><rdf:li xml:lang="x-default">Hello &amp; bye</rdf:li></rdf:Alt></dc:description>
</rdf:Description></rdf:RDF></x:xmpmeta>`))
	if err != nil {
		t.Fatal(err)
	}
	if x.Rating != 0 || !x.HasRating || x.Taken != "2019-12-31T23:59:58-05:00" || x.Description != "Hello & bye" {
		t.Fatalf("%+v", x)
	}
}

// hostile returns packets that must be refused quickly with ErrXMP.
func hostileXMP() map[string][]byte {
	laughs := `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">` +
		`<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>` +
		`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:subject><rdf:Bag><rdf:li>&lol9;</rdf:li></rdf:Bag></dc:subject></rdf:Description></rdf:RDF></x:xmpmeta>`
	external := `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><x>&xxe;</x>`
	undeclared := `<x:xmpmeta xmlns:x="adobe:ns:meta/">&lol;</x:xmpmeta>`
	deep := strings.Repeat("<a>", 100000) + strings.Repeat("</a>", 100000)
	huge := append([]byte(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><!--`), bytes.Repeat([]byte("x"), MaxXMPBytes)...)
	huge = append(huge, "--></x:xmpmeta>"...)
	return map[string][]byte{
		"billion laughs": []byte(laughs), "external entity": []byte(external),
		"undeclared entity": []byte(undeclared), "deep nesting": []byte(deep), "over 4 MB": huge,
		"unclosed": []byte(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>`),
		"latin1":   []byte(`<?xml version="1.0" encoding="ISO-8859-1"?><x/>`),
	}
}

func TestXMPHostile(t *testing.T) {
	for name, data := range hostileXMP() {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			x, err := ParseXMP(data)
			if !errors.Is(err, ErrXMP) {
				t.Fatalf("got %+v, %v; want ErrXMP", x, err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Fatalf("took %v", d)
			}
		})
	}
}

// A JPEG whose XMP segment is hostile still probes (XMP nil), and a PNG
// whose iTXt claims 100 MB is refused without allocating it.
func TestXMPHostileEmbedded(t *testing.T) {
	jpg := encodeJPEG(t, noisyImage(8, 8))
	pkt := []byte(jpegXMPPrefix + string(hostileXMP()["billion laughs"]))
	seg := append([]byte{0xff, 0xe1, byte((len(pkt) + 2) >> 8), byte(len(pkt) + 2)}, pkt...)
	bad := append(append(append([]byte{}, jpg[:2]...), seg...), jpg[2:]...)
	if got := jpegXMP(bad); !bytes.Equal(got, pkt[len(jpegXMPPrefix):]) {
		t.Fatalf("segment not found")
	}
	info, err := probeFile(bytes.NewReader(bad), int64(len(bad)), "x.jpg", DefaultLimits())
	if err != nil || info.XMP != nil || info.Width != 8 {
		t.Fatalf("info %+v, err %v", info, err)
	}
	png := encodePNG(t, alphaImage(4, 4))
	chunk := []byte("\x06\x40\x00\x00iTXtXML:com.adobe.xmp\x00\x00\x00\x00\x00")
	claim := append(append(append([]byte{}, png[:33]...), chunk...), png[33:]...)
	if got := pngXMP(bytes.NewReader(claim), int64(len(claim))); got != nil {
		t.Fatalf("read %d bytes of a 100 MB claim", len(got))
	}
	if _, err := ReadXMPFile(filepath.Join(t.TempDir(), "none.xmp")); err == nil {
		t.Fatal("no error for a missing sidecar")
	}
}

func TestFormatXMPDate(t *testing.T) {
	for in, want := range map[string]string{
		"2021-07-14T18:30:05+02:00": "2021-07-14T18:30:05+02:00",
		"2021-07-14T18:30:05.5":     "2021-07-14T18:30:05",
		"2021-07-14T18:30":          "2021-07-14T18:30:00",
		"2021-07-14":                "2021-07-14T00:00:00",
		"2021:07:14 18:30:05":       "2021-07-14T18:30:05",
		"yesterday":                 "",
	} {
		if got := formatXMPDate(in); got != want {
			t.Errorf("%q: got %q want %q", in, got, want)
		}
	}
}

// FuzzXMP feeds arbitrary bytes to the XMP parser and the embedded-packet
// finders: never a panic or a hang, errors wrap ErrXMP, values are bounded.
func FuzzXMP(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("testdata", "xmp", "sidecar.xmp")); err == nil {
		f.Add(b)
	}
	for _, name := range []string{"embedded.jpg", "extended.jpg", "embedded.heic"} {
		if b, err := os.ReadFile(filepath.Join("testdata", "xmp", name)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:lr="http://ns.adobe.com/lightroom/1.0/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="3"><lr:hierarchicalSubject><rdf:Bag><rdf:li>A|B|C</rdf:li></rdf:Bag></lr:hierarchicalSubject></rdf:Description></rdf:RDF></x:xmpmeta>`))
	for _, b := range hostileXMP() {
		if len(b) < 1<<16 {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		x, err := ParseXMP(data)
		if err != nil {
			if !errors.Is(err, ErrXMP) {
				t.Fatalf("error without ErrXMP: %v", err)
			}
			return
		}
		if x.Rating < 0 || x.Rating > 5 {
			t.Fatalf("rating %d", x.Rating)
		}
		for _, p := range x.Keywords() {
			if len(p) == 0 || len(p) > maxXMPPathLen {
				t.Fatalf("path %q", p)
			}
		}
		jpegXMP(data)
		pngXMP(bytes.NewReader(data), int64(len(data)))
		tiffXMP(bytes.NewReader(data), int64(len(data)))
		heifXMP(data, bytes.NewReader(data), int64(len(data)))
		jpegExtendedXMP(data, "909686A6F440C9192430BC4C9D3F0FCF")
		itxtText(data)
	})
}

func TestMergeXMPKeywords(t *testing.T) {
	old, err := os.ReadFile(filepath.Join("testdata", "xmp", "sidecar.xmp"))
	if err != nil {
		t.Fatal(err)
	}
	kw := XMPKeywords{Subjects: []string{"Cat", "Sofa & <Cushion>"}, Paths: [][]string{{"Animals", "Pets", "Cat"}, {"Home", "Sofa & <Cushion>"}}}
	merged, err := MergeXMPKeywords(old, kw)
	if err != nil {
		t.Fatal(err)
	}
	x, err := ParseXMP(merged)
	if err != nil {
		t.Fatalf("%v\n%s", err, merged)
	}
	if !reflect.DeepEqual(x.Subjects, kw.Subjects) || !reflect.DeepEqual(x.Paths, kw.Paths) {
		t.Fatalf("keywords %q %q\n%s", x.Subjects, x.Paths, merged)
	}
	// Everything else survives: title (both languages), rating, date, label.
	if x.Title != "The cat" || x.Rating != 4 || x.Taken != "2019-03-02T08:09:10" ||
		!bytes.Contains(merged, []byte(`<rdf:li xml:lang='fr'>Chat</rdf:li>`)) || !bytes.Contains(merged, []byte(`<xmp:Label>Red</xmp:Label>`)) {
		t.Fatalf("lost a property:\n%s", merged)
	}
	// digiKam:TagsList was there, so it is kept in step.
	if !bytes.Contains(merged, []byte(`<rdf:li>Home/Sofa &amp; &lt;Cushion&gt;</rdf:li>`)) {
		t.Fatalf("TagsList not rewritten:\n%s", merged)
	}
	again, err := MergeXMPKeywords(merged, kw)
	if err != nil || !bytes.Equal(again, merged) {
		t.Fatalf("writing again changed the file (%v):\n%s\n---\n%s", err, merged, again)
	}
	fresh, err := MergeXMPKeywords(nil, XMPKeywords{Subjects: []string{"Solo"}})
	if err != nil {
		t.Fatal(err)
	}
	if x, err := ParseXMP(fresh); err != nil || !reflect.DeepEqual(x.Subjects, []string{"Solo"}) {
		t.Fatalf("%+v %v\n%s", x, err, fresh)
	}
	if _, err := MergeXMPKeywords(hostileXMP()["billion laughs"], kw); !errors.Is(err, ErrXMP) {
		t.Fatalf("merged into a hostile sidecar: %v", err)
	}
}
