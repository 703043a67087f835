package media

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// XMPKeywords are the keywords a sidecar gets: Subjects in dc:subject,
// Paths (root first) in lr:hierarchicalSubject as "A|B|C".
type XMPKeywords struct {
	Subjects []string
	Paths    [][]string
}

// keywordProps are the properties MergeXMPKeywords replaces.
var keywordProps = map[xml.Name]bool{
	{Space: nsDC, Local: "subject"}:             true,
	{Space: nsLR, Local: "hierarchicalSubject"}: true,
	{Space: nsDigiKam, Local: "TagsList"}:       true,
}

func writeBag(b *bytes.Buffer, prop string, items []string) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(b, "   <%s>\n    <rdf:Bag>\n", prop)
	for _, it := range items {
		b.WriteString("     <rdf:li>")
		xml.EscapeText(b, []byte(it))
		b.WriteString("</rdf:li>\n")
	}
	fmt.Fprintf(b, "    </rdf:Bag>\n   </%s>\n", prop)
}

// keywordDescription is an rdf:Description holding kw; digiKam adds
// digiKam:TagsList ("A/B/C") too.
func keywordDescription(kw XMPKeywords, digiKam bool) []byte {
	var b bytes.Buffer
	b.WriteString(` <rdf:Description rdf:about="" xmlns:rdf="` + nsRDF + `"` +
		"\n  xmlns:dc=\"" + nsDC + "\"\n  xmlns:lr=\"" + nsLR + "\"")
	if digiKam {
		b.WriteString("\n  xmlns:digiKam=\"" + nsDigiKam + "\"")
	}
	b.WriteString(">\n")
	writeBag(&b, "dc:subject", kw.Subjects)
	var hier, dk []string
	for _, p := range kw.Paths {
		hier = append(hier, strings.Join(p, "|"))
		dk = append(dk, strings.Join(p, "/"))
	}
	writeBag(&b, "lr:hierarchicalSubject", hier)
	if digiKam {
		writeBag(&b, "digiKam:TagsList", dk)
	}
	b.WriteString(" </rdf:Description>\n")
	return b.Bytes()
}

// MergeXMPKeywords returns the sidecar old (nil or empty: a new one) with
// its keyword properties (dc:subject, lr:hierarchicalSubject, and
// digiKam:TagsList when it had one) replaced by kw, and everything else
// kept byte for byte. old must pass ParseXMP's checks.
func MergeXMPKeywords(old []byte, kw XMPKeywords) ([]byte, error) {
	if len(bytes.TrimSpace(old)) == 0 {
		var b bytes.Buffer
		b.WriteString("<?xpacket begin=\"\ufeff\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n")
		b.WriteString("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\" x:xmptk=\"Tagsight\">\n")
		b.WriteString("<rdf:RDF xmlns:rdf=\"" + nsRDF + "\">\n")
		b.Write(keywordDescription(kw, false))
		b.WriteString("</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>\n")
		return b.Bytes(), nil
	}
	if _, err := ParseXMP(old); err != nil {
		return nil, err
	}
	d := xml.NewDecoder(bytes.NewReader(old))
	d.Strict = true
	d.CharsetReader = func(label string, r io.Reader) (io.Reader, error) { return r, nil }
	type span struct{ from, to int64 }
	var cut []span
	var insertAt int64 = -1
	var open int64 = -1 // start of the keyword property being cut
	depth, openDepth := 0, 0
	hadDigiKam := false
	// An rdf:Description that holds only keyword properties goes whole
	// (with its line), so that writing again gives the same file.
	type desc struct {
		from  int64
		depth int
		only  bool
		cuts  int // len(cut) when it started
	}
	var descs []desc
	for {
		start := d.InputOffset()
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrXMP, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if n := len(descs); n > 0 && descs[n-1].depth == depth-1 && !keywordProps[t.Name] {
				descs[n-1].only = false
			}
			if t.Name.Space == nsRDF && t.Name.Local == "Description" {
				only := true
				for _, a := range t.Attr {
					if a.Name.Space != "xmlns" && !(a.Name.Space == nsRDF && a.Name.Local == "about") {
						only = false
					}
				}
				descs = append(descs, desc{from: start, depth: depth, only: only, cuts: len(cut)})
			}
			if open < 0 && keywordProps[t.Name] {
				open, openDepth = start, depth
				if t.Name.Space == nsDigiKam {
					hadDigiKam = true
				}
			}
		case xml.EndElement:
			if open >= 0 && depth == openDepth {
				cut = append(cut, span{open, d.InputOffset()})
				open = -1
			}
			if n := len(descs); n > 0 && descs[n-1].depth == depth {
				dd := descs[n-1]
				descs = descs[:n-1]
				if dd.only {
					from, to := dd.from, d.InputOffset()
					for from > 0 && (old[from-1] == ' ' || old[from-1] == '\t') {
						from--
					}
					if to < int64(len(old)) && old[to] == '\n' {
						to++
					}
					cut = append(cut[:dd.cuts], span{from, to})
				}
			}
			if t.Name.Space == nsRDF && t.Name.Local == "RDF" && insertAt < 0 {
				insertAt = start
			}
			depth--
		}
	}
	if insertAt < 0 {
		return nil, errors.New("xmp sidecar has no rdf:RDF element to add keywords to")
	}
	var b bytes.Buffer
	prev := int64(0)
	for _, c := range cut {
		b.Write(old[prev:c.from])
		prev = c.to
	}
	b.Write(old[prev:insertAt])
	b.Write(keywordDescription(kw, hadDigiKam))
	b.Write(old[insertAt:])
	return b.Bytes(), nil
}
