package faces

import (
	"context"
	"fmt"
	"sort"

	"github.com/tagsight/tagsight/backend/knn"
	"github.com/tagsight/tagsight/backend/store"
)

// neighbours is how many nearest faces the incremental assignment looks at.
const neighbours = 24

// Assign puts a newly stored face in a person, in the writer's
// transaction, without re-clustering anything: among its nearest faces
// (sqlite-vec KNN) at least set.Match alike and not in the same picture,
// the person with the most (and most similar) votes takes it, unless the
// face was told it is not that person. With no such person, when enough
// alike faces are in nobody yet (set.MinFaces with this one), they become
// a new person together. Otherwise the face waits in nobody, offered for
// naming.
func Assign(ctx context.Context, tx *store.Tx, faceID int64, vec []float32, set Tuning) error {
	set = set.Clean()
	nb, err := store.FaceNeighbours(ctx, tx, vec, neighbours)
	if err != nil {
		return err
	}
	rej, err := store.RejectedPeople(ctx, tx, faceID)
	if err != nil {
		return err
	}
	var self int64
	for _, n := range nb {
		if n.FaceID == faceID {
			self = n.EntryID
		}
	}
	votes := map[int64]float64{}
	var loose []int64
	for _, n := range nb {
		if n.FaceID == faceID || n.Sim < set.Match || (self != 0 && n.EntryID == self) {
			continue
		}
		if n.PersonID != 0 {
			if !rej[n.PersonID] {
				votes[n.PersonID] += n.Sim
			}
			continue
		}
		loose = append(loose, n.FaceID)
	}
	if p := bestVote(votes); p != 0 {
		return store.AssignFaces(ctx, tx, p, []int64{faceID}, false)
	}
	if len(loose)+1 < set.MinFaces {
		return nil
	}
	p, err := store.NewPerson(ctx, tx)
	if err != nil {
		return err
	}
	return store.AssignFaces(ctx, tx, p, append(loose, faceID), false)
}

func bestVote(votes map[int64]float64) int64 {
	var best int64
	bv := 0.0
	for p, v := range votes {
		if v > bv || v == bv && p < best {
			best, bv = p, v
		}
	}
	return best
}

// NameSuggestion is a named person an unassigned face looks like.
type NameSuggestion struct {
	PersonID int64   `json:"person_id"`
	Name     string  `json:"name"`
	Score    float64 `json:"score"`
}

// Suggest offers names for a face in nobody: the named people among its
// nearest faces at least set.Suggest alike (and not rejected), best first.
func Suggest(ctx context.Context, db *store.DB, f store.Face, set Tuning) ([]NameSuggestion, error) {
	set = set.Clean()
	if f.PersonID != 0 || f.Vec == nil {
		return nil, nil
	}
	nb, err := store.FaceNeighbours(ctx, db, f.Vec, neighbours)
	if err != nil {
		return nil, err
	}
	rej, err := store.RejectedPeople(ctx, db, f.ID)
	if err != nil {
		return nil, err
	}
	names, err := db.PersonNames(ctx)
	if err != nil {
		return nil, err
	}
	best := map[int64]float64{}
	for _, n := range nb {
		if n.FaceID == f.ID || names[n.PersonID] == "" || rej[n.PersonID] || n.Sim < set.Suggest || n.EntryID == f.EntryID {
			continue
		}
		best[n.PersonID] = max(best[n.PersonID], n.Sim)
	}
	var out []NameSuggestion
	for p, s := range best {
		out = append(out, NameSuggestion{PersonID: p, Name: names[p], Score: s})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Score > out[j].Score })
	return out, nil
}

// regroupNeighbours is how many alike faces a regroup keeps per face: the
// memory bound (faces × this), and plenty to decide cores (set.MinFaces)
// and votes.
const regroupNeighbours = 32

