// Command ui-bench measures the grid in a real headless Chromium against
// `tagsight serve` on a 100k-entry library: time to the first page of
// thumbnails' cells, and frame times while scrolling (requestAnimationFrame
// deltas, Chromium's own clock). It prints and records under docs/bench/.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/chromedp/chromedp"
)

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "ui-bench:", err)
		os.Exit(1)
	}
}

func main() {
	out := flag.String("out", "docs/bench", "folder for ui.md")
	lib := flag.String("library", "build/bench-data/lib100k", "library to serve (make bench generates a 100k-entry one)")
	flag.Parse()
	if _, err := os.Stat(filepath.Join(*lib, ".tagsight", "library.db")); err != nil {
		must(fmt.Errorf("%s is not a library: run `go run ./cmd/tagsight-bench -only query` first", *lib))
	}
	bin := filepath.Join(os.TempDir(), "tagsight-ui-bench")
	// sqlite_fts5: the build tag every Tagsight build needs (store.BuildTags).
	if o, err := exec.Command("go", "build", "-tags", "sqlite_fts5", "-o", bin, "./cmd/tagsight").CombinedOutput(); err != nil {
		must(fmt.Errorf("build: %v: %s", err, o))
	}
	cfg, _ := os.MkdirTemp("", "ui-bench-cfg")
	srv := exec.Command(bin, "serve", *lib, "--addr", "127.0.0.1:0", "--no-index")
	srv.Env = append(os.Environ(), "TAGSIGHT_MODELS_DIR="+cfg)
	stdout, _ := srv.StdoutPipe()
	srv.Stderr = os.Stderr
	must(srv.Start())
	defer srv.Process.Kill()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	must(err)
	url := strings.TrimSpace(line[strings.Index(line, "http://"):])

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath("/usr/bin/chromium"), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-first-run", true), chromedp.UserDataDir(cfg+"/chrome"),
		chromedp.WindowSize(1400, 900))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel2 := chromedp.NewContext(actx)
	defer cancel2()
	must(chromedp.Do(ctx))

	var firsts []float64
	for i := 0; i < 5; i++ {
		t := time.Now()
		must(chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(`[data-testid="grid-item"]`))))
		firsts = append(firsts, float64(time.Since(t).Microseconds())/1000)
	}
	sort.Float64s(firsts)
	mounted, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="grid-item"]').length`))
	must(err)
	total, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText.match(/([0-9,]+) items/)?.[1] ?? '?'`))
	must(err)
	// Scroll the grid steadily for 4 s (a fast flick: 2400 px/s) and record
	// every frame's delta.
	frames, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`new Promise(resolve => {
		const grid = document.querySelector('[data-testid="grid"]');
		const scroller = (() => { let e = grid; while (e && e.scrollHeight <= e.clientHeight + 1) e = e.parentElement; return e || grid; })();
		const deltas = []; let last = performance.now(); const start = last;
		function step(now) {
			deltas.push(now - last); last = now;
			scroller.scrollTop += 40;
			if (now - start < 4000) requestAnimationFrame(step); else resolve(deltas.slice(1));
		}
		requestAnimationFrame(step);
	})`, chromedp.EvalAwaitPromise))
	must(err)
	after, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-testid="grid-item"]').length`))
	sort.Float64s(frames)
	pct := func(p float64) float64 { return frames[min(len(frames)-1, int(p*float64(len(frames))))] }
	over := 0
	for _, f := range frames {
		if f > 1000.0/60*1.5 {
			over++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Grid benchmark\n\nRecorded by `make bench` (`go run ./cmd/ui-bench`) on %s.\n", time.Now().UTC().Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "Machine: %d cores, %s; headless Chromium (software rendering, no GPU), window 1400×900.\n\n", runtime.NumCPU(), runtime.Version())
	fmt.Fprintf(&b, "Library: %s entries (the query benchmark's 100k library), served by `tagsight serve`.\n\n", total)
	fmt.Fprintf(&b, "| measure | value |\n|---|---|\n")
	fmt.Fprintf(&b, "| time to first page (navigate → first grid cell visible), median of 5 | %.0f ms (min %.0f, max %.0f) |\n", firsts[2], firsts[0], firsts[4])
	fmt.Fprintf(&b, "| grid cells mounted at rest | %d |\n", mounted)
	fmt.Fprintf(&b, "| grid cells mounted after scrolling | %d |\n", after)
	fmt.Fprintf(&b, "| scroll frames (4 s at 2400 px/s) | %d |\n", len(frames))
	fmt.Fprintf(&b, "| frame time p50 / p95 / p99 / max | %.1f / %.1f / %.1f / %.1f ms |\n", pct(0.5), pct(0.95), pct(0.99), frames[len(frames)-1])
	fmt.Fprintf(&b, "| frames slower than 25 ms (1.5 × 16.7) | %d of %d |\n", over, len(frames))
	fmt.Print(b.String())
	must(os.MkdirAll(*out, 0o755))
	must(os.WriteFile(filepath.Join(*out, "ui.md"), []byte(b.String()), 0o644))
}
