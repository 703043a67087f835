package clip

// SentencePiece-style tokenizers as Hugging Face tokenizers runs them from a tokenizer.json:
//   - the Unigram model (XLM-RoBERTa, hence multilingual M-CLIP): Viterbi over the vocabulary;
//   - BPE over characters with byte fallback (Gemma, hence SigLIP 2): no ByteLevel mapping,
//     characters missing from the vocabulary become <0xNN> tokens;
//   - the Precompiled normalizer (SentencePiece's normalisation rules, a Darts double-array
//     trie) and the Metaspace pre-tokenizer.
// Each follows the semantics of the Rust crate (tokenizers/src/models/unigram/model.rs,
// models/bpe/{model,word}.rs, normalizers/precompiled.rs with the spm_precompiled crate,
// pre_tokenizers/metaspace.rs), including its quirks, which are noted where they matter.

import (
	"container/heap"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// unkPenalty is what HF subtracts from the lowest vocabulary score to score an unknown character.
const unkPenalty = 10.0

// maxCachedWord bounds the pre-tokens kept in the cache; a model with no pre-tokenizer
// sees the whole text as one word.
const maxCachedWord = 256

// byteToken is SentencePiece's name for a raw byte, as HF formats it: <0x0A>.
func byteToken(b byte) string { return fmt.Sprintf("<0x%02X>", b) }

// ---- Unigram ----

type unigramModel struct {
	pieces  pieceIndex
	scores  []float64 // by id
	vocab   map[string]int32
	unk     int32 // -1: none
	unkScr  float64
	byteIDs [256]int32 // -1 where <0xNN> is not in the vocabulary
	byteFB  bool
}

func parseUnigram(raw json.RawMessage, unkID *int, byteFallback bool) (*unigramModel, error) {
	var entries [][]json.RawMessage
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, fmt.Errorf("model.vocab: %w: want [[piece, score], ...]: %v", ErrBadJSON, err)
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("%w: model.vocab", ErrMissingKey)
	}
	m := &unigramModel{
		scores: make([]float64, len(entries)),
		vocab:  make(map[string]int32, len(entries)),
		unk:    -1,
		byteFB: byteFallback,
	}
	minScore := math.Inf(1)
	for i, e := range entries {
		var piece string
		var score float64
		if len(e) != 2 || json.Unmarshal(e[0], &piece) != nil || json.Unmarshal(e[1], &score) != nil {
			return nil, fmt.Errorf("model.vocab[%d]: %w: want [piece, score]", i, ErrBadJSON)
		}
		m.scores[i] = score
		m.vocab[piece] = int32(i) // a repeated piece keeps its last id, as HF's map does
		minScore = min(minScore, score)
	}
	m.unkScr = minScore - unkPenalty
	if unkID != nil {
		if *unkID < 0 || *unkID >= len(entries) {
			return nil, fmt.Errorf("model.unk_id %d is outside the vocabulary", *unkID)
		}
		m.unk = int32(*unkID)
	}
	m.pieces = newPieceIndex(m.vocab)
	m.byteIDs = byteIDs(m.vocab)
	return m, nil
}

func byteIDs(vocab map[string]int32) [256]int32 {
	var ids [256]int32
	for b := range ids {
		id, ok := vocab[byteToken(byte(b))]
		if !ok {
			id = -1
		}
		ids[b] = id
	}
	return ids
}

