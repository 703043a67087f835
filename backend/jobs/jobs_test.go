package jobs

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestJobLifecycle(t *testing.T) {
	var mu sync.Mutex
	var events []string
	m := NewManager(func(name string, p any) {
		mu.Lock()
		events = append(events, name+":"+p.(Job).State)
		mu.Unlock()
	})
	defer m.Close()
	ctx := context.Background()
	j, _ := m.Start("scan", "Scanning", "lib", func(ctx context.Context, report func(Progress)) (any, error) {
		report(Progress{Phase: "index", Done: 1, Total: 2})
		return 42, nil
	})
	done, err := m.Wait(ctx, j.ID)
	if err != nil || done.State != Done || done.Result != 42 || done.Done != 2 {
		t.Fatalf("%+v %v", done, err)
	}
	bad, _ := m.Start("scan", "Failing", "lib", func(ctx context.Context, report func(Progress)) (any, error) {
		return nil, errors.New("boom")
	})
	if f, _ := m.Wait(ctx, bad.ID); f.State != Failed || f.Error != "boom" {
		t.Errorf("failed job: %+v", f)
	}
	panicky, _ := m.Start("scan", "Panicking", "lib", func(ctx context.Context, report func(Progress)) (any, error) {
		panic("oops")
	})
	if f, _ := m.Wait(ctx, panicky.ID); f.State != Failed {
		t.Errorf("panicking job: %+v", f)
	}
	mu.Lock()
	defer mu.Unlock()
	if events[len(events)-1] != "job:done:failed" {
		t.Errorf("events %v", events)
	}
}

func TestCancelAndSerialise(t *testing.T) {
	m := NewManager(nil)
	defer m.Close()
	ctx := context.Background()
	started := make(chan struct{})
	long, _ := m.Start("embed", "Long", "lib", func(ctx context.Context, report func(Progress)) (any, error) {
		close(started)
		<-ctx.Done()
		return nil, ctx.Err()
	})
	var order []string
	var mu sync.Mutex
	second, _ := m.Start("scan", "Second", "lib", func(ctx context.Context, report func(Progress)) (any, error) {
		mu.Lock()
		order = append(order, "second")
		mu.Unlock()
		return nil, nil
	})
	<-started
	time.Sleep(20 * time.Millisecond)
	mu.Lock()
	if len(order) != 0 {
		t.Error("second job ran while the first held the lock")
	}
	mu.Unlock()
	m.Cancel(long.ID)
	if j, _ := m.Wait(ctx, long.ID); j.State != Cancelled {
		t.Errorf("cancelled job: %+v", j)
	}
	if j, _ := m.Wait(ctx, second.ID); j.State != Done {
		t.Errorf("second job: %+v", j)
	}
	if len(m.List()) != 2 {
		t.Errorf("list: %+v", m.List())
	}
}

func TestPace(t *testing.T) {
	if r, e := Pace(10, 30, 2*time.Second); r != 5 || e != 6 {
		t.Errorf("Pace(10, 30, 2s) = %v, %v", r, e)
	}
	if r, e := Pace(10, 30, 0); r != 0 || e != 0 {
		t.Errorf("no time yet: %v, %v", r, e)
	}
	if r, e := Pace(0, 30, time.Second); r != 0 || e != 0 {
		t.Errorf("nothing done: %v, %v", r, e)
	}
}

// A quiet job that finds nothing to do is never heard of; one that finds
// work shows from then on, like any job.
func TestQuietJobs(t *testing.T) {
	var mu sync.Mutex
	var events []string
	m := NewManager(func(name string, p any) {
		mu.Lock()
		events = append(events, name+":"+p.(Job).Title)
		mu.Unlock()
	})
	defer m.Close()
	release := make(chan struct{})
	idle, _ := m.StartQuiet("watch", "nothing", "lib", func(ctx context.Context, report func(Progress)) (any, error) {
		report(Progress{Phase: "walk", Done: 3})
		report(Progress{Phase: "index", Done: 3, Total: 3})
		<-release
		return nil, nil
	})
	if l := m.List(); len(l) != 0 {
		t.Errorf("a quiet job is listed before it reports work: %+v", l)
	}
	close(release)
	m.Wait(context.Background(), idle.ID)
	busy, _ := m.StartQuiet("watch", "work", "lib", func(ctx context.Context, report func(Progress)) (any, error) {
		report(Progress{Phase: "index", Done: 1, Total: 3})
		return nil, nil
	})
	if j, err := m.Wait(context.Background(), busy.ID); err != nil || j.State != Done {
		t.Fatalf("%+v %v", j, err)
	}
	mu.Lock()
	defer mu.Unlock()
	want := []string{"job:progress:work", "job:done:work"}
	if len(events) != 2 || events[0] != want[0] || events[1] != want[1] {
		t.Errorf("events %v, want %v", events, want)
	}
	if l := m.List(); len(l) != 1 || l[0].Title != "work" {
		t.Errorf("listed %+v, want the job that worked", l)
	}
}