// Recluster groups every face again, on demand: faces the user placed
// (pinned) stay; a face alike (set.Match) to pinned faces of a person it
// was not told it is not joins that person; the rest are grouped by
// density (a face with at least set.MinFaces-1 alike faces is a core; cores
// alike are one group; other faces join their most alike core's group),
// and groups of at least set.MinFaces become people, keeping the id of the
// unnamed person most of them were in. It returns the number of people.
// "Alike faces" are each face's nearest regroupNeighbours faces at least
// set.Match alike in other pictures (knn.NeighbourGraph: exact for a few
// thousand faces, k-means lists beyond), so time grows nearly linearly
// and memory with faces × regroupNeighbours, not with the alike pairs.
// progress (may be nil) hears the faces compared out of all.
func Recluster(ctx context.Context, db *store.DB, set Tuning, progress func(done, total int)) (int, error) {
	set = set.Clean()
	type faceInfo struct {
		id, entry, person int64
		pinned            bool
	}
	var all []faceInfo
	var idx *knn.Index
	var rows []int64 // scratch for AddRows
	var vecs []float32
	flush := func() {
		if len(rows) > 0 {
			idx.AddRows(rows, vecs)
			rows, vecs = rows[:0], vecs[:0]
		}
	}
	err := db.ForEachFaceVector(ctx, func(f store.FaceVector) error {
		if idx == nil {
			if len(f.Vec) == 0 {
				return nil
			}
			idx = knn.New(len(f.Vec))
		}
		if len(f.Vec) != idx.Dim() {
			return nil // another recogniser's face: alike to none
		}
		// Rows are numbered in arrival order: row i is all[i].
		rows = append(rows, int64(len(all)))
		vecs = append(vecs, f.Vec...)
		all = append(all, faceInfo{f.ID, f.EntryID, f.PersonID, f.Pinned})
		if len(rows) == 1024 {
			flush()
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	rejs, err := db.FaceRejections(ctx)
	if err != nil {
		return 0, err
	}
	rejected := func(face, person int64) bool {
		for _, p := range rejs[face] {
			if p == person {
				return true
			}
		}
		return false
	}
	n := len(all)
	// Alike faces, not in the same picture: adj[i] are rows, sims[i] their scores.
	adj := make([][]int32, n)
	sims := make([][]float32, n)
	if idx != nil {
		flush()
		g, err := idx.NeighbourGraph(ctx, float32(set.Match), regroupNeighbours,
			func(a, b int64) bool { return all[a].entry == all[b].entry }, knn.Progress(progress))
		if err != nil {
			return 0, fmt.Errorf("re-cluster: %w", err)
		}
		for r := range n {
			nb, sim := g.Neighbours(r)
			// g.IDs[r] is the row number given to AddRows.
			i := g.IDs[r]
			adj[i], sims[i] = make([]int32, len(nb)), sim
			for k, p := range nb {
				adj[i][k] = int32(g.IDs[p])
			}
		}
	}
	byPerson := map[int64][]int64{}
	placed := make([]bool, n)
	for i, f := range all {
		if f.pinned && f.person != 0 {
			placed[i] = true
		}
	}
	// Faces alike to pinned faces join their person.
	for i, f := range all {
		if placed[i] {
			continue
		}
		votes := map[int64]float64{}
		for k, j := range adj[i] {
			if all[j].pinned && all[j].person != 0 && !rejected(f.id, all[j].person) {
				votes[all[j].person] += float64(sims[i][k])
			}
		}
		if p := bestVote(votes); p != 0 {
			byPerson[p] = append(byPerson[p], f.id)
			placed[i] = true
		}
	}
	// Density groups of the rest.
	core := make([]bool, n)
	for i := range all {
		if placed[i] {
			continue
		}
		c := 0
		for _, j := range adj[i] {
			if !placed[j] {
				c++
			}
		}
		core[i] = c+1 >= set.MinFaces
	}
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for i := range all {
		if !core[i] {
			continue
		}
		for _, j := range adj[i] {
			if core[j] {
				parent[find(i)] = find(int(j))
			}
		}
	}
	group := map[int][]int{}
	for i := range all {
		if placed[i] {
			continue
		}
		root := -1
		if core[i] {
			root = find(i)
		} else {
			bs := -1.0
			for k, j := range adj[i] {
				if core[j] && float64(sims[i][k]) > bs {
					bs, root = float64(sims[i][k]), find(int(j))
				}
			}
		}
		if root >= 0 {
			group[root] = append(group[root], i)
		}
	}
	roots := make([]int, 0, len(group))
	for r := range group {
		roots = append(roots, r)
	}
	sort.Ints(roots)
	var clusters []store.Cluster
	for p, ids := range byPerson {
		clusters = append(clusters, store.Cluster{Person: p, Faces: ids})
	}
	reused := map[int64]bool{}
	named := map[int64]bool{}
	people, err := db.People(ctx, true)
	if err != nil {
		return 0, err
	}
	for _, p := range people {
		if p.TagID != 0 {
			named[p.ID] = true
		}
	}
	for _, r := range roots {
		members := group[r]
		if len(members) < set.MinFaces {
			continue
		}
		count := map[int64]int{}
		for _, i := range members {
			if p := all[i].person; p != 0 && !reused[p] && !named[p] {
				count[p]++
			}
		}
		var keep int64
		bc := 0
		for p, c := range count {
			if c > bc || c == bc && p < keep {
				keep, bc = p, c
			}
		}
		c := store.Cluster{Person: keep}
		for _, i := range members {
			if keep == 0 || !rejected(all[i].id, keep) {
				c.Faces = append(c.Faces, all[i].id)
			}
		}
		if keep != 0 {
			reused[keep] = true
		}
		clusters = append(clusters, c)
	}
	if err := db.ApplyClusters(ctx, clusters); err != nil {
		return 0, fmt.Errorf("re-cluster: %w", err)
	}
	_, np, err := db.CountFaces(ctx)
	return np, err
}
