package query

import "fmt"

// SyntaxError is a problem with the query text, located so the search bar can
// underline it.
type SyntaxError struct {
	Msg string
	Col int // 1-based rune column of the first rune to underline
	Len int // runes to underline, at least 1
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("column %d: %s", e.Col, e.Msg) }

func errAt(col, n int, format string, args ...any) *SyntaxError {
	if n < 1 {
		n = 1
	}
	return &SyntaxError{Msg: fmt.Sprintf(format, args...), Col: col, Len: n}
}
