package clip

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// Fixtures and golden ids: models/make_tokenizer_fixtures.py (an independent Python
// reimplementation of HF tokenizers' Unigram, byte-fallback BPE, Precompiled and Metaspace).
var spFixtures = []string{"xlmr", "unigram-bf", "gemma", "spbpe-unk"}

type spGolden struct {
	ContextLength int               `json:"context_length"`
	Rules         map[string]string `json:"rules"`
	Tokenizers    map[string][]struct {
		Text string  `json:"text"`
		IDs  []int32 `json:"ids"`
	} `json:"tokenizers"`
}

func loadSPGolden(t testing.TB) spGolden {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "sp_tokens_golden.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g spGolden
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatal(err)
	}
	return g
}

func loadSPTokenizer(t testing.TB, name string, contextLength int) *Tokenizer {
	t.Helper()
	dir := filepath.Join("testdata", "sp", name)
	tok, err := LoadTokenizer(filepath.Join(dir, "tokenizer.json"), filepath.Join(dir, "tokenizer_config.json"), contextLength)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestSPTokenizerGolden(t *testing.T) {
	g := loadSPGolden(t)
	for _, name := range spFixtures {
		cases := g.Tokenizers[name]
		if len(cases) < 20 {
			t.Fatalf("%s: only %d golden cases", name, len(cases))
		}
		tok := loadSPTokenizer(t, name, g.ContextLength)
		for _, c := range cases {
			label := c.Text
			if len(label) > 30 {
				label = label[:30]
			}
			t.Run(name+"/"+label, func(t *testing.T) {
				if got := tok.Encode(c.Text); !reflect.DeepEqual(got, c.IDs) {
					t.Errorf("Encode(%q)\n got %v\nwant %v", c.Text, got, c.IDs)
				}
			})
		}
	}
}

// pieces returns the vocabulary strings of Tokens(s).
func pieces(tok *Tokenizer, s string) []string {
	inv := map[int32]string{}
	for p, id := range tok.vocab {
		inv[id] = p
	}
	var out []string
	for _, id := range tok.Tokens(s) {
		out = append(out, inv[id])
	}
	return out
}

func TestUnigramHandChecked(t *testing.T) {
	tok := loadSPTokenizer(t, "xlmr", 24)
	cases := map[string][]string{
		// greedy longest match would give ▁abc + d (-10 -7 = -17); Viterbi: ▁ab + cd (-12)
		"abcd": {"▁ab", "cd"},
		// tie: ▁xy (-12) and ▁x + y (-3 -9); the first candidate found (the longer piece) stays
		"xy": {"▁xy"},
		// ж and Ω are unknown: one fused <unk>
		"жΩa":          {"▁", "<unk>", "a"},
		"Hello World!": {"▁Hello", "▁World", "!"},
		// Precompiled: fullwidth -> ASCII; multiple spaces collapse before Metaspace
		"ｈｅｌｌｏ   ①": {"▁hello", "▁", "1"},
		// the duplicate piece "'" keeps its last id and score (-6)
		"'": {"▁", "'"},
	}
	for in, want := range cases {
		if got := pieces(tok, in); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
	if tok.uni.unkScr != -40-unkPenalty {
		t.Errorf("unk score %v, want min score - 10 = %v", tok.uni.unkScr, -40-unkPenalty)
	}
	// RobertaProcessing + pad from tokenizer_config.json.
	ids := tok.Encode("a")
	if ids[0] != 0 || ids[2] != 2 || ids[3] != 1 || tok.PadID() != 1 {
		t.Errorf("Encode(a) = %v, pad %d", ids, tok.PadID())
	}
}

func TestUnigramByteFallback(t *testing.T) {
	tok := loadSPTokenizer(t, "unigram-bf", 24)
	// split false lets a piece span words; unknowns fuse and then fall back to bytes; a
	// character whose bytes are not all in the vocabulary (0xF0: emoji) stays <unk>.
	cases := map[string][]string{
		"a photo": {"▁a▁photo"},
		"жa":      {"▁", "<0xD0>", "<0xB6>", "a"},
		"🐱":       {"▁", "<unk>"},
	}
	for in, want := range cases {
		if got := pieces(tok, in); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
	// prepend_scheme "first": no ▁ for text after a special token.
	if got := pieces(tok, "<s>a"); !reflect.DeepEqual(got, []string{"<s>", "a"}) {
		t.Errorf("<s>a: %q", got)
	}
	if tok.PadID() != 1 { // pad_token given as an AddedToken object
		t.Errorf("pad %d", tok.PadID())
	}
}

func TestSPBPEHandChecked(t *testing.T) {
	g := loadSPTokenizer(t, "gemma", 8)
	cases := map[string][]string{
		// Prepend ▁, spaces -> ▁, one word; merges by rank over characters
		"a cat": {"▁a", "▁cat"},
		// 猫 is not in the vocabulary: its UTF-8 bytes
		"猫": {"▁", "<0xE7>", "<0x8C>", "<0xAB>"},
		"":  nil,
	}
	for in, want := range cases {
		if got := pieces(g, in); !reflect.DeepEqual(got, want) {
			t.Errorf("gemma %q: got %q, want %q", in, got, want)
		}
	}
	// Template "$A <eos>", pad <pad>=0 from an AddedToken object; truncation keeps <eos> last.
	ids := g.Encode(strings.Repeat("red ", 50))
	if len(ids) != 8 || ids[7] != 1 || g.PadID() != 0 {
		t.Errorf("long: %v pad %d", ids, g.PadID())
	}
	if ids := g.Encode("a"); ids[0] != g.vocab["▁a"] || ids[1] != 1 || ids[2] != 0 {
		t.Errorf("Encode(a) = %v", ids)
	}

	u := loadSPTokenizer(t, "spbpe-unk", 24)
	cases = map[string][]string{
		// ignore_merges: a word in the vocabulary is one token even if no merge builds it
		"hello": {"▁hello"},
		"help":  {"▁", "he", "l", "p"},
		// fuse_unk; Ω falls back to bytes; HF adds those before the pending <unk> of ж
		"жжa": {"▁", "<unk>", "a"},
		"жΩa": {"▁", "<0xCE>", "<0xA9>", "<unk>", "a"},
	}
	for in, want := range cases {
		if got := pieces(u, in); !reflect.DeepEqual(got, want) {
			t.Errorf("spbpe-unk %q: got %q, want %q", in, got, want)
		}
	}
}

func TestMetaspace(t *testing.T) {
	// HF's own tests (pre_tokenizers/metaspace.rs).
	ms := metaspace("▁", prependAlways, true)
	if got := ms([]string{"Hey   friend!"}, -1, true); !reflect.DeepEqual(got, []string{"▁Hey", "▁", "▁", "▁friend!"}) {
		t.Errorf("always/split: %q", got)
	}
	first := metaspace("▁", prependFirst, false)
	if got := first([]string{" Hey "}, -1, true); !reflect.DeepEqual(got, []string{"▁Hey▁"}) {
		t.Errorf("first at start: %q", got)
	}
	if got := first([]string{"how "}, -1, false); !reflect.DeepEqual(got, []string{"how▁"}) {
		t.Errorf("first later: %q", got)
	}
	if got := metaspace("▁", prependNever, true)([]string{"a b▁"}, -1, true); !reflect.DeepEqual(got, []string{"a", "▁b", "▁"}) {
		t.Errorf("never: %q", got)
	}
	if got := ms([]string{"a b c d"}, 2, true); len(got) != 2 {
		t.Errorf("limit: %q", got)
	}
	f, tr := false, true
	always, first2 := "always", "first"
	if _, err := parsePrependScheme(&always, &f); err == nil {
		t.Error("add_prefix_space false with prepend_scheme always accepted (HF refuses it)")
	}
	if s, err := parsePrependScheme(nil, &f); err != nil || s != prependNever {
		t.Errorf("legacy add_prefix_space false: %v %v", s, err)
	}
	if s, err := parsePrependScheme(&first2, &tr); err != nil || s != prependFirst {
		t.Errorf("first: %v %v", s, err)
	}
	if s, err := parsePrependScheme(nil, nil); err != nil || s != prependAlways {
		t.Errorf("default: %v %v", s, err)
	}
}

func TestSplitMergedBehaviors(t *testing.T) {
	// HF's SplitDelimiterBehavior documentation example.
	want := map[string][]string{
		"Removed":            {"the", "final", "countdown"},
		"Isolated":           {"the", "-", "final", "-", "-", "countdown"},
		"MergedWithPrevious": {"the-", "final-", "-", "countdown"},
		"MergedWithNext":     {"the", "-final", "-", "-countdown"},
		"Contiguous":         {"the", "-", "final", "--", "countdown"},
	}
	for behavior, w := range want {
		raw, _ := json.Marshal(map[string]any{"type": "Split", "pattern": map[string]string{"String": "-"},
			"behavior": behavior, "invert": false})
		f, _, err := parsePreTokenizer(raw)
		if err != nil {
			t.Fatalf("%s: %v", behavior, err)
		}
		if got := f([]string{"the-final--countdown"}, -1, true); !reflect.DeepEqual(got, w) {
			t.Errorf("%s: %q, want %q", behavior, got, w)
		}
	}
	// HF's split.rs test: MergedWithPrevious on " " over "How are  you?".
	got := splitMerged(nil, regexp.MustCompile(" "), "How are  you?", "MergedWithPrevious", false)
	if !reflect.DeepEqual(got, []string{"How ", "are ", " ", "you?"}) {
		t.Errorf("How are  you?: %q", got)
	}
}

func xlmrCharsmap(t *testing.T) *precompiled {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "sp", "xlmr", "tokenizer.json"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Normalizer struct {
			Normalizers []struct {
				Charsmap string `json:"precompiled_charsmap"`
			} `json:"normalizers"`
		} `json:"normalizer"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	p, err := parsePrecompiled(f.Normalizer.Normalizers[0].Charsmap)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The charsmap is a Darts double array written by the Python generator.
func TestPrecompiledCharsmap(t *testing.T) {
	p := xlmrCharsmap(t)
	g := loadSPGolden(t)
	for src, dst := range g.Rules {
		want := dst
		if src == "ｋ\u0301" {
			want = "k" // the shorter rule "ｋ" is a prefix: common_prefix_search's first result wins
		}
		if got, ok := p.firstPrefix(src); !ok || got != want {
			t.Errorf("rule %q: got %q %v, want %q", src, got, ok, want)
		}
	}
	for _, miss := range []string{"h", "", "\uff48"[:2], "xyz", "\u0301"} {
		if got, ok := p.firstPrefix(miss); ok {
			t.Errorf("%q matched %q", miss, got)
		}
	}
	cases := map[string]string{
		"ｈｅｌｌｏ ①":           "hello 1",
		"ﬁsh":               "fish",
		"ا\u0653":           "آ",
		"cafe\u0301":        "café",
		"ｋ\u0301":           "k",             // HF: the grapheme goes whole to its shortest rule's replacement
		"ｈ\u0301\u0301":     "h\u0301\u0301", // 7 bytes: per character
		"👩\u200d👧":          "👩 👧",           // 11 bytes: per character, ZWJ -> space
		"\u3000a\u00a0b":    " a b",
		"plain ascii":       "plain ascii",
		"\xff\xfe bad \xc3": "\xff\xfe bad \xc3",
	}
	for in, want := range cases {
		if got := p.normalize(in); got != want {
			t.Errorf("normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

// The hand-built double array from spm_precompiled's tests (overlapping_prefix_charsmap):
// rules "a" -> "x" and "a"+U+0300 / "ab" -> "y" (values 0 and 2 in "x\0y\0").
func TestPrecompiledSPMHandBuiltTrie(t *testing.T) {
	trie := make([]uint32, 256)
	trie['a'] = 'a' | 1<<8 | 1<<10
	trie[96] = 0
	trie[2] = 'b' | 1<<8 | 1<<10
	trie[3] = 2
	trie[172] = 0xcc | 1<<10
	trie[45] = 0x80 | 1<<8 | 1<<10
	trie[44] = 2
	blob := make([]byte, 4, 4+4*len(trie)+4)
	binary.LittleEndian.PutUint32(blob, uint32(4*len(trie)))
	for _, u := range trie {
		blob = binary.LittleEndian.AppendUint32(blob, u)
	}
	blob = append(blob, "x\x00y\x00"...)
	p := &precompiled{units: trie, blob: "x\x00y\x00"}
	if got, ok := p.firstPrefix("abc"); !ok || got != "x" {
		t.Errorf("firstPrefix(abc) = %q %v", got, ok)
	}
	// spm_precompiled's longest_prefix_search facts: "abc" -> (2, "y"), "a\u0300z" -> (3, "y").
	for in, want := range map[string]int{"abc": 2, "a\u0300z": 3} {
		if n, v := longestPrefix(p, in); n != want || v != "y" {
			t.Errorf("longest(%q) = %d %q", in, n, v)
		}
	}
	// HF tokenizers' normalizer: the grapheme "à" takes the shortest rule, "x".
	if got := p.normalize("a\u0300z"); got != "xz" {
		t.Errorf("normalize = %q", got)
	}
	// The same bytes through base64 and the parser.
	raw, _ := json.Marshal(map[string]any{"type": "Precompiled", "precompiled_charsmap": blob})
	n, err := parseNormalizer(raw)
	if err != nil {
		t.Fatal(err)
	}
	if got := n("ab a"); got != "xb x" {
		t.Errorf("parsed normalizer: %q", got)
	}
}

// longestPrefix walks the double array the way spm_precompiled's longest_prefix_search does.
func longestPrefix(p *precompiled, key string) (int, string) {
	pos := dartsOffset(p.units[0])
	n, val := 0, ""
	for i := 0; i < len(key) && key[i] != 0; i++ {
		pos ^= uint32(key[i])
		u := p.units[pos]
		if dartsLabel(u) != uint32(key[i]) {
			break
		}
		pos ^= dartsOffset(u)
		if dartsHasLeaf(u) {
			n, val = i+1, p.at(int(dartsValue(p.units[pos])))
		}
	}
	return n, val
}

func TestSPTokenizerErrors(t *testing.T) {
	cfg := []byte(`{"pad_token": "<pad>"}`)
	for name, js := range map[string]string{
		"unigram vocab as map": `{"model": {"type": "Unigram", "vocab": {"a": 0}}}`,
		"unigram bad unk_id":   `{"model": {"type": "Unigram", "unk_id": 5, "vocab": [["<pad>", 0]]}}`,
		"merge not in vocab": `{"model": {"type": "BPE", "byte_fallback": true, "vocab": {"<pad>": 0, "a": 1},
			"merges": ["a b"]}}`,
		"bad charsmap": `{"normalizer": {"type": "Precompiled", "precompiled_charsmap": "AQID"},
			"model": {"type": "Unigram", "vocab": [["<pad>", 0]]}}`,
		"metaspace conflict": `{"pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "add_prefix_space": false,
			"prepend_scheme": "always"}, "model": {"type": "Unigram", "vocab": [["<pad>", 0]]}}`,
	} {
		if _, err := ParseTokenizer([]byte(js), cfg, 8); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	_, err := ParseTokenizer([]byte(`{"model": {"type": "WordPiece", "vocab": {"a": 0}}}`), cfg, 8)
	if !errors.Is(err, ErrUnsupported) {
		t.Errorf("WordPiece: %v", err)
	}
	// Unigram without unk_id: unknown characters are dropped rather than failing.
	tok, err := ParseTokenizer([]byte(`{"model": {"type": "Unigram", "vocab": [["<pad>", 0], ["a", -1]]}}`), cfg, 4)
	if err != nil {
		t.Fatal(err)
	}
	if got := tok.Encode("aža"); !reflect.DeepEqual(got, []int32{1, 1, 0, 0}) {
		t.Errorf("no unk: %v", got)
	}
}

// TestSPLongInputIsBounded: only the first context's worth of a huge query
// reaches the model, measured by the bytes it sees, not by time.
func TestSPLongInputIsBounded(t *testing.T) {
	for _, name := range spFixtures {
		tok := loadSPTokenizer(t, name, 64)
		for _, unit := range []string{"é", "a cat ", "猫🐱"} {
			long := strings.Repeat(unit, 30000)
			ids, n := tok.EncodeLen(long)
			if len(ids) != 64 {
				t.Fatal(len(ids))
			}
			// The same first tokens as tokenizing all of it.
			got := ids[len(tok.prefix) : n-len(tok.suffixIDs)]
			if ref := tok.Tokens(long); !reflect.DeepEqual(got, ref[:len(got)]) {
				t.Errorf("%s %q: bounded %v, whole text %v", name, unit, got, ref[:len(got)])
			}
			if n := modelInput(t, func() { tok.Encode(long) }); n > 2*65*max(tok.maxPiece, 4) {
				t.Errorf("%s %q: %d of %d bytes reached the model for 64 tokens", name, unit, n, len(long))
			}
		}
	}
}

func FuzzTokenizeSP(f *testing.F) {
	g := loadSPGolden(f)
	for _, c := range g.Tokenizers["xlmr"] {
		f.Add(c.Text)
	}
	f.Add("\xff\xfe invalid utf8 \xc3")
	f.Add("<s><pad></s><mask>▁▁ ▁")
	var toks []*Tokenizer
	var sizes []int32
	for _, name := range spFixtures {
		tok := loadSPTokenizer(f, name, 24)
		toks = append(toks, tok)
		n := int32(0)
		for _, id := range tok.vocab {
			n = max(n, id+1)
		}
		sizes = append(sizes, n)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for i, tok := range toks {
			ids := tok.Encode(s)
			if len(ids) != 24 {
				t.Fatalf("%s: len %d", spFixtures[i], len(ids))
			}
			for _, id := range ids {
				if id < 0 || id >= sizes[i] {
					t.Fatalf("%s: id %d out of range", spFixtures[i], id)
				}
			}
		}
	})
}
