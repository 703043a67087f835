package clip

// Reading the parts of a Hugging Face tokenizer.json that CLIP models use.

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// configError marks a problem in tokenizer_config.json rather than tokenizer.json.
type configError struct{ err error }

func (e configError) Error() string { return "tokenizer_config.json: " + e.err.Error() }
func (e configError) Unwrap() error { return e.err }

// ParseTokenizer builds a Tokenizer from the bytes of tokenizer.json and tokenizer_config.json.
// configJSON may be nil when tokenizer.json carries a padding section.
func ParseTokenizer(tokenizerJSON, configJSON []byte, contextLength int) (*Tokenizer, error) {
	var f struct {
		AddedTokens []struct {
			ID         int32  `json:"id"`
			Content    string `json:"content"`
			Normalized *bool  `json:"normalized"`
		} `json:"added_tokens"`
		Normalizer    json.RawMessage `json:"normalizer"`
		PreTokenizer  json.RawMessage `json:"pre_tokenizer"`
		PostProcessor json.RawMessage `json:"post_processor"`
		Padding       *struct {
			PadID    *int32 `json:"pad_id"`
			PadToken string `json:"pad_token"`
		} `json:"padding"`
		Model *struct {
			Type                    string          `json:"type"`
			Vocab                   json.RawMessage `json:"vocab"`
			Merges                  json.RawMessage `json:"merges"`
			UnkToken                *string         `json:"unk_token"`
			UnkID                   *int            `json:"unk_id"`
			EndOfWordSuffix         *string         `json:"end_of_word_suffix"`
			ContinuingSubwordPrefix *string         `json:"continuing_subword_prefix"`
			ByteFallback            bool            `json:"byte_fallback"`
			FuseUnk                 bool            `json:"fuse_unk"`
			IgnoreMerges            bool            `json:"ignore_merges"`
			Dropout                 *float64        `json:"dropout"`
		} `json:"model"`
	}
	if err := json.Unmarshal(tokenizerJSON, &f); err != nil {
		return nil, badJSON(err)
	}
	if f.Model == nil {
		return nil, fmt.Errorf("%w: model", ErrMissingKey)
	}
	if isNull(f.Model.Vocab) {
		return nil, fmt.Errorf("%w: model.vocab", ErrMissingKey)
	}
	t := &Tokenizer{
		unk:           -1,
		contextLength: contextLength,
		cache:         make(map[string][]int32),
	}
	var err error
	if t.normalize, err = parseNormalizer(f.Normalizer); err != nil {
		return nil, fmt.Errorf("normalizer: %w", err)
	}
	if t.pretokenize, t.byteLevel, err = parsePreTokenizer(f.PreTokenizer); err != nil {
		return nil, fmt.Errorf("pre_tokenizer: %w", err)
	}
	switch f.Model.Type {
	case "Unigram":
		if t.byteLevel {
			return nil, fmt.Errorf("%w: a ByteLevel pre-tokenizer with a Unigram model", ErrUnsupported)
		}
		if t.uni, err = parseUnigram(f.Model.Vocab, f.Model.UnkID, f.Model.ByteFallback); err != nil {
			return nil, err
		}
		t.vocab = t.uni.vocab
	case "BPE", "":
		if err := json.Unmarshal(f.Model.Vocab, &t.vocab); err != nil {
			return nil, fmt.Errorf("model.vocab: %w: want {token: id}: %v", ErrBadJSON, err)
		}
		if len(t.vocab) == 0 {
			return nil, fmt.Errorf("%w: model.vocab", ErrMissingKey)
		}
		if d := f.Model.Dropout; d != nil && *d > 0 && *d < 1 {
			return nil, fmt.Errorf("%w: model.dropout %v (random merges)", ErrUnsupported, *d)
		}
		if f.Model.EndOfWordSuffix != nil {
			t.suffix = *f.Model.EndOfWordSuffix
		}
		if f.Model.UnkToken != nil {
			if id, ok := t.vocab[*f.Model.UnkToken]; ok {
				t.unk = id
			}
		}
		merges, err := parseMerges(f.Model.Merges)
		if err != nil {
			return nil, err
		}
		prefix := ""
		if p := f.Model.ContinuingSubwordPrefix; p != nil {
			prefix = *p
		}
		// ByteLevel files (CLIP) keep the string-keyed BPE their golden tests pin; a
		// SentencePiece-style file (no ByteLevel, or byte_fallback) gets HF's id-keyed one.
		if f.Model.ByteFallback || !t.byteLevel || f.Model.FuseUnk || f.Model.IgnoreMerges || prefix != "" {
			if t.byteLevel && f.Model.ByteFallback {
				return nil, fmt.Errorf("%w: model.byte_fallback with a ByteLevel pre-tokenizer", ErrUnsupported)
			}
			if t.sp, err = newSPBPE(t.vocab, merges, t.unk, f.Model.ByteFallback, f.Model.FuseUnk,
				f.Model.IgnoreMerges, prefix, t.suffix); err != nil {
				return nil, err
			}
			break
		}
		t.ranks = make(map[bpePair]int, len(merges))
		for i, m := range merges {
			if _, dup := t.ranks[m]; !dup {
				t.ranks[m] = i
			}
		}
	default:
		return nil, fmt.Errorf("%w: model type %q (BPE and Unigram are supported)", ErrUnsupported, f.Model.Type)
	}

	added := map[string]int32{}
	for _, a := range f.AddedTokens {
		added[a.Content] = a.ID
		at := addedToken{a.Content, a.ID}
		if a.Normalized != nil && !*a.Normalized {
			t.addedRaw = append(t.addedRaw, at)
		} else {
			t.addedNorm = append(t.addedNorm, at)
		}
	}
	lookup := func(tok string) (int32, bool) {
		if id, ok := added[tok]; ok {
			return id, true
		}
		id, ok := t.vocab[tok]
		return id, ok
	}

	if t.prefix, t.suffixIDs, err = parsePostProcessor(f.PostProcessor, lookup); err != nil {
		return nil, fmt.Errorf("post_processor: %w", err)
	}

	// The pad token: tokenizer_config.json's pad_token, else tokenizer.json's padding section.
	pad, padFound := "", false
	if len(configJSON) > 0 {
		var c struct {
			PadToken json.RawMessage `json:"pad_token"`
		}
		if err := json.Unmarshal(configJSON, &c); err != nil {
			return nil, configError{badJSON(err)}
		}
		if len(c.PadToken) > 0 && string(c.PadToken) != "null" {
			if pad, err = tokenContent(c.PadToken); err != nil {
				return nil, configError{fmt.Errorf("pad_token: %w", err)}
			}
			padFound = true
		}
	}
	switch {
	case padFound:
		id, ok := lookup(pad)
		if !ok {
			return nil, configError{fmt.Errorf("pad_token %q is not in tokenizer.json's vocabulary", pad)}
		}
		t.padID = id
	case f.Padding != nil && f.Padding.PadID != nil:
		t.padID = *f.Padding.PadID
	default:
		return nil, configError{fmt.Errorf("%w: pad_token", ErrMissingKey)}
	}

	if min := len(t.prefix) + len(t.suffixIDs) + 1; contextLength < min {
		return nil, fmt.Errorf("context length %d is too short (need at least %d)", contextLength, min)
	}
	for piece := range t.vocab {
		t.maxPiece = max(t.maxPiece, len(piece))
	}
	return t, nil
}

