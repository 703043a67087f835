package main

import (
	"encoding/json"
	"image/color"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagsight/tagsight/backend/testutil"
)

// info names the camera with its maker once (issue 20: "Canon Canon EOS
// R5" where the model already starts with the make).
func TestCLIInfoCamera(t *testing.T) {
	root := t.TempDir()
	testutil.WriteFile(t, filepath.Join(root, "c.jpg"), testutil.JPEG(t, testutil.Solid(32, 24, color.RGBA{1, 2, 3, 255}), testutil.CameraExif(1)))
	if _, stderr, code := run(t, "index", root, "--no-embed"); code != 0 {
		t.Fatalf("index: %s", stderr)
	}
	out, stderr, code := run(t, "info", root, "c.jpg", "--json")
	if code != 0 {
		t.Fatalf("info: %s", stderr)
	}
	var info struct{ Make, Model, Camera string }
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		t.Fatalf("info --json: %v: %s", err, out)
	}
	if info.Make != "Canon" || info.Model != "Canon EOS R5" || info.Camera != "Canon EOS R5" {
		t.Errorf("make %q model %q camera %q, want Canon, Canon EOS R5, Canon EOS R5", info.Make, info.Model, info.Camera)
	}
	out, _, _ = run(t, "info", root, "c.jpg")
	if !strings.Contains(out, "camera Canon EOS R5") || strings.Contains(out, "Canon Canon") {
		t.Errorf("info says:\n%s", out)
	}
}
