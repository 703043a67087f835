package api

import "github.com/tagsight/tagsight/backend/store"

// maxTextMatches bounds the units the inspector lists for one file.
const maxTextMatches = 50

// TextMatches lists where an entry's text matches a search-bar query: the
// inspector's list of text hits and the boxes it outlines on a picture.
func (a *API) TextMatches(id int64, query string) (TextMatchList, error) {
	out := TextMatchList{Items: []TextHit{}}
	ws, err := a.workspace()
	if err != nil {
		return out, err
	}
	hits, more, err := ws.Now().Search.TextMatches(a.ctx(), id, query, maxTextMatches)
	if err != nil {
		return out, err
	}
	for i := range hits {
		out.Items = append(out.Items, *textHit(&hits[i]))
	}
	out.More = more
	return out, nil
}

func textHit(t *store.TextHit) *TextHit {
	h := &TextHit{Snippet: t.Snippet, Source: t.Source, Page: t.Page, Line: t.Line, AtMS: t.AtMS}
	if b := t.Box; b != nil {
		h.Box = &TextBox{X: b.X, Y: b.Y, W: b.W, H: b.H}
	}
	return h
}
