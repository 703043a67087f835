package media

import (
	"archive/zip"
	"compress/flate"
	"context"
	"errors"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// longRun is the size of the one token each hostile document holds: past
// the bomb floor (so the packing ratio is checked, and passes) and many
// times the memory bound the test asserts.
const longRun = 48 << 20

// writeRunZip writes a zip whose members are given as name, content
// pairs; a content holding "RUN" has it replaced, as it streams into the
// zip, by longRun bytes of the alphabet's letters (ten random letters in
// each 1000, the rest the first letter), packed under the ratio cap so
// the member passes the check a plain bomb fails. The bytes are written as
// they are made: the test itself holds none of them.
func writeRunZip(t *testing.T, name, alphabet string, files ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := zip.NewWriter(f)
	// The fastest level: it packs these runs well under the ratio cap
	// and is several times quicker than the default under -race.
	w.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(out, flate.BestSpeed)
	})
	rnd := rand.New(rand.NewSource(21))
	chunk := make([]byte, 1000)
	for i := 0; i+1 < len(files); i += 2 {
		m, err := w.Create(files[i])
		if err != nil {
			t.Fatal(err)
		}
		before, after, run := strings.Cut(files[i+1], "RUN")
		m.Write([]byte(before))
		for n := 0; run && n < longRun; n += len(chunk) {
			for j := range chunk {
				chunk[j] = alphabet[0]
			}
			for j := 0; j < 10; j++ {
				chunk[rnd.Intn(len(chunk))] = alphabet[rnd.Intn(len(alphabet))]
			}
			m.Write(chunk)
		}
		m.Write([]byte(after))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestTextLongXMLToken: a document whose XML holds one token of tens of
// MB (a text run, a comment full of '>', a shared string, an e-book
// chapter) packed to pass the ratio check is read in bounded memory: the
// read stops at that token with the budget's error, and the words before
// it are kept.
func TestTextLongXMLToken(t *testing.T) {
	// Mostly spaces: the long run is a few words a KiB, so the text cap
	// (MaxTextBytes) does not end the read before the token's does.
	const letters = " abcdefghijklmnopqrstuvwxyz"
	for _, c := range []struct {
		name, alphabet string
		files          []string
		want           string // a word read before the long token
	}{
		{"run.docx", letters, []string{"word/document.xml",
			`<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>before</w:t></w:r></w:p><w:p><w:r><w:t>RUN</w:t></w:r></w:p></w:body></w:document>`}, "before"},
		// Neither a count between '<' and '>' nor one of text alone
		// would stop this one: it is a comment, and full of '>'.
		{"comment.docx", ">" + letters[1:], []string{"word/document.xml",
			`<w:document xmlns:w="w"><w:body><w:p><w:r><w:t>before</w:t></w:r></w:p><!--RUN--></w:body></w:document>`}, "before"},
		{"shared.xlsx", letters, []string{
			"xl/sharedStrings.xml", `<sst><si><t>before</t></si><si><t>RUN</t></si></sst>`,
			"xl/worksheets/sheet1.xml", `<worksheet><sheetData><row r="1"><c t="s"><v>0</v></c></row></sheetData></worksheet>`}, "before"},
		{"chapter.epub", letters, []string{"mimetype", "application/epub+zip",
			"META-INF/container.xml", `<container><rootfiles><rootfile full-path="book.opf"/></rootfiles></container>`,
			"book.opf", `<package><manifest><item id="a" href="one.xhtml"/><item id="b" href="two.xhtml"/></manifest><spine><itemref idref="a"/><itemref idref="b"/></spine></package>`,
			"one.xhtml", `<html><body><p>before</p></body></html>`,
			"two.xhtml", `<html><body><p>RUN</p></body></html>`}, "before"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := writeRunZip(t, c.name, c.alphabet, c.files...)
			src := NewSource(p, nil)
			defer src.Close()
			var got []string
			runtime.GC()
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			err := src.Text(context.Background(), DefaultLimits(), func(u TextUnit) error {
				got = append(got, u.Text[:min(len(u.Text), 16)])
				return nil
			})
			runtime.ReadMemStats(&m1)
			// Unbounded, the decoder alone grows a buffer to the token's
			// size (allocating about twice it), the paragraph a copy.
			alloc := m1.TotalAlloc - m0.TotalAlloc
			t.Logf("allocated %d MiB", alloc>>20)
			if alloc > 64<<20 {
				t.Errorf("allocated %d MiB reading a %d MiB token, want under 64", alloc>>20, longRun>>20)
			}
			if !errors.Is(err, ErrTooManyPixels) || !errors.Is(err, errXMLToken) {
				t.Errorf("error %v, want the token refused (ErrTooManyPixels)", err)
			}
			if len(got) == 0 || got[0] != c.want {
				t.Errorf("read %q, want %q first", got, c.want)
			}
		})
	}
}
