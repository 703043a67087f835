package main

import (
	"context"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"strings"

	"github.com/tagsight/tagsight/backend/ocr"
	"github.com/tagsight/tagsight/backend/ocr/ocrtest"
)

// heldOutRatios are the unclip ratios compared on the held-out pages:
// PaddleOCR's default and the one chosen on the tuning samples.
var heldOutRatios = []float64{1.5, 2.0}

type ocrScore struct {
	cer         float64
	hits, words int
	joined      int
	missed      []string
}

func scoreReading(got string, p ocrtest.Page) ocrScore {
	truth := strings.Join(p.Lines, " ")
	s := ocrScore{cer: ocrtest.CER(got, truth)}
	s.hits, s.words = ocrtest.WordHits(got, truth)
	// Two neighbouring words of a line read as one: the space was lost.
	pairs := map[string]bool{}
	for _, l := range p.Lines {
		w := ocrtest.Words(l)
		for i := 0; i+1 < len(w); i++ {
			pairs[w[i]+w[i+1]] = true
		}
	}
	for _, w := range ocrtest.Words(got) {
		if pairs[w] {
			s.joined++
		}
	}
	have := map[string]int{}
	for _, w := range ocrtest.Words(got) {
		have[w]++
	}
	for _, w := range ocrtest.Words(truth) {
		if have[w] > 0 {
			have[w]--
		} else {
			s.missed = append(s.missed, w)
		}
	}
	return s
}

// benchOCRHeldOut reads the held-out pages (never used to tune anything)
// with Tagsight at each unclip ratio and with the reference, in one run.
func benchOCRHeldOut(ctx context.Context, rep *report, set, models string, m ocr.Models) error {
	dir := filepath.Join(set, "heldout")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	pages, err := ocrtest.HeldOut(dir)
	if err != nil {
		return err
	}
	paths := make([]string, len(pages))
	imgs := make([]*image.RGBA, len(pages))
	for i, p := range pages {
		paths[i] = p.Path
		if imgs[i], err = decodePNG(p.Path); err != nil {
			return err
		}
	}
	readers := make([]string, 0, len(heldOutRatios)+1)
	scores := make([][]ocrScore, len(pages))
	for _, r := range heldOutRatios {
		eng := ocr.NewEngine(m, ocr.Options{Provider: "cpu", Threads: 1, Unclip: r})
		if err := eng.Load(); err != nil {
			return err
		}
		for i, p := range pages {
			words, err := eng.Read(ctx, imgs[i])
			if err != nil {
				eng.Close()
				return err
			}
			texts := make([]string, len(words))
			for k, w := range words {
				texts[k] = w.Text
			}
			scores[i] = append(scores[i], scoreReading(strings.Join(texts, " "), p))
		}
		eng.Close()
		readers = append(readers, fmt.Sprintf("Tagsight unclip %.1f", r))
	}
	ref, err := runReference(models, paths)
	if err != nil {
		return err
	}
	for i, p := range pages {
		scores[i] = append(scores[i], scoreReading(ref[p.Path].Text, p))
	}
	readers = append(readers, "reference")

	rep.line("")
	rep.line("## Held-out pages")
	rep.line("")
	rep.line("%d pictures of several lines each, generated in the run from a fixed seed (backend/ocr/ocrtest/heldout.go) and never used to tune anything: screenshot-like layouts (11–16 px DejaVu Sans in two columns, dark on light and light on dark), receipts (item, quantity and price columns in DejaVu Sans Mono 14 px), text over photos read from /usr/share at bench time (python3-skimage's coffee and astronaut, opencv-doc's fruits and building; 22–29 px bold, with or without an outline), small text (10–12 px), whole pages turned +10°, −10° and −7°, and Chinese paragraphs (WenQuanYi Micro Hei 16–20 px). The truth is each line as drawn.", len(pages))
	rep.line("")
	rep.line("CER as above, over the page's lines joined in reading order (so a reader that orders two columns differently pays for it). **Words** = word accuracy for search: of the truth's words (runs of letters and digits, lower-cased, as the index's unicode61 tokenizer splits them; in Chinese each two neighbouring characters), the share found as whole words in the reading — \"HelloWorld\" finds neither \"hello\" nor \"world\". **Joined** = words of the reading that are two neighbouring truth words run together (a lost space).")
	rep.line("")
	head, sep := "| page | kind | words |", "|---|---|---|"
	for _, r := range readers {
		head += fmt.Sprintf(" %s CER | words | joined |", r)
		sep += "---|---|---|"
	}
	rep.line("%s", head)
	rep.line("%s", sep)
	type sum struct {
		cer         float64
		n           int
		hits, words int
		joined      int
	}
	kinds := []string{}
	byKind := map[string][]sum{}
	all := make([]sum, len(readers))
	for i, p := range pages {
		if _, ok := byKind[p.Kind]; !ok {
			kinds = append(kinds, p.Kind)
			byKind[p.Kind] = make([]sum, len(readers))
		}
		row := fmt.Sprintf("| %s | %s | %d |", p.Name, p.Kind, scores[i][0].words)
		for k, s := range scores[i] {
			row += fmt.Sprintf(" %.3f | %.3f | %d |", s.cer, float64(s.hits)/float64(max(s.words, 1)), s.joined)
			for _, t := range []*sum{&byKind[p.Kind][k], &all[k]} {
				t.cer += s.cer
				t.n++
				t.hits += s.hits
				t.words += s.words
				t.joined += s.joined
			}
		}
		rep.line("%s", row)
	}
	rep.line("")
	rep.line("Per kind and in all: mean CER over pages, word accuracy over all the words of the kind (words found / words), joined words.")
	rep.line("")
	head, sep = "| kind | pages | words |", "|---|---|---|"
	for _, r := range readers {
		head += fmt.Sprintf(" %s CER | words | joined |", r)
		sep += "---|---|---|"
	}
	rep.line("%s", head)
	rep.line("%s", sep)
	line := func(name string, ss []sum) {
		row := fmt.Sprintf("| %s | %d | %d |", name, ss[0].n, ss[0].words)
		for _, s := range ss {
			row += fmt.Sprintf(" %.4f | %.3f (%d/%d) | %d |", s.cer/float64(s.n), float64(s.hits)/float64(max(s.words, 1)), s.hits, s.words, s.joined)
		}
		rep.line("%s", row)
	}
	for _, k := range kinds {
		line(k, byKind[k])
	}
	line("**all**", all)
	rep.line("")
	rep.line("Words missed (first 10 per page):")
	rep.line("")
	rep.line("| page | %s |", strings.Join(readers, " | "))
	rep.line("|---|%s", strings.Repeat("---|", len(readers)))
	for i, p := range pages {
		row := "| " + p.Name + " |"
		for _, s := range scores[i] {
			m := s.missed
			if len(m) > 10 {
				m = append(m[:10:10], "…")
			}
			row += " " + strings.Join(m, " ") + " |"
		}
		rep.line("%s", row)
	}
	return nil
}
