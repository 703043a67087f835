package api

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/tagsight/tagsight/backend/workspace"
	"github.com/tagsight/tagsight/models"
)

// TestModelsMarksCatalogDefault checks the name the first-run banner sends
// (the model Models() flags Default) is the shipped catalog's default, by
// its catalog name, and that PullModel knows it; the frontend's banner test
// reads the same models/catalog.json.
func TestModelsMarksCatalogDefault(t *testing.T) {
	var raw struct {
		Default string `json:"default"`
	}
	if err := json.Unmarshal(models.Catalog, &raw); err != nil || raw.Default == "" {
		t.Fatalf("catalog default: %q %v", raw.Default, err)
	}
	a := New(Options{Version: "test", ConfigDir: t.TempDir(), Model: workspace.ModelOptions{ModelsDir: t.TempDir()}})
	t.Cleanup(func() { Shutdown(a) })
	list, err := a.Models()
	if err != nil {
		t.Fatal(err)
	}
	var defaults []string
	for _, m := range list {
		if m.Default {
			defaults = append(defaults, m.Name)
		}
		if m.Installed || m.InUse {
			t.Errorf("%s installed in an empty models folder", m.Name)
		}
	}
	if len(defaults) != 1 || defaults[0] != raw.Default {
		t.Fatalf("Models() flags %v as default, catalog says %q", defaults, raw.Default)
	}
	// The literal the banner used to send is not a catalog name.
	var e *Error
	if _, err := a.PullModel("ViT-B-32"); !errors.As(err, &e) || e.Code != CodeNotFound {
		t.Errorf("PullModel(ViT-B-32): %v", err)
	}
}
