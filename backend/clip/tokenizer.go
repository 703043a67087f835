package clip

// CLIP's tokenizer is written here rather than taken from a library:
//   - github.com/daulet/tokenizers binds the Rust crate (cgo + a Rust static library per platform);
//   - github.com/sugarme/tokenizer ports the whole HF crate (many dependencies, its own regex and
//     normalizer stacks, heavy start-up) and we need one narrow path of it.
// What CLIP needs from tokenizer.json is small — a few normalizers, a Split + ByteLevel
// pre-tokenizer, BPE with an end-of-word suffix, and BOS/EOS from the post-processor — and
// owning it lets the golden test pin the exact ids. SentencePiece-style files (Unigram,
// byte-fallback BPE, Precompiled, Metaspace: multilingual M-CLIP, SigLIP 2) are in
// tokenizer_sp.go. Anything else in a tokenizer.json is refused with an error naming it
// rather than silently mis-tokenised.

import (
	"container/heap"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Tokenizer turns text into the fixed-length id sequence a CLIP text tower takes.
// It is safe for concurrent use.
type Tokenizer struct {
	normalize   func(string) string
	pretokenize func(pieces []string, limit int, atStart bool) []string
	byteLevel   bool

	// At most one of these is set; neither: the ByteLevel/CLIP BPE below.
	uni *unigramModel
	sp  *spBPE

	vocab    map[string]int32
	maxPiece int // the longest vocabulary entry, in bytes
	ranks    map[bpePair]int
	suffix   string // end-of-word suffix, "</w>" for CLIP
	unk      int32  // -1: none

	addedRaw  []addedToken // matched before normalisation
	addedNorm []addedToken // matched after normalisation

	prefix, suffixIDs []int32 // BOS / EOS from the post-processor
	padID             int32
	contextLength     int

	mu    sync.RWMutex
	cache map[string][]int32
}

type bpePair struct{ a, b string }

type addedToken struct {
	content string
	id      int32
}

const maxCacheEntries = 1 << 16

// LoadTokenizer reads a Hugging Face tokenizer.json and its tokenizer_config.json.
func LoadTokenizer(tokenizerPath, configPath string, contextLength int) (*Tokenizer, error) {
	tj, err := readFile(tokenizerPath)
	if err != nil {
		return nil, err
	}
	cj, err := readFile(configPath)
	if err != nil {
		return nil, err
	}
	t, err := ParseTokenizer(tj, cj, contextLength)
	var ce configError
	switch {
	case errors.As(err, &ce):
		return nil, fmt.Errorf("%s: %w", configPath, ce.err)
	case err != nil:
		return nil, fmt.Errorf("%s: %w", tokenizerPath, err)
	}
	return t, nil
}

// ContextLength is the length of every sequence Encode returns.
func (t *Tokenizer) ContextLength() int { return t.contextLength }

// PadID is the id that fills a sequence after its last real token.
func (t *Tokenizer) PadID() int32 { return t.padID }

// Encode returns BOS, the text's tokens, EOS, then padding: exactly ContextLength ids.
// Text too long for the context is cut so that EOS is still the last real token.
func (t *Tokenizer) Encode(text string) []int32 {
	ids, _ := t.EncodeLen(text)
	return ids
}

// EncodeLen is Encode that also says how many ids precede the padding (an
// attention mask's ones).
func (t *Tokenizer) EncodeLen(text string) ([]int32, int) {
	out := make([]int32, 0, t.contextLength)
	out = append(out, t.prefix...)
	room := t.contextLength - len(t.prefix) - len(t.suffixIDs)
	ids := t.tokens(text, room)
	if len(ids) > room {
		ids = ids[:room]
	}
	out = append(out, ids...)
	out = append(out, t.suffixIDs...)
	n := len(out)
	for len(out) < t.contextLength {
		out = append(out, t.padID)
	}
	return out, n
}

// Tokens returns the text's token ids without special tokens, truncation or padding.
func (t *Tokenizer) Tokens(text string) []int32 { return t.tokens(text, -1) }

// tokens stops early once it has limit ids (limit < 0: no limit).
func (t *Tokenizer) tokens(text string, limit int) []int32 {
	var ids []int32
	for i, seg := range splitAdded(text, t.addedRaw) {
		if seg.id >= 0 {
			ids = append(ids, seg.id)
			continue
		}
		for j, s2 := range splitAdded(t.normalize(seg.text), t.addedNorm) {
			if s2.id >= 0 {
				ids = append(ids, s2.id)
				continue
			}
			rest := -1
			text := s2.text
			if limit >= 0 {
				rest = limit - len(ids) // every piece gives at least one token
				text = bounded(text, rest, t.maxPiece)
			}
			// atStart: this text begins the input (Metaspace's prepend_scheme "first").
			if observeModelInput != nil {
				observeModelInput(len(text))
			}
			for _, piece := range t.pretokenize([]string{text}, rest, i == 0 && j == 0) {
				if t.byteLevel {
					piece = byteLevelEncode(piece)
				}
				ids = append(ids, t.word(piece)...)
				if limit >= 0 && len(ids) >= limit {
					return ids
				}
			}
		}
	}
	return ids
}

// observeModelInput, when a test sets it, sees how many bytes each call
// hands to pre-tokenization and the model: the costly stages.
var observeModelInput func(n int)

// bounded cuts text that is far longer than n tokens can cover: every
// token covers at most maxPiece bytes, so the first n tokens come from the
// first n×maxPiece bytes; twice that, cut at a space where there is one,
// leaves the merges near the cut no way to reach them. Without it a model
// that pre-tokenizes nothing (SentencePiece BPE) merges over the whole text.
func bounded(text string, n, maxPiece int) string {
	keep := 2 * (n + 1) * max(maxPiece, 4)
	if len(text) <= keep {
		return text
	}
	cut := keep
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	if sp := strings.LastIndexAny(text[:cut], " \t\n"); sp > keep/2 {
		cut = sp
	}
	return text[:cut]
}

// word tokenizes one pre-token with the model.
func (t *Tokenizer) word(w string) []int32 {
	if t.uni == nil && t.sp == nil {
		return t.bpe(w)
	}
	if w == "" {
		return nil
	}
	cacheable := len(w) <= maxCachedWord
	if cacheable {
		t.mu.RLock()
		ids, ok := t.cache[w]
		t.mu.RUnlock()
		if ok {
			return ids
		}
	}
	var ids []int32
	if t.uni != nil {
		ids = t.uni.encode(w)
	} else {
		ids = t.sp.encode(w)
	}
	if cacheable {
		t.mu.Lock()
		if len(t.cache) >= maxCacheEntries {
			clear(t.cache)
		}
		t.cache[w] = ids
		t.mu.Unlock()
	}
	return ids
}

type segment struct {
	text string
	id   int32 // >= 0 for an added token
}

// splitAdded cuts s around every occurrence of an added token (leftmost first, longest on a tie).
func splitAdded(s string, tokens []addedToken) []segment {
	if len(tokens) == 0 {
		return []segment{{s, -1}}
	}
	var out []segment
	for s != "" {
		best, bestPos := -1, -1
		for i, tok := range tokens {
			if tok.content == "" {
				continue
			}
			p := strings.Index(s, tok.content)
			if p < 0 {
				continue
			}
			if bestPos < 0 || p < bestPos || (p == bestPos && len(tok.content) > len(tokens[best].content)) {
				best, bestPos = i, p
			}
		}
		if best < 0 {
			out = append(out, segment{s, -1})
			break
		}
		if bestPos > 0 {
			out = append(out, segment{s[:bestPos], -1})
		}
		out = append(out, segment{"", tokens[best].id})
		s = s[bestPos+len(tokens[best].content):]
	}
	return out
}

// bpe splits one pre-token into vocabulary ids. It merges the lowest-ranked adjacent pair
// first, leftmost on a tie, with a heap (as HF tokenizers does), so a long word costs
// O(n log n) rather than the O(n²) of simple_tokenizer's loop; for merges learnt in order
// (a merge's parts are always older than the merge) both give the same tokens, and the
// fuzz test checks that against the simple loop.
func (t *Tokenizer) bpe(word string) []int32 {
	if word == "" {
		return nil
	}
	t.mu.RLock()
	ids, ok := t.cache[word]
	t.mu.RUnlock()
	if ok {
		return ids
	}
	var syms []bpeSymbol
	for i := 0; i < len(word); {
		_, n := utf8.DecodeRuneInString(word[i:])
		syms = append(syms, bpeSymbol{s: word[i : i+n], prev: len(syms) - 1, next: len(syms) + 1})
		i += n
	}
	syms[len(syms)-1].s += t.suffix
	syms[len(syms)-1].next = -1

	var h bpeHeap
	push := func(pos int) {
		if pos < 0 || syms[pos].next < 0 {
			return
		}
		r := syms[pos].next
		if rank, ok := t.ranks[bpePair{syms[pos].s, syms[r].s}]; ok {
			heap.Push(&h, bpeCand{rank: rank, pos: pos, left: syms[pos].s, right: syms[r].s})
		}
	}
	for i := range syms {
		push(i)
	}
	for h.Len() > 0 {
		c := heap.Pop(&h).(bpeCand)
		l := &syms[c.pos]
		if l.dead || l.next < 0 || l.s != c.left || syms[l.next].s != c.right {
			continue // stale: a neighbour was merged since this pair was queued
		}
		r := &syms[l.next]
		l.s += r.s
		r.dead = true
		l.next = r.next
		if r.next >= 0 {
			syms[r.next].prev = c.pos
		}
		push(l.prev)
		push(c.pos)
	}
	for i := 0; i >= 0; i = syms[i].next {
		if id, ok := t.vocab[syms[i].s]; ok {
			ids = append(ids, id)
		} else if t.unk >= 0 {
			ids = append(ids, t.unk)
		}
	}
	t.mu.Lock()
	if len(t.cache) >= maxCacheEntries {
		clear(t.cache)
	}
	t.cache[word] = ids
	t.mu.Unlock()
	return ids
}

type bpeSymbol struct {
	s          string
	prev, next int
	dead       bool
}

type bpeCand struct {
	rank, pos   int
	left, right string
}

type bpeHeap []bpeCand

func (h bpeHeap) Len() int { return len(h) }
func (h bpeHeap) Less(i, j int) bool {
	return h[i].rank < h[j].rank || (h[i].rank == h[j].rank && h[i].pos < h[j].pos)
}
func (h bpeHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *bpeHeap) Push(x any)   { *h = append(*h, x.(bpeCand)) }
func (h *bpeHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// lowercase maps each character on its own, as Rust's char::to_lowercase does in HF tokenizers:
// full mappings (İ -> i̇) but no context rules (no final sigma).
func lowercase(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r == '\u0130' {
			b.WriteString("i\u0307")
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// gpt2Split appends the pieces of GPT-2's pattern
//
//	's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//
// found in s to out, stopping once out holds limit pieces (limit < 0: all). Go's regexp has
// no look-ahead, so this scans by hand; \s is the Unicode White_Space set, as in Oniguruma.
func gpt2Split(out []string, s string, limit int) []string {
	class := func(r rune) int { // 0 space, 1 letter, 2 number, 3 other
		switch {
		case isWhiteSpace(r):
			return 0
		case unicode.IsLetter(r):
			return 1
		case unicode.IsNumber(r):
			return 2
		}
		return 3
	}
	runOf := func(i, cl int) int { // end of the run of class cl starting at i
		for i < len(s) {
			r, n := utf8.DecodeRuneInString(s[i:])
			if class(r) != cl {
				break
			}
			i += n
		}
		return i
	}
	for i := 0; i < len(s); {
		if limit >= 0 && len(out) >= limit {
			break
		}
		end := -1
		for _, c := range []string{"'s", "'t", "'re", "'ve", "'m", "'ll", "'d"} {
			if strings.HasPrefix(s[i:], c) {
				end = i + len(c)
				break
			}
		}
		if end < 0 {
			r, n := utf8.DecodeRuneInString(s[i:])
			cl := class(r)
			if r == ' ' && i+1 < len(s) {
				if r2, _ := utf8.DecodeRuneInString(s[i+1:]); class(r2) != 0 {
					end = runOf(i+1, class(r2)) // " ?X+"
				}
			}
			switch {
			case end >= 0:
			case cl != 0:
				end = runOf(i+n, cl)
			default: // whitespace: \s+(?!\S) leaves the last one before a non-space, else \s+
				j := runOf(i, 0)
				switch {
				case j == len(s):
					end = j
				default:
					_, last := utf8.DecodeLastRuneInString(s[:j])
					if j-last > i {
						end = j - last
					} else {
						end = j
					}
				}
			}
		}
		out = append(out, s[i:end])
		i = end
	}
	return out
}

func isWhiteSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0x85:
		return true
	}
	return r > 0x85 && unicode.Is(unicode.Z, r)
}

var byteEncoder = func() [256]string {
	var t [256]string
	n := 0
	for b := 0; b < 256; b++ {
		printable := (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)
		if printable {
			t[b] = string(rune(b))
		} else {
			t[b] = string(rune(256 + n))
			n++
		}
	}
	return t
}()

// byteLevelEncode maps every byte of s to its printable stand-in (GPT-2's bytes_to_unicode).
func byteLevelEncode(s string) string {
	var b strings.Builder
	b.Grow(2 * len(s))
	for i := 0; i < len(s); i++ {
		b.WriteString(byteEncoder[s[i]])
	}
	return b.String()
}

func readFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", path, ErrMissingFile)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return data, nil
}
