package library

import (
	"context"
	"image/color"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tagsight/tagsight/backend/testutil"
)

// TestScanWaitsForTheOtherIndexer: while another holder has the index lock
// a scan waits, says who it waits for, and runs once the lock is free; a
// cancelled wait returns at once.
func TestScanWaitsForTheOtherIndexer(t *testing.T) {
	root := t.TempDir()
	testutil.WriteFile(t, filepath.Join(root, "a.jpg"), testutil.JPEG(t, testutil.Solid(16, 16, color.RGBA{200, 0, 0, 255}), nil))
	l := openLib(t, root)
	release, err := l.lockIndex(context.Background(), nil) // the "other process": flock is per open file
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var waitMsg string
	waiting := make(chan struct{})
	done := make(chan ScanResult)
	go func() {
		res, err := l.Scan(context.Background(), ScanOptions{ThumbSize: 64, ReportEvery: time.Millisecond, Report: func(p Progress) {
			if p.Phase == "waiting" {
				mu.Lock()
				if waitMsg == "" {
					waitMsg = p.Current
					close(waiting)
				}
				mu.Unlock()
			}
		}})
		if err != nil {
			t.Error(err)
		}
		done <- res
	}()
	select {
	case <-waiting:
	case res := <-done:
		t.Fatalf("the scan ran while the lock was held: %+v", res)
	}
	mu.Lock()
	if !strings.Contains(waitMsg, "is indexing this library") {
		t.Errorf("waiting message %q", waitMsg)
	}
	mu.Unlock()
	release()
	if res := <-done; res.Added != 1 {
		t.Errorf("after the lock was freed: %+v", res)
	}
	// A cancelled wait gives up.
	release, _ = l.lockIndex(context.Background(), nil)
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := l.Scan(ctx, ScanOptions{}); err == nil {
		t.Error("a cancelled scan waiting for the lock returned no error")
	}
}
