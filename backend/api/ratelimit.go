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
