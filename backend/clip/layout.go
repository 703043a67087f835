package clip

// Layout is how picture embedding is spread over a machine's cores: Runs
// EmbedImages calls at once (the indexing pipeline's inference workers),
// of Batch pictures each when the model's batch is dynamic, share
// Sessions vision sessions of Threads intra-op threads each.
type Layout struct {
	Sessions int // vision sessions, each with its own copy of the weights
	Threads  int // intra-op threads per session
	Runs     int // EmbedImages calls in flight
	Batch    int // pictures per call, for dynamic-batch models
}

// or fills l's zero fields from d.
func (l Layout) or(d Layout) Layout {
	if l.Sessions <= 0 {
		l.Sessions = d.Sessions
	}
	if l.Threads <= 0 {
		l.Threads = d.Threads
	}
	if l.Runs <= 0 {
		l.Runs = d.Runs
	}
	if l.Batch <= 0 {
		l.Batch = d.Batch
	}
	return l
}

// LayoutFor is the layout for a machine with cores cores.
func LayoutFor(cores int) Layout {
	cores = max(cores, 1)
	return Layout{Sessions: 1, Threads: 1, Runs: cores, Batch: 16}
}
