// Package pathenc turns file paths, which on Unix are arbitrary bytes, into
// text that JSON and the UI can carry, and back, without loss.
//
// A path that is valid UTF-8 is shown as is. A path that is not is shown in
// the escaped form, and flagged as escaped by the caller (the JSON field
// "path_escaped": true): every byte that is not part of a valid UTF-8
// sequence becomes \xHH (two lowercase hex digits) and every backslash
// becomes \\. Decode reverses it exactly.
package pathenc

import (
	"errors"
	"strings"
	"unicode/utf8"
)

const hexdigits = "0123456789abcdef"

// Encode returns the display form of p and whether it had to be escaped.
func Encode(p string) (string, bool) {
	if utf8.ValidString(p) {
		return p, false
	}
	var b strings.Builder
	b.Grow(len(p) + 8)
	for i := 0; i < len(p); {
		r, n := utf8.DecodeRuneInString(p[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			c := p[i]
			b.WriteString(`\x`)
			b.WriteByte(hexdigits[c>>4])
			b.WriteByte(hexdigits[c&15])
		case r == '\\':
			b.WriteString(`\\`)
		default:
			b.WriteString(p[i : i+n])
		}
		i += n
	}
	return b.String(), true
}

// ErrBadEscape: the text is not a valid escaped form.
var ErrBadEscape = errors.New("invalid escaped path")

// Decode reverses Encode. When escaped is false s is returned unchanged.
func Decode(s string, escaped bool) (string, error) {
	if !escaped {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		if i+1 >= len(s) {
			return "", ErrBadEscape
		}
		switch s[i+1] {
		case '\\':
			b.WriteByte('\\')
			i++
		case 'x':
			if i+3 >= len(s) {
				return "", ErrBadEscape
			}
			hi, lo := unhex(s[i+2]), unhex(s[i+3])
			if hi < 0 || lo < 0 {
				return "", ErrBadEscape
			}
			b.WriteByte(byte(hi<<4 | lo))
			i += 3
		default:
			return "", ErrBadEscape
		}
	}
	return b.String(), nil
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
