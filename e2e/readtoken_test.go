//go:build e2e

package e2e

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// webWrites are the methods README's table of roles (the written list)
// marks web-write.
func webWrites(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ident := regexp.MustCompile(`^[A-Z][A-Za-z]+$`)
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if !strings.HasPrefix(sc.Text(), "| web-write") {
			continue
		}
		methods, _, _ := strings.Cut(strings.Split(sc.Text(), "|")[2], ";")
		for _, m := range strings.Split(methods, ",") {
			if m = strings.TrimSpace(m); ident.MatchString(m) {
				out = append(out, m)
			}
		}
	}
	if len(out) < 20 {
		t.Fatalf("README's web-write row names %d methods: %v", len(out), out)
	}
	return out
}

// TestReadTokenProbesEveryWrite: a page opened with the read-only token
// of a server that also has a full one calls every web-write method in
// README's table (with the read token in Authorization, as the page sends
// it), and uploads: each is refused with 403 and the library is left as
// it was. The full token then still works.
func TestReadTokenProbesEveryWrite(t *testing.T) {
	const full, read = "full-e2e-token", "read-e2e-token"
	s := startServer(t, 2, "--token", full, "--read-token", read)
	before := treeOf(t, s.Root)
	var tagsBefore, itemsBefore any
	s.call(t, "Tags", &tagsBefore)
	s.call(t, "Search", &itemsBefore, map[string]any{"query": "", "limit": 500, "offset": 0})
	ids := s.find(t, "red")
	if len(ids) == 0 {
		t.Fatal("no red pictures")
	}
	id := ids[0].ID
	// Arguments of the right shape that would change something.
	args := map[string][]any{
		"AcceptSuggestion": {1, []int64{id}}, "DismissSuggestion": {1, []int64{id}}, "CreateTag": {"Family"},
		"UpdateTag": {1, map[string]any{"name": "Renamed"}}, "MergeTags": {1, 2}, "DeleteTag": {1},
		"ApplyTag": {1, []int64{id}}, "RemoveTag": {1, []int64{id}}, "SetField": {id, "Notes", "text", "x"},
		"StartIndex": {}, "CancelJob": {"index-1"}, "Trash": {[]int64{id}},
		"SaveSettings": {map[string]any{"theme": "dark", "provider": "cpu", "thumb_size": 200}},
		"PullModel":    {"clip-vit-b32"}, "WriteXMP": {[]int64{id}}, "ImportTagStudio": {}, "DismissTagStudio": {},
		"NamePerson": {1, "Alice"}, "NameFace": {1, "Alice"}, "MergePeople": {1, 2}, "SplitFace": {1},
		"RejectFace": {1}, "HidePerson": {1, true}, "StartFaces": {}, "Recluster": {},
		"SaveFaceSettings": {map[string]any{"min_faces": 3}, false},
	}
	var probe [][2]any
	for _, m := range webWrites(t) {
		a, ok := args[m]
		if !ok {
			t.Errorf("%s is web-write in README: give it arguments here", m)
			continue
		}
		probe = append(probe, [2]any{m, a})
	}
	probeJSON, _ := json.Marshal(probe)

	ctx := browser(t)
	run(t, ctx, chromedp.Navigate(s.URL+"/?token="+read), chromedp.WaitVisible(css(`[data-testid="grid-item"]`)),
		chromedp.WaitVisible(css(`[data-testid="read-only"]`)))
	codes := eval[map[string]float64](t, ctx, fmt.Sprintf(`(async (probe, token) => {
		const out = {};
		const headers = {'Content-Type': 'application/json', 'Authorization': 'Bearer ' + token};
		for (const [m, args] of probe) {
			out[m] = (await fetch('/api/' + m, {method: 'POST', headers, body: JSON.stringify(args)})).status;
		}
		const form = new FormData();
		form.append('file', new File([new Uint8Array([0xff, 0xd8, 0xff, 0xe0])], 'x.jpg', {type: 'image/jpeg'}));
		out.upload = (await fetch('/api/upload', {method: 'POST', headers: {'Authorization': 'Bearer ' + token}, body: form})).status;
		return out;
	})(%s, %q)`, probeJSON, read), chromedp.EvalAwaitPromise)
	if len(codes) != len(probe)+1 {
		t.Errorf("probed %d of %d: %v", len(codes), len(probe)+1, codes)
	}
	for k, v := range codes {
		if v != 403 {
			t.Errorf("%s with the read token: %v, want 403", k, v)
		}
	}
	s.waitIdle(t)
	var tagsAfter, itemsAfter any
	s.call(t, "Tags", &tagsAfter)
	s.call(t, "Search", &itemsAfter, map[string]any{"query": "", "limit": 500, "offset": 0})
	if a, b := fmt.Sprint(tagsBefore), fmt.Sprint(tagsAfter); a != b {
		t.Errorf("tags changed:\n%s\n->\n%s", a, b)
	}
	if a, b := fmt.Sprint(itemsBefore.(map[string]any)["items"]), fmt.Sprint(itemsAfter.(map[string]any)["items"]); a != b {
		t.Errorf("the pictures changed:\n%s\n->\n%s", a, b)
	}
	if after := treeOf(t, s.Root); after != before {
		t.Errorf("the library's files changed:\n%s\n->\n%s", before, after)
	}
	// The full token may (s.call carries it).
	s.call(t, "CreateTag", nil, "Family")
}
