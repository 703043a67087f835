package api

// Tags and fields: thin calls into package tags.

import (
	"github.com/tagsight/tagsight/backend/tags"
)

// Tags lists every tag.
func (a *API) Tags() ([]tags.Tag, error) {
	ws, err := a.workspace()
	if err != nil {
		return nil, err
	}
	ts, err := ws.Tags.List(a.ctx())
	if ts == nil {
		ts = []tags.Tag{}
	}
	return ts, err
}

// CreateTag makes a tag.
func (a *API) CreateTag(name string) (tags.Tag, error) {
	ws, err := a.workspace()
	if err != nil {
		return tags.Tag{}, err
	}
	return ws.Tags.Create(a.ctx(), name)
}

// UpdateTag applies a patch to a tag.
func (a *API) UpdateTag(id int64, p TagPatch) (tags.Tag, error) {
	ws, err := a.workspace()
	if err != nil {
		return tags.Tag{}, err
	}
	ctx, s := a.ctx(), ws.Tags
	steps := []func() error{}
	if p.Name != nil {
		steps = append(steps, func() error { return s.Rename(ctx, id, *p.Name) })
	}
	if p.Shorthand != nil {
		steps = append(steps, func() error { return s.SetShorthand(ctx, id, *p.Shorthand) })
	}
	if p.Color != nil {
		steps = append(steps, func() error { return s.SetColor(ctx, id, *p.Color) })
	}
	if p.IsCategory != nil {
		steps = append(steps, func() error { return s.SetCategory(ctx, id, *p.IsCategory) })
	}
	if p.IsHidden != nil {
		steps = append(steps, func() error { return s.SetHidden(ctx, id, *p.IsHidden) })
	}
	if p.AddAlias != nil {
		steps = append(steps, func() error { return s.AddAlias(ctx, id, *p.AddAlias) })
	}
	if p.RemoveAlias != nil {
		steps = append(steps, func() error { return s.RemoveAlias(ctx, id, *p.RemoveAlias) })
	}
	if p.AddParent != nil {
		steps = append(steps, func() error { return s.AddParent(ctx, id, *p.AddParent) })
	}
	if p.RemoveParent != nil {
		steps = append(steps, func() error { return s.RemoveParent(ctx, id, *p.RemoveParent) })
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return tags.Tag{}, err
		}
	}
	return s.Get(ctx, id)
}

// MergeTags folds one tag into another.
func (a *API) MergeTags(from, into int64) error {
	ws, err := a.workspace()
	if err != nil {
		return err
	}
	return ws.Tags.Merge(a.ctx(), from, into)
}

// DeleteTag removes a tag.
func (a *API) DeleteTag(id int64) error {
	ws, err := a.workspace()
	if err != nil {
		return err
	}
	return ws.Tags.Delete(a.ctx(), id)
}

// ApplyTag adds a tag to entries.
func (a *API) ApplyTag(tagID int64, ids []int64) (int, error) {
	ws, err := a.workspace()
	if err != nil {
		return 0, err
	}
	return ws.Tags.Apply(a.ctx(), tagID, ids)
}

// RemoveTag takes a tag off entries.
func (a *API) RemoveTag(tagID int64, ids []int64) (int, error) {
	ws, err := a.workspace()
	if err != nil {
		return 0, err
	}
	return ws.Tags.Remove(a.ctx(), tagID, ids)
}

// SetField sets a text or date field ("" removes it).
func (a *API) SetField(id int64, name, kind, value string) error {
	ws, err := a.workspace()
	if err != nil {
		return err
	}
	return ws.Tags.SetField(a.ctx(), id, name, kind, value)
}
