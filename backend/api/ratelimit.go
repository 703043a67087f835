package api

import (
	"net"
	"net/http"
	"sync"
	"time"
)

// rateLimiter is a token bucket per client address. It is generous (the
// grid's paging and the search bar's autocomplete stay far below it) and
// exists so one client cannot keep the server busy for everyone else.
type rateLimiter struct {
	rate, burst float64 // tokens per second; bucket size
	mu          sync.Mutex
	buckets     map[string]*bucket
	swept       time.Time
	now         func() time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

// newRateLimiter allows rate calls per second with bursts of 4× that;
// rate < 0 allows everything.
func newRateLimiter(rate float64) *rateLimiter {
	return &rateLimiter{rate: rate, burst: 4 * rate, buckets: map[string]*bucket{}, now: time.Now}
}

// allow takes a token from key's bucket, or says how long until one is there.
func (l *rateLimiter) allow(key string) (time.Duration, bool) {
	if l.rate < 0 {
		return 0, true
	}
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		// Full buckets carry no state: forget them so the map stays small.
		for k, b := range l.buckets {
			if b.tokens+now.Sub(b.at).Seconds()*l.rate >= l.burst {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	if b.tokens < 1 {
		return time.Duration((1 - b.tokens) / l.rate * float64(time.Second)), false
	}
	b.tokens--
	return 0, true
}

// clientKey is the client's address without its port.
func clientKey(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// clientGate caps what one client (by address) may hold open at once: event
// streams, per client and in total, and requests in flight. Streams are
// long-lived, so a new one never waits: the client's oldest is dropped
// (a reloaded tab always gets its stream); only when the server is full and
// the client holds none is it refused. Caps <= 0 mean none.
type clientGate struct {
	streamsPerClient, streamsTotal, inflightPerClient int

	mu       sync.Mutex
	streams  map[string][]*stream // oldest first
	nstreams int
	inflight map[string]int
}

// stream is one open event stream; stop ends it.
type stream struct{ stop func() }

func newClientGate(perClient, total, inflight int) *clientGate {
	return &clientGate{streamsPerClient: perClient, streamsTotal: total, inflightPerClient: inflight,
		streams: map[string][]*stream{}, inflight: map[string]int{}}
}

// openStream admits a new event stream for key, stopping the client's oldest
// when it would pass a cap. It returns the function that releases the
// stream's place, or false when the server holds all it may and none of
// them is this client's.
func (g *clientGate) openStream(key string, stop func()) (func(), bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	mine := g.streams[key]
	if (g.streamsPerClient > 0 && len(mine) >= g.streamsPerClient) || (g.streamsTotal > 0 && g.nstreams >= g.streamsTotal) {
		if len(mine) == 0 {
			return nil, false
		}
		mine[0].stop()
		mine = g.dropLocked(key, mine[0])
	}
	s := &stream{stop: stop}
	g.streams[key] = append(mine, s)
	g.nstreams++
	return func() {
		g.mu.Lock()
		g.dropLocked(key, s)
		g.mu.Unlock()
	}, true
}

// dropLocked forgets s (once) and returns the client's streams left.
func (g *clientGate) dropLocked(key string, s *stream) []*stream {
	mine := g.streams[key]
	for i, x := range mine {
		if x == s {
			mine = append(mine[:i:i], mine[i+1:]...)
			g.nstreams--
			break
		}
	}
	if len(mine) == 0 {
		delete(g.streams, key)
	} else {
		g.streams[key] = mine
	}
	return mine
}

// openStreams is how many event streams the gate holds, for tests.
func (g *clientGate) openStreams() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.nstreams
}

// enter admits one more request in flight for key and returns the function
// that ends it, or false when the client already has as many as it may.
func (g *clientGate) enter(key string) (func(), bool) {
	if g.inflightPerClient <= 0 {
		return func() {}, true
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.inflight[key] >= g.inflightPerClient {
		return nil, false
	}
	g.inflight[key]++
	return func() {
		g.mu.Lock()
		if g.inflight[key]--; g.inflight[key] <= 0 {
			delete(g.inflight, key)
		}
		g.mu.Unlock()
	}, true
}
