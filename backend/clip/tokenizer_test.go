package clip

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

type tokenGolden struct {
	ContextLength int `json:"context_length"`
	Cases         []struct {
		Text string  `json:"text"`
		IDs  []int32 `json:"ids"`
	} `json:"cases"`
}

func loadTokenGolden(t testing.TB) tokenGolden {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "tokens_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g tokenGolden
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

func loadTestTokenizer(t testing.TB, model string, contextLength int) *Tokenizer {
	t.Helper()
	dir := testModelDir(t, model)
	tok, err := LoadTokenizer(filepath.Join(dir, TokenizerFile), filepath.Join(dir, TokenizerConfigFile), contextLength)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// The golden ids come from an independent Python rewrite of CLIP's simple_tokenizer
// (models/make_test_models.py). colour uses RobertaProcessing, colour-b1 TemplateProcessing.
func TestTokenizerGolden(t *testing.T) {
	g := loadTokenGolden(t)
	if len(g.Cases) < 20 {
		t.Fatalf("only %d golden cases", len(g.Cases))
	}
	for _, model := range []string{"colour", "colour-b1"} {
		tok := loadTestTokenizer(t, model, g.ContextLength)
		for _, c := range g.Cases {
			name := c.Text
			if len(name) > 40 {
				name = name[:40]
			}
			t.Run(model+"/"+name, func(t *testing.T) {
				got := tok.Encode(c.Text)
				if !reflect.DeepEqual(got, c.IDs) {
					t.Errorf("Encode(%q)\n got %v\nwant %v", c.Text, got, c.IDs)
				}
			})
		}
	}
}

func TestTokenizerStructure(t *testing.T) {
	tok := loadTestTokenizer(t, "colour", 77)
	vocab := tok.vocab
	bos, eos := vocab["<|startoftext|>"], vocab["<|endoftext|>"]
	if tok.PadID() != eos {
		t.Fatalf("pad id %d, want <|endoftext|> %d", tok.PadID(), eos)
	}
	ids := tok.Encode("red")
	if len(ids) != 77 || ids[0] != bos || ids[1] != vocab["red</w>"] || ids[2] != eos || ids[3] != eos {
		t.Fatalf("Encode(red) = %v", ids[:4])
	}
	// Truncation keeps EOS as the last real token.
	long := tok.Encode(strings.Repeat("red green ", 100))
	if len(long) != 77 || long[0] != bos || long[76] != eos || long[75] != vocab["green</w>"] && long[75] != vocab["red</w>"] {
		t.Fatalf("long text: %v", long)
	}
	short := loadTestTokenizer(t, "colour", 4)
	if got := short.Encode("red green blue"); !reflect.DeepEqual(got, []int32{bos, vocab["red</w>"], vocab["green</w>"], eos}) {
		t.Fatalf("context 4: %v", got)
	}
	if _, err := ParseTokenizer([]byte(`{}`), nil, 77); err == nil {
		t.Fatal("empty tokenizer.json accepted")
	}
}

func TestTokenizerMergesAsPairs(t *testing.T) {
	// tokenizers >= 0.20 writes merges as [["a","b"], ...]: same ids.
	dir := testModelDir(t, "colour")
	data, err := os.ReadFile(filepath.Join(dir, TokenizerFile))
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := os.ReadFile(filepath.Join(dir, TokenizerConfigFile))
	var f map[string]any
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	model := f["model"].(map[string]any)
	var pairs [][]string
	for _, m := range model["merges"].([]any) {
		pairs = append(pairs, strings.SplitN(m.(string), " ", 2))
	}
	model["merges"] = pairs
	data2, _ := json.Marshal(f)
	a, err := ParseTokenizer(data, cfg, 77)
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseTokenizer(data2, cfg, 77)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"a photo of a yellow cat", "caf\u00e9 na\u00efve !!"} {
		if !reflect.DeepEqual(a.Encode(s), b.Encode(s)) {
			t.Errorf("%q: string merges %v, pair merges %v", s, a.Encode(s), b.Encode(s))
		}
	}
}

func TestUnicodeWhitespace(t *testing.T) {
	got, err := unicodeWhitespace(`a\s+[^\s\p{L}]\S[\]\s]`)
	if err != nil {
		t.Fatal(err)
	}
	want := `a[` + whiteSpaceClass + `]+[^` + whiteSpaceClass + `\p{L}][^` + whiteSpaceClass + `][\]` + whiteSpaceClass + `]`
	if got != want {
		t.Fatalf("got %s\nwant %s", got, want)
	}
}

func FuzzTokenize(f *testing.F) {
	g := loadTokenGolden(f)
	for _, c := range g.Cases {
		f.Add(c.Text)
	}
	f.Add("\xff\xfe invalid utf8 \xc3")
	f.Add("<|startoftext|><|endoftext|><|endoftext|>")
	tok := loadTestTokenizer(f, "colour", 77)
	f.Fuzz(func(t *testing.T, s string) {
		ids := tok.Encode(s)
		if len(ids) != 77 {
			t.Fatalf("len %d", len(ids))
		}
		for _, id := range ids {
			if id < 0 || int(id) > len(tok.vocab) {
				t.Fatalf("id %d out of range", id)
			}
		}
		// The heap BPE equals simple_tokenizer's loop.
		for _, w := range strings.Fields(s) {
			w = byteLevelEncode(w)
			if got, want := tok.bpe(w), bpeSimple(tok, w); !reflect.DeepEqual(got, want) {
				t.Fatalf("bpe(%q) = %v, simple loop %v", w, got, want)
			}
		}
		if utf8.ValidString(s) && len(tok.Tokens(s)) == 0 && strings.TrimSpace(s) != "" {
			// every visible character is some token
			for _, r := range s {
				if r > ' ' && r != 0x85 && r != 0xa0 && !isWhiteSpace(r) {
					t.Fatalf("no tokens for %q", s)
				}
			}
		}
	})
}

// bpeSimple is OpenAI simple_tokenizer's BPE loop: merge every occurrence of the
// lowest-ranked pair, repeat.
func bpeSimple(t *Tokenizer, word string) []int32 {
	var syms []string
	for _, r := range word {
		syms = append(syms, string(r))
	}
	syms[len(syms)-1] += t.suffix
	for len(syms) > 1 {
		bestRank, best := -1, bpePair{}
		for i := 0; i+1 < len(syms); i++ {
			if r, ok := t.ranks[bpePair{syms[i], syms[i+1]}]; ok && (bestRank < 0 || r < bestRank) {
				bestRank, best = r, bpePair{syms[i], syms[i+1]}
			}
		}
		if bestRank < 0 {
			break
		}
		var merged []string
		for i := 0; i < len(syms); i++ {
			if i+1 < len(syms) && syms[i] == best.a && syms[i+1] == best.b {
				merged = append(merged, best.a+best.b)
				i++
			} else {
				merged = append(merged, syms[i])
			}
		}
		syms = merged
	}
	var ids []int32
	for _, s := range syms {
		if id, ok := t.vocab[s]; ok {
			ids = append(ids, id)
		} else if t.unk >= 0 {
			ids = append(ids, t.unk)
		}
	}
	return ids
}

// TestLongInputIsBounded: a huge query costs what a short one does, since
// only the first context's worth reaches pre-tokenization and the model
// (the costly stages; normalisation is one linear pass). Measured by the
// bytes those stages see, not by time.
func TestLongInputIsBounded(t *testing.T) {
	tok := loadTestTokenizer(t, "colour", 77)
	for _, unit := range []string{"\u00e9", "red "} {
		long := strings.Repeat(unit, 200000)
		if n := modelInput(t, func() { tok.Encode(long) }); n > 2*78*tok.maxPiece {
			t.Errorf("%q: %d of %d bytes reached the model for 77 tokens", unit, n, len(long))
		}
		// The same first tokens as tokenizing all of it.
		ids, n := tok.EncodeLen(long)
		got := ids[len(tok.prefix) : n-len(tok.suffixIDs)]
		if ref := tok.Tokens(long); !reflect.DeepEqual(got, ref[:len(got)]) {
			t.Errorf("%q: bounded %v, whole text %v", unit, got, ref[:len(got)])
		}
	}
}

// modelInput sums the bytes that reach pre-tokenization while f runs.
func modelInput(t *testing.T, f func()) int {
	total := 0
	observeModelInput = func(n int) { total += n }
	defer func() { observeModelInput = nil }()
	f()
	return total
}

func TestGPT2Split(t *testing.T) {
	cases := map[string][]string{
		"Hello world":       {"Hello", " world"},
		"Hello  world":      {"Hello", " ", " world"},
		"a\nb":              {"a", "\n", "b"},
		"I'm 123 !!":        {"I", "'m", " 123", " !!"},
		"end  ":             {"end", "  "},
		"x \n y":            {"x", " \n", " y"},
		"caf\u00e9\u3000ok": {"caf\u00e9", "\u3000", "ok"},
		"":                  nil,
	}
	for in, want := range cases {
		if got := gpt2Split(nil, in, -1); !reflect.DeepEqual(got, want) {
			t.Errorf("gpt2Split(%q) = %q, want %q", in, got, want)
		}
	}
	if got := gpt2Split(nil, "a b c d", 2); len(got) != 2 {
		t.Errorf("limit 2: %q", got)
	}
}
