package ort

import (
	"errors"
	"runtime"
	"testing"
)

// A Close waits for the call in flight before releasing, turns later calls
// away, and releases once.
func TestGateCloseWaitsForCallsInFlight(t *testing.T) {
	var g Gate
	if err := g.Enter(nil); err != nil {
		t.Fatal(err)
	}
	released := 0
	done := make(chan error)
	go func() { done <- g.Close(func() error { released++; return errors.New("destroyed") }) }()
	// Close has begun once Enter is turned away.
	for g.Enter(nil) == nil {
		g.Leave()
		runtime.Gosched()
	}
	select {
	case <-done:
		t.Fatal("Close returned with a call in flight")
	default:
	}
	if released != 0 {
		t.Fatal("released with a call in flight")
	}
	g.Leave()
	if err := <-done; err == nil || err.Error() != "destroyed" {
		t.Fatalf("Close = %v, want release's error", err)
	}
	if released != 1 {
		t.Fatalf("released %d times, want 1", released)
	}
	if err := g.Enter(nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("Enter after Close = %v, want ErrClosed", err)
	}
	if err := g.Close(func() error { released++; return nil }); err != nil || released != 1 {
		t.Fatalf("second Close = %v, released %d times; want nil, 1", err, released)
	}
}

// A failed load is not a call in flight: Close does not wait for it.
func TestGateFailedLoadIsNotCounted(t *testing.T) {
	var g Gate
	bad := errors.New("no model")
	if err := g.Enter(func() error { return bad }); !errors.Is(err, bad) {
		t.Fatalf("Enter = %v, want the load's error", err)
	}
	loads := 0
	if err := g.Enter(func() error { loads++; return nil }); err != nil || loads != 1 {
		t.Fatalf("Enter = %v after %d loads", err, loads)
	}
	g.Leave()
	if err := g.Close(nil); err != nil {
		t.Fatal(err)
	}
	if err := g.Enter(func() error { loads++; return nil }); !errors.Is(err, ErrClosed) || loads != 1 {
		t.Fatalf("Enter after Close = %v with %d loads; want ErrClosed without loading", err, loads)
	}
}