func parseMerges(raw json.RawMessage) ([]bpePair, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	// Older files: ["a b", ...]; tokenizers >= 0.20: [["a", "b"], ...].
	var asStrings []string
	if err := json.Unmarshal(raw, &asStrings); err == nil {
		out := make([]bpePair, 0, len(asStrings))
		for _, m := range asStrings {
			a, b, ok := strings.Cut(m, " ")
			if !ok {
				return nil, fmt.Errorf("model.merges: bad merge %q", m)
			}
			out = append(out, bpePair{a, b})
		}
		return out, nil
	}
	var asPairs [][]string
	if err := json.Unmarshal(raw, &asPairs); err != nil {
		return nil, fmt.Errorf("model.merges: %w: %v", ErrBadJSON, err)
	}
	out := make([]bpePair, 0, len(asPairs))
	for _, m := range asPairs {
		if len(m) != 2 {
			return nil, fmt.Errorf("model.merges: bad merge %q", m)
		}
		out = append(out, bpePair{m[0], m[1]})
	}
	return out, nil
}

// tokenContent reads a token given either as "text" or as {"content": "text", ...}.
func tokenContent(raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var o struct {
		Content *string `json:"content"`
	}
	if err := json.Unmarshal(raw, &o); err != nil || o.Content == nil {
		return "", fmt.Errorf("%w: want a string or an object with content", ErrBadJSON)
	}
	return *o.Content, nil
}