// encode is HF's Unigram::encode_optimized followed by Unigram::tokenize.
func (m *unigramModel) encode(s string) []int32 {
	if s == "" {
		return nil
	}
	type node struct {
		score float64
		start int // -1: not reached
		id    int32
	}
	best := make([]node, len(s)+1)
	for i := 1; i < len(best); i++ {
		best[i].start = -1
	}
	for at := 0; at < len(s); {
		_, mblen := utf8.DecodeRuneInString(s[at:])
		here := best[at].score
		single := false
		m.pieces.prefixes(s[at:], func(n int, id int32) {
			cand := here + m.scores[id]
			if t := &best[at+n]; t.start < 0 || cand > t.score {
				*t = node{cand, at, id}
			}
			if n == mblen {
				single = true
			}
		})
		if !single {
			cand := here + m.unkScr
			if t := &best[at+mblen]; t.start < 0 || cand > t.score {
				*t = node{cand, at, m.unk}
			}
		}
		at += mblen
	}
	// Backtrack; runs of unknown characters are fused into one piece (HF's fuse_unk is
	// always on for Unigram).
	var pieces []string
	fused := -1 // end of the pending run of unknowns
	for end := len(s); end > 0; {
		n := best[end]
		if n.id == m.unk {
			if fused < 0 {
				fused = end
			}
		} else {
			if fused >= 0 {
				pieces = append(pieces, s[end:fused])
				fused = -1
			}
			pieces = append(pieces, s[n.start:end])
		}
		end = n.start
	}
	if fused >= 0 {
		pieces = append(pieces, s[:fused])
	}
	var ids []int32
	for i := len(pieces) - 1; i >= 0; i-- {
		p := pieces[i]
		if id, ok := m.vocab[p]; ok {
			ids = append(ids, id)
			continue
		}
		if m.byteFB && m.hasBytes(p) {
			for j := 0; j < len(p); j++ {
				ids = append(ids, m.byteIDs[p[j]])
			}
			continue
		}
		if m.unk >= 0 { // without unk_id HF fails the whole encode; we drop the piece
			ids = append(ids, m.unk)
		}
	}
	return ids
}

func (m *unigramModel) hasBytes(p string) bool {
	for j := 0; j < len(p); j++ {
		if m.byteIDs[p[j]] < 0 {
			return false
		}
	}
	return true
}

// pieceIndex finds every vocabulary piece that is a prefix of a string, shortest first, by
// narrowing a range of the sorted pieces one byte at a time: no trie nodes to allocate for
// a 250k-piece vocabulary.
type pieceIndex struct {
	keys []string
	ids  []int32
}

