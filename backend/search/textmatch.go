package search

import (
	"context"
	"errors"
	"strings"

	"github.com/tagsight/tagsight/backend/query"
	"github.com/tagsight/tagsight/backend/store"
)

// TextMatches lists where one entry's text matches query q, for the
// inspector: the units with all of the plain words (the words a plain
// search looks for in the text, found together as there), and those with
// any one of its text: terms; in the order stored, at most limit, more
// saying there are others. A query that does not parse, or has no words,
// matches nothing here (the search bar reports its error).
func (s *Service) TextMatches(ctx context.Context, entryID int64, q string, limit int) (hits []store.TextHit, more bool, err error) {
	c, err := s.compile(ctx, q)
	var se *query.SyntaxError
	if errors.As(err, &se) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	var groups [][]string
	if words := strings.Fields(strings.Join(c.Words, " ")); len(words) > 0 {
		groups = append(groups, words)
	}
	for _, t := range c.TextTerms {
		groups = append(groups, []string{t})
	}
	if len(groups) == 0 {
		return nil, false, nil
	}
	return s.db.EntryTextMatches(ctx, entryID, groups, limit)
}