type component struct {
	Type    string          `json:"type"`
	Pattern json.RawMessage `json:"pattern"`
}

func isNull(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s == "" || s == "null"
}

func parseNormalizer(raw json.RawMessage) (func(string) string, error) {
	if isNull(raw) {
		return func(s string) string { return s }, nil
	}
	var c struct {
		component
		Normalizers []json.RawMessage `json:"normalizers"`
		Content     string            `json:"content"`
		StripLeft   bool              `json:"strip_left"`
		StripRight  bool              `json:"strip_right"`
		Prepend     string            `json:"prepend"`
		Charsmap    *string           `json:"precompiled_charsmap"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, badJSON(err)
	}
	switch c.Type {
	case "Sequence":
		var fs []func(string) string
		for _, n := range c.Normalizers {
			f, err := parseNormalizer(n)
			if err != nil {
				return nil, err
			}
			fs = append(fs, f)
		}
		return func(s string) string {
			for _, f := range fs {
				s = f(s)
			}
			return s
		}, nil
	case "NFC":
		return norm.NFC.String, nil
	case "NFD":
		return norm.NFD.String, nil
	case "NFKC":
		return norm.NFKC.String, nil
	case "NFKD":
		return norm.NFKD.String, nil
	case "Lowercase":
		return lowercase, nil
	case "Strip":
		return func(s string) string {
			if c.StripLeft {
				s = strings.TrimLeftFunc(s, unicode.IsSpace)
			}
			if c.StripRight {
				s = strings.TrimRightFunc(s, unicode.IsSpace)
			}
			return s
		}, nil
	case "Prepend":
		prepend := c.Prepend
		return func(s string) string {
			if s == "" {
				return s
			}
			return prepend + s
		}, nil
	case "Precompiled":
		if c.Charsmap == nil {
			return func(s string) string { return s }, nil
		}
		p, err := parsePrecompiled(*c.Charsmap)
		if err != nil {
			return nil, err
		}
		return p.normalize, nil
	case "Replace":
		re, lit, err := parsePattern(c.Pattern)
		if err != nil {
			return nil, fmt.Errorf("Replace: %w", err)
		}
		content := c.Content
		if re == nil {
			return func(s string) string { return strings.ReplaceAll(s, lit, content) }, nil
		}
		return func(s string) string { return re.ReplaceAllLiteralString(s, content) }, nil
	}
	return nil, fmt.Errorf("%w: normalizer type %q", ErrUnsupported, c.Type)
}

// A pre-tokenizer maps pieces to pieces; limit >= 0 lets it stop after that many.
func parsePreTokenizer(raw json.RawMessage) (func([]string, int, bool) []string, bool, error) {
	identity := func(p []string, _ int, _ bool) []string { return p }
	if isNull(raw) {
		return identity, false, nil
	}
	var c struct {
		component
		PreTokenizers  []json.RawMessage `json:"pretokenizers"`
		Behavior       string            `json:"behavior"`
		Invert         bool              `json:"invert"`
		AddPrefixSpace *bool             `json:"add_prefix_space"`
		UseRegex       *bool             `json:"use_regex"`
		Replacement    *string           `json:"replacement"`
		PrependScheme  *string           `json:"prepend_scheme"`
		Split          *bool             `json:"split"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, false, badJSON(err)
	}
	switch c.Type {
	case "Sequence":
		var fs []func([]string, int, bool) []string
		byteLevel := false
		for _, p := range c.PreTokenizers {
			f, bl, err := parsePreTokenizer(p)
			if err != nil {
				return nil, false, err
			}
			fs = append(fs, f)
			byteLevel = byteLevel || bl
		}
		return func(p []string, limit int, atStart bool) []string {
			for _, f := range fs {
				p = f(p, limit, atStart)
			}
			return p
		}, byteLevel, nil
	case "Metaspace":
		if c.Replacement == nil || utf8.RuneCountInString(*c.Replacement) != 1 {
			return nil, false, fmt.Errorf("%w: Metaspace replacement (one character)", ErrMissingKey)
		}
		scheme, err := parsePrependScheme(c.PrependScheme, c.AddPrefixSpace)
		if err != nil {
			return nil, false, err
		}
		return metaspace(*c.Replacement, scheme, c.Split == nil || *c.Split), false, nil
	case "WhitespaceSplit":
		return func(p []string, limit int, _ bool) []string {
			var out []string
			for _, s := range p {
				for _, w := range strings.FieldsFunc(s, isWhiteSpace) {
					if limit >= 0 && len(out) >= limit {
						return out
					}
					out = append(out, w)
				}
			}
			return out
		}, false, nil
	case "ByteLevel":
		// The byte-to-unicode mapping itself is applied per piece just before BPE.
		// use_regex defaults to true in HF tokenizers (and CLIP's files have it on); after
		// CLIP's Split there is no whitespace left and the GPT-2 split keeps every piece whole.
		useRegex := c.UseRegex == nil || *c.UseRegex
		addPrefix := c.AddPrefixSpace != nil && *c.AddPrefixSpace
		return func(p []string, limit int, _ bool) []string {
			if addPrefix && len(p) > 0 && !strings.HasPrefix(p[0], " ") {
				p[0] = " " + p[0]
			}
			if !useRegex {
				return p
			}
			var out []string
			for _, s := range p {
				out = gpt2Split(out, s, limit)
			}
			return out
		}, true, nil
	case "Split":
		re, lit, err := parsePattern(c.Pattern)
		if err != nil {
			return nil, false, fmt.Errorf("Split: %w", err)
		}
		if re == nil {
			re = regexp.MustCompile(regexp.QuoteMeta(lit))
		}
		switch c.Behavior {
		case "MergedWithPrevious", "MergedWithNext", "Contiguous":
			behavior, invert := c.Behavior, c.Invert
			return func(pieces []string, limit int, _ bool) []string {
				var out []string
				for _, s := range pieces {
					out = splitMerged(out, re, s, behavior, invert)
					if limit >= 0 && len(out) >= limit {
						return out[:limit]
					}
				}
				return out
			}, false, nil
		}
		keepMatches, keepGaps := false, false
		switch {
		case c.Behavior == "Removed" && c.Invert:
			keepMatches = true
		case c.Behavior == "Removed":
			keepGaps = true
		case c.Behavior == "Isolated":
			keepMatches, keepGaps = true, true
		default:
			return nil, false, fmt.Errorf("%w: Split behavior %q invert %v", ErrUnsupported, c.Behavior, c.Invert)
		}
		return func(pieces []string, limit int, _ bool) []string {
			var out []string
			for _, s := range pieces {
				if limit >= 0 && len(out) >= limit {
					break
				}
				last, n := 0, -1
				if limit >= 0 {
					n = limit - len(out) + 1
				}
				for _, m := range re.FindAllStringIndex(s, n) {
					if keepGaps && m[0] > last {
						out = append(out, s[last:m[0]])
					}
					if keepMatches && m[1] > m[0] {
						out = append(out, s[m[0]:m[1]])
					}
					last = m[1]
				}
				if keepGaps && last < len(s) {
					out = append(out, s[last:])
				}
			}
			return out
		}, false, nil
	}
	return nil, false, fmt.Errorf("%w: pre_tokenizer type %q", ErrUnsupported, c.Type)
}

