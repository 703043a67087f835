package knn

// Vector returns a copy of id's vector.
func (x *Index) Vector(id int64) ([]float32, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	p, ok := x.pos[id]
	if !ok {
		return nil, false
	}
	return append([]float32(nil), x.row(int(p))...), true
}

// Has reports whether id has a vector.
func (x *Index) Has(id int64) bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	_, ok := x.pos[id]
	return ok
}