func newPieceIndex(vocab map[string]int32) pieceIndex {
	keys := make([]string, 0, len(vocab))
	for k := range vocab {
		if k != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	ids := make([]int32, len(keys))
	for i, k := range keys {
		ids[i] = vocab[k]
	}
	return pieceIndex{keys, ids}
}

func (p *pieceIndex) prefixes(s string, fn func(n int, id int32)) {
	lo, hi := 0, len(p.keys)
	for k := 0; k < len(s) && lo < hi; k++ {
		// Every key in [lo, hi) starts with s[:k]; one equal to it sorts first.
		if len(p.keys[lo]) == k {
			lo++
		}
		c := s[k]
		keys := p.keys
		nlo := lo + sort.Search(hi-lo, func(i int) bool { return keys[lo+i][k] >= c })
		nhi := nlo + sort.Search(hi-nlo, func(i int) bool { return keys[nlo+i][k] > c })
		lo, hi = nlo, nhi
		if lo < hi && len(p.keys[lo]) == k+1 {
			fn(k+1, p.ids[lo])
		}
	}
}

// ---- BPE over characters with byte fallback ----

type spMerge struct{ rank, id int32 }

type spBPE struct {
	vocab        map[string]int32
	merges       map[[2]int32]spMerge
	unk          int32 // -1: none
	byteIDs      [256]int32
	byteFB       bool
	fuseUnk      bool
	ignoreMerges bool
	prefix       string // continuing_subword_prefix
	suffix       string // end_of_word_suffix
}

// newSPBPE builds HF's merge map: (id(a), id(b)) -> (rank, id(a+b)), a later duplicate
// replacing an earlier one as in HF's HashMap collect.
func newSPBPE(vocab map[string]int32, merges []bpePair, unk int32, byteFB, fuseUnk, ignoreMerges bool, prefix, suffix string) (*spBPE, error) {
	b := &spBPE{vocab: vocab, merges: make(map[[2]int32]spMerge, len(merges)), unk: unk,
		byteFB: byteFB, fuseUnk: fuseUnk, ignoreMerges: ignoreMerges, prefix: prefix, suffix: suffix}
	for i, m := range merges {
		a, okA := vocab[m.a]
		c, okC := vocab[m.b]
		merged := m.a + m.b
		if len(m.b) >= len(prefix) {
			merged = m.a + m.b[len(prefix):] // HF drops len(prefix) bytes of b unchecked
		}
		n, okN := vocab[merged]
		if !okA || !okC || !okN {
			return nil, fmt.Errorf("model.merges[%d]: %w: %q %q: a token is not in the vocabulary", i, ErrBadJSON, m.a, m.b)
		}
		b.merges[[2]int32{a, c}] = spMerge{int32(i), n}
	}
	b.byteIDs = byteIDs(vocab)
	return b, nil
}

type spSym struct {
	id         int32
	prev, next int
	dead       bool
}

// encode is HF's BPE::tokenize without dropout: BPE::merge_word then Word::merge_all.
func (b *spBPE) encode(w string) []int32 {
	if w == "" {
		return nil
	}
	if b.ignoreMerges {
		if id, ok := b.vocab[w]; ok {
			return []int32{id}
		}
	}
	var syms []spSym
	add := func(id int32) {
		syms = append(syms, spSym{id: id, prev: len(syms) - 1, next: len(syms) + 1})
	}
	pendingUnk := false
	for i := 0; i < len(w); {
		_, n := utf8.DecodeRuneInString(w[i:])
		s := w[i : i+n]
		if i > 0 && b.prefix != "" {
			s = b.prefix + s
		}
		if i+n == len(w) && b.suffix != "" {
			s += b.suffix
		}
		i += n
		if id, ok := b.vocab[s]; ok {
			if pendingUnk {
				add(b.unk)
				pendingUnk = false
			}
			add(id)
			continue
		}
		if b.byteFB && b.hasBytes(s) {
			// HF adds the byte tokens without first flushing a pending unknown, so that
			// unknown lands after them; kept for fidelity (only reachable when some
			// <0xNN> tokens are missing).
			for j := 0; j < len(s); j++ {
				add(b.byteIDs[s[j]])
			}
			continue
		}
		if b.unk >= 0 {
			if pendingUnk && !b.fuseUnk {
				add(b.unk)
			}
			pendingUnk = true
		}
	}
	if pendingUnk {
		add(b.unk)
	}
	if len(syms) == 0 {
		return nil
	}
	syms[len(syms)-1].next = -1

	var h spHeap
	push := func(pos int) {
		if pos < 0 || syms[pos].next < 0 {
			return
		}
		if m, ok := b.merges[[2]int32{syms[pos].id, syms[syms[pos].next].id}]; ok {
			heap.Push(&h, spCand{rank: m.rank, pos: pos, id: m.id})
		}
	}
	for i := range syms {
		push(i)
	}
	for h.Len() > 0 {
		c := heap.Pop(&h).(spCand)
		l := &syms[c.pos]
		if l.dead || l.next < 0 {
			continue
		}
		m, ok := b.merges[[2]int32{l.id, syms[l.next].id}]
		if !ok || m.id != c.id {
			continue // stale: a neighbour was merged since this pair was queued
		}
		r := &syms[l.next]
		l.id = m.id
		r.dead = true
		l.next = r.next
		if r.next >= 0 {
			syms[r.next].prev = c.pos
		}
		push(l.prev)
		push(c.pos)
	}
	var ids []int32
	for i := 0; i >= 0; i = syms[i].next {
		ids = append(ids, syms[i].id)
	}
	return ids
}

// spHeap pops the lowest rank, then the leftmost position, as HF's Word::merge_all.
type spCand struct {
	rank int32
	pos  int
	id   int32
}

type spHeap []spCand

func (h spHeap) Len() int { return len(h) }
func (h spHeap) Less(i, j int) bool {
	return h[i].rank < h[j].rank || (h[i].rank == h[j].rank && h[i].pos < h[j].pos)
}
func (h spHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *spHeap) Push(x any)   { *h = append(*h, x.(spCand)) }
func (h *spHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

func (b *spBPE) hasBytes(p string) bool {
	for j := 0; j < len(p); j++ {
		if b.byteIDs[p[j]] < 0 {
			return false
		}
	}
	return true
}

// ---- Precompiled normalizer ----

// precompiled holds SentencePiece's compiled normalisation rules: a Darts-clone double
// array over the UTF-8 bytes of each source string, whose values index a blob of
// NUL-terminated replacements.
type precompiled struct {
	units []uint32
	blob  string
}

func parsePrecompiled(b64 string) (*precompiled, error) {
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, fmt.Errorf("Precompiled: %w: precompiled_charsmap: %v", ErrBadJSON, err)
	}
	if len(data) == 0 {
		return &precompiled{}, nil
	}
	if len(data) < 4 {
		return nil, fmt.Errorf("Precompiled: %w: precompiled_charsmap too short", ErrBadJSON)
	}
	size := binary.LittleEndian.Uint32(data)
	if uint64(size) > uint64(len(data)-4) {
		return nil, fmt.Errorf("Precompiled: %w: trie size %d exceeds the %d bytes given", ErrBadJSON, size, len(data)-4)
	}
	n := int(size / 4)
	p := &precompiled{units: make([]uint32, n), blob: string(data[4+4*n:])}
	for i := range p.units {
		p.units[i] = binary.LittleEndian.Uint32(data[4+4*i:])
	}
	if !utf8.ValidString(p.blob) {
		return nil, fmt.Errorf("Precompiled: %w: replacement strings are not UTF-8", ErrBadJSON)
	}
	return p, nil
}

func dartsOffset(u uint32) uint32 { return (u >> 10) << ((u & (1 << 9)) >> 6) }
func dartsLabel(u uint32) uint32  { return u & (1<<31 | 0xFF) }
func dartsHasLeaf(u uint32) bool  { return (u>>8)&1 == 1 }
func dartsValue(u uint32) uint32  { return u & (1<<31 - 1) }

// firstPrefix is spm_precompiled's transform: the replacement for the *shortest* rule that
// is a prefix of key (common_prefix_search's first result), or ok=false.
func (p *precompiled) firstPrefix(key string) (string, bool) {
	if len(p.units) == 0 {
		return "", false
	}
	pos := dartsOffset(p.units[0])
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c == 0 {
			break
		}
		pos ^= uint32(c)
		if int(pos) >= len(p.units) {
			return "", false
		}
		u := p.units[pos]
		if dartsLabel(u) != uint32(c) {
			return "", false
		}
		pos ^= dartsOffset(u)
		if dartsHasLeaf(u) {
			if int(pos) >= len(p.units) {
				return "", false
			}
			return p.at(int(dartsValue(p.units[pos]))), true
		}
	}
	return "", false
}

