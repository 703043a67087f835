package query

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokKind int

const (
	tEOF tokKind = iota
	tWord
	tLParen
	tRParen
	tAnd
	tOr
	tNot
)

// token is one lexeme. A word may carry a quoted part: "tag:" + "a b" for
// tag:"a b", "" + "x" for "x".
type token struct {
	kind   tokKind
	raw    string // the unquoted text; for a quoted token the part before the quote
	quoted bool
	val    string // unescaped content of the quoted part
	col, n int    // rune column and rune length of the whole token
	qcol   int    // rune column of the opening quote
	qn     int    // rune length of the quoted part, quotes included
	gap    int    // runes of white space between a prefix and its value (path: holiday)
}

// prefixForm is what may stand right before a quote and still own it:
// tag:  ~  -  +2:  -0.5:like:  field:source=
var prefixForm = regexp.MustCompile(`^(?:(?:[-+~]|[-+][0-9.]+:)?(?:[A-Za-z][A-Za-z_]*:)?|(?i:field):[^\s"'()=]+=)$`)

func isQuote(r rune) bool { return r == '"' || r == '\'' }

// lex splits s into tokens, AND, OR and NOT in any case being keywords
// (TagStudio's habit). Columns count runes; an invalid UTF-8 byte is one
// rune, as utf8.RuneCountInString counts it. Text is sliced from s, never
// re-encoded, so invalid bytes survive into values.
func lex(s string) ([]token, error) { return lexMode(s, false) }

// lexMode is lex; with upperOnly, only upper-case AND, OR and NOT are
// keywords and "and", "or", "not" in other cases are words.
func lexMode(s string, upperOnly bool) ([]token, error) {
	var toks []token
	off, col := 0, 1
	for off < len(s) {
		r, size := utf8.DecodeRuneInString(s[off:])
		if unicode.IsSpace(r) {
			off += size
			col++
			continue
		}
		switch {
		case r == '(':
			toks = append(toks, token{kind: tLParen, raw: "(", col: col, n: 1})
			off += size
			col++
		case r == ')':
			toks = append(toks, token{kind: tRParen, raw: ")", col: col, n: 1})
			off += size
			col++
		case isQuote(r):
			val, noff, ncol, err := lexQuoted(s, off, col)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tWord, quoted: true, val: val, col: col, n: ncol - col, qcol: col, qn: ncol - col})
			off, col = noff, ncol
		default:
			start, startCol := off, col
			t := token{kind: tWord, col: startCol}
			for off < len(s) {
				r, size := utf8.DecodeRuneInString(s[off:])
				if unicode.IsSpace(r) || r == '(' || r == ')' {
					break
				}
				if isQuote(r) && prefixForm.MatchString(s[start:off]) {
					t.raw = s[start:off]
					val, noff, ncol, err := lexQuoted(s, off, col)
					if err != nil {
						return nil, err
					}
					t.quoted, t.val, t.qcol, t.qn = true, val, col, ncol-col
					off, col = noff, ncol
					break
				}
				off += size
				col++
			}
			if !t.quoted {
				t.raw = s[start:off]
				kwText := t.raw
				if !upperOnly && len(kwText) <= 3 {
					kwText = strings.ToUpper(kwText)
				}
				switch kwText {
				case "AND":
					t.kind = tAnd
				case "OR":
					t.kind = tOr
				case "NOT":
					t.kind = tNot
				}
			}
			t.n = col - startCol
			toks = append(toks, t)
		}
	}
	toks = append(toks, token{kind: tEOF, col: col, n: 1})
	return toks, nil
}

// lexQuoted reads the quoted string whose opening quote is at s[off] (rune
// column col) and returns its unescaped content and the offset and column
// just past the closing quote.
func lexQuoted(s string, off, col int) (string, int, int, error) {
	q := rune(s[off])
	qcol := col
	off++
	col++
	var b strings.Builder
	for off < len(s) {
		r, size := utf8.DecodeRuneInString(s[off:])
		if r == '\\' && off+1 < len(s) && (isQuote(rune(s[off+1])) || s[off+1] == '\\') {
			b.WriteByte(s[off+1])
			off += 2
			col += 2
			continue
		}
		if r == q {
			return b.String(), off + size, col + 1, nil
		}
		b.WriteString(s[off : off+size])
		off += size
		col++
	}
	return "", off, col, errAt(qcol, col-qcol, "unterminated quote: add a closing %c", q)
}
