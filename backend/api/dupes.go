package api

import (
	"context"
	"errors"
	"fmt"
	"math"

	"github.com/tagsight/tagsight/backend/jobs"
	"github.com/tagsight/tagsight/backend/search"
)

// Duplicates finds duplicate groups, keeper first. The search runs as a
// job, so the UI shows its progress while the call waits; a second call
// waits for the first and then finds its pairs cached.
func (a *API) Duplicates() ([]DuplicateGroup, error) {
	ws, err := a.workspace()
	if err != nil {
		return nil, err
	}
	ctx := a.ctx()
	job, err := a.jobs.Start("duplicates", "Finding duplicates", "duplicates:"+ws.Lib.Root, func(ctx context.Context, report func(jobs.Progress)) (any, error) {
		groups, err := ws.Now().Search.Duplicates(ctx, 0.98, func(done, total int) {
			report(jobs.Progress{Phase: "comparing", Done: int64(done), Total: int64(total), Unit: "steps"})
		})
		if errors.Is(err, search.ErrNoModel) {
			err = nil
		}
		return groups, err
	})
	if err != nil {
		return nil, err
	}
	done, err := a.jobs.Wait(ctx, job.ID)
	if err != nil {
		return nil, err
	}
	if done.State != jobs.Done {
		return nil, fmt.Errorf("find duplicates: %s %s", done.State, done.Error)
	}
	groups, _ := done.Result.([]search.Group)
	out := []DuplicateGroup{}
	for _, g := range groups {
		hits := make([]search.Hit, len(g.EntryIDs))
		for i, id := range g.EntryIDs {
			hits[i] = search.Hit{EntryID: id, Score: math.NaN()}
		}
		items, err := a.items(ctx, ws, hits)
		if err != nil {
			return nil, err
		}
		out = append(out, DuplicateGroup{Kind: g.Kind, Items: items, Keeper: g.EntryIDs[0], Similarity: g.Similarity})
	}
	return out, nil
}