func (p *precompiled) at(i int) string {
	if i >= len(p.blob) {
		return ""
	}
	s := p.blob[i:]
	if j := strings.IndexByte(s, 0); j >= 0 {
		s = s[:j]
	}
	return s
}

// normalize is HF's Precompiled normalizer: per extended grapheme cluster, a cluster under
// six bytes is replaced whole by the replacement of its shortest matching prefix if there
// is one; otherwise each character is looked up on its own.
func (p *precompiled) normalize(s string) string {
	if len(p.units) == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	state := -1
	for rest := s; rest != ""; {
		var g string
		g, rest, _, state = uniseg.FirstGraphemeClusterInString(rest, state)
		if len(g) < 6 {
			if r, ok := p.firstPrefix(g); ok {
				b.WriteString(r)
				continue
			}
		}
		for i := 0; i < len(g); {
			_, n := utf8.DecodeRuneInString(g[i:])
			if r, ok := p.firstPrefix(g[i : i+n]); ok {
				b.WriteString(r)
			} else {
				b.WriteString(g[i : i+n])
			}
			i += n
		}
	}
	return b.String()
}

// ---- Metaspace ----

type prependScheme int

const (
	prependAlways prependScheme = iota
	prependFirst
	prependNever
)

// metaspace replaces spaces with the replacement, prepends one (per the scheme) and, when
// split, cuts before every replacement character (HF's MergedWithNext: "a▁▁b" -> "a", "▁", "▁b").
func metaspace(repl string, scheme prependScheme, split bool) func([]string, int, bool) []string {
	return func(pieces []string, limit int, atStart bool) []string {
		var out []string
		for i, s := range pieces {
			if limit >= 0 && len(out) >= limit {
				break
			}
			s = strings.ReplaceAll(s, " ", repl)
			if !strings.HasPrefix(s, repl) && (scheme == prependAlways || scheme == prependFirst && atStart && i == 0) {
				s = repl + s
			}
			if !split {
				out = append(out, s)
				continue
			}
			start := 0
			for j := 0; j < len(s); {
				k := strings.Index(s[j:], repl)
				if k < 0 {
					break
				}
				if j+k > start {
					out = append(out, s[start:j+k])
					if limit >= 0 && len(out) >= limit {
						return out
					}
				}
				start = j + k
				j = start + len(repl)
			}
			if start < len(s) {
				out = append(out, s[start:])
			}
		}
		return out
	}
}