// parsePattern reads {"Regex": "..."} or {"String": "..."}.
func parsePattern(raw json.RawMessage) (*regexp.Regexp, string, error) {
	var p struct {
		Regex  *string `json:"Regex"`
		String *string `json:"String"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, "", fmt.Errorf("pattern: %w: %v", ErrBadJSON, err)
	}
	switch {
	case p.Regex != nil:
		expr, err := unicodeWhitespace(*p.Regex)
		if err != nil {
			return nil, "", err
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			return nil, "", fmt.Errorf("pattern %q: %w", *p.Regex, err)
		}
		return re, "", nil
	case p.String != nil:
		return nil, *p.String, nil
	}
	return nil, "", fmt.Errorf("%w: pattern (Regex or String)", ErrMissingKey)
}

// The Unicode White_Space property, which is what \s means in Oniguruma (used by HF
// tokenizers); Go's \s is ASCII-only.
const whiteSpaceClass = `\t\n\v\f\r\x{85}\p{Z}`

// unicodeWhitespace rewrites \s and \S in a pattern to the Unicode White_Space set.
func unicodeWhitespace(p string) (string, error) {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			n := p[i+1]
			i++
			switch {
			case n == 's' && inClass:
				b.WriteString(whiteSpaceClass)
			case n == 's':
				b.WriteString("[" + whiteSpaceClass + "]")
			case n == 'S' && inClass:
				return "", fmt.Errorf("%w: \\S inside a character class in %q", ErrUnsupported, p)
			case n == 'S':
				b.WriteString("[^" + whiteSpaceClass + "]")
			default:
				b.WriteByte(c)
				b.WriteByte(n)
			}
		case c == '[' && !inClass:
			inClass = true
			b.WriteByte(c)
			// A ']' right after '[' or '[^' is a literal.
			if i+1 < len(p) && p[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(p) && p[i+1] == ']' {
				b.WriteByte(']')
				i++
			}
		case c == ']' && inClass:
			inClass = false
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func parsePostProcessor(raw json.RawMessage, lookup func(string) (int32, bool)) (prefix, suffix []int32, err error) {
	if isNull(raw) {
		return nil, nil, nil
	}
	var c struct {
		Type       string            `json:"type"`
		Processors []json.RawMessage `json:"processors"`
		Cls        []json.RawMessage `json:"cls"`
		Sep        []json.RawMessage `json:"sep"`
		Single     []struct {
			SpecialToken *struct {
				ID string `json:"id"`
			} `json:"SpecialToken"`
			Sequence *struct {
				ID string `json:"id"`
			} `json:"Sequence"`
		} `json:"single"`
		SpecialTokens map[string]struct {
			IDs []int32 `json:"ids"`
		} `json:"special_tokens"`
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, nil, badJSON(err)
	}
	switch c.Type {
	case "Sequence":
		for _, p := range c.Processors {
			pre, suf, err := parsePostProcessor(p, lookup)
			if err != nil {
				return nil, nil, err
			}
			prefix, suffix = append(prefix, pre...), append(suffix, suf...)
		}
		return prefix, suffix, nil
	case "ByteLevel":
		return nil, nil, nil
	case "RobertaProcessing", "BertProcessing":
		cls, err := tokenPairID(c.Cls, "cls")
		if err != nil {
			return nil, nil, err
		}
		sep, err := tokenPairID(c.Sep, "sep")
		if err != nil {
			return nil, nil, err
		}
		return []int32{cls}, []int32{sep}, nil
	case "TemplateProcessing":
		if len(c.Single) == 0 {
			return nil, nil, fmt.Errorf("%w: TemplateProcessing single", ErrMissingKey)
		}
		seenSeq := false
		for _, item := range c.Single {
			switch {
			case item.Sequence != nil:
				seenSeq = true
			case item.SpecialToken != nil:
				st, ok := c.SpecialTokens[item.SpecialToken.ID]
				var ids []int32
				if ok {
					ids = st.IDs
				} else if id, ok2 := lookup(item.SpecialToken.ID); ok2 {
					ids = []int32{id}
				} else {
					return nil, nil, fmt.Errorf("TemplateProcessing: special token %q has no id", item.SpecialToken.ID)
				}
				if seenSeq {
					suffix = append(suffix, ids...)
				} else {
					prefix = append(prefix, ids...)
				}
			}
		}
		return prefix, suffix, nil
	}
	return nil, nil, fmt.Errorf("%w: post_processor type %q", ErrUnsupported, c.Type)
}

// tokenPairID reads ["<token>", id].
func tokenPairID(pair []json.RawMessage, key string) (int32, error) {
	if len(pair) != 2 {
		return 0, fmt.Errorf("%w: %s as [token, id]", ErrMissingKey, key)
	}
	var id int32
	if err := json.Unmarshal(pair[1], &id); err != nil {
		return 0, fmt.Errorf("%s: %w: %v", key, ErrBadJSON, err)
	}
	return id, nil
}
