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

// LayoutFor is the layout for a machine with cores cores: one session,
// one intra-op thread per run, one run per core, 8 pictures a call.
// docs/bench/embed-layout.md (2 cores, ViT-B/32 fp32, two runs on a busy
// machine): batch 8 or 16 costs 43–45 CPU ms a picture against 57–62 at
// batch 1, in every shape; one thread per run 43–45 against 47–55 for one
// run of two threads; a second session costs a copy of the weights and no
// CPU less. The indexing pipeline is CPU-bound (decoding takes ~34 CPU ms
// a picture beside inference), so the cheapest layout per picture is the
// fastest there; batch 8 is as cheap as 16 with half the activations in
// memory. Other core counts are not measured: one run per core keeps every
// core busy without spinning threads.
func LayoutFor(cores int) Layout {
	return Layout{Sessions: 1, Threads: 1, Runs: max(cores, 1), Batch: 8}
}