func parsePrependScheme(scheme *string, addPrefixSpace *bool) (prependScheme, error) {
	ps := prependAlways
	if scheme != nil {
		switch *scheme {
		case "always":
		case "first":
			ps = prependFirst
		case "never":
			ps = prependNever
		default:
			return 0, fmt.Errorf("%w: Metaspace prepend_scheme %q", ErrUnsupported, *scheme)
		}
	}
	if addPrefixSpace != nil && !*addPrefixSpace {
		if scheme != nil && ps != prependNever {
			return 0, fmt.Errorf("%w: Metaspace add_prefix_space false contradicts prepend_scheme %q", ErrBadJSON, *scheme)
		}
		ps = prependNever
	}
	return ps, nil
}

// ---- Split with a merging behaviour ----

// splitMerged appends the pieces of s as HF's NormalizedString::split makes them for the
// MergedWithPrevious, MergedWithNext and Contiguous behaviours (Gemma's tokenizer.json has
// Split(" ", MergedWithPrevious)). Splitting "the-final--countdown" on "-":
//
//	MergedWithPrevious  the-  final-  -  countdown
//	MergedWithNext      the  -final  -  -countdown
//	Contiguous          the  -  final  --  countdown
func splitMerged(out []string, re *regexp.Regexp, s, behavior string, invert bool) []string {
	type span struct {
		start, end int
		match      bool
	}
	var spans []span
	last := 0
	for _, m := range re.FindAllStringIndex(s, -1) {
		if m[1] == m[0] {
			continue
		}
		if m[0] > last {
			spans = append(spans, span{last, m[0], invert})
		}
		spans = append(spans, span{m[0], m[1], !invert})
		last = m[1]
	}
	if last < len(s) {
		spans = append(spans, span{last, len(s), invert})
	}
	var acc []span
	prev := false
	switch behavior {
	case "MergedWithPrevious":
		for _, sp := range spans {
			if sp.match && !prev && len(acc) > 0 {
				acc[len(acc)-1].end = sp.end
			} else {
				acc = append(acc, sp)
			}
			prev = sp.match
		}
	case "MergedWithNext":
		for i := len(spans) - 1; i >= 0; i-- {
			sp := spans[i]
			if sp.match && !prev && len(acc) > 0 {
				acc[len(acc)-1].start = sp.start
			} else {
				acc = append(acc, sp)
			}
			prev = sp.match
		}
		for i, j := 0, len(acc)-1; i < j; i, j = i+1, j-1 {
			acc[i], acc[j] = acc[j], acc[i]
		}
	default: // Contiguous
		for _, sp := range spans {
			if sp.match == prev && len(acc) > 0 {
				acc[len(acc)-1].end = sp.end
			} else {
				acc = append(acc, sp)
			}
			prev = sp.match
		}
	}
	for _, sp := range acc {
		out = append(out, s[sp.start:sp.end])
	}
	return out
}
