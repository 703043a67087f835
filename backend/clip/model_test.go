package clip

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// copyModel copies a test model folder into a temporary folder the test may damage.
func copyModel(t *testing.T, name string) string {
	t.Helper()
	src := testModelDir(t, name)
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func TestLoadModelDir(t *testing.T) {
	for _, name := range []string{"colour", "colour-int64", "colour-b1"} {
		s, err := LoadModelDir(testModelDir(t, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if s.EmbedDim != 8 || s.ImageHeight != 32 || s.ImageWidth != 32 || s.ContextLength != 77 {
			t.Errorf("%s: %+v", name, s)
		}
		if s.Tokenizer.ContextLength() != 77 || s.Preprocess.Len() != 3*32*32 {
			t.Errorf("%s: tokenizer %d, preprocess %d", name, s.Tokenizer.ContextLength(), s.Preprocess.Len())
		}
	}
}

func TestLoadModelDirErrors(t *testing.T) {
	cases := []struct {
		name    string
		damage  func(dir string) error
		want    error
		mention []string
	}{
		{"missing files", func(d string) error {
			if err := os.Remove(filepath.Join(d, VisualModelFile)); err != nil {
				return err
			}
			return os.Remove(filepath.Join(d, TokenizerFile))
		}, ErrMissingFile, []string{"visual/model.onnx", "textual/tokenizer.json"}},
		{"bad config JSON", write(ConfigFile, `{"embed_dim": 8,`), ErrBadJSON, []string{"config.json"}},
		{"missing embed_dim", write(ConfigFile, `{"vision_cfg": {"image_size": 32}, "text_cfg": {"context_length": 77}}`),
			ErrMissingKey, []string{"config.json", "embed_dim"}},
		{"missing context_length", write(ConfigFile, `{"embed_dim": 8, "vision_cfg": {"image_size": 32}, "text_cfg": {}}`),
			ErrMissingKey, []string{"config.json", "text_cfg.context_length"}},
		{"missing image_size", write(ConfigFile, `{"embed_dim": 8, "text_cfg": {"context_length": 77}}`),
			ErrMissingKey, []string{"config.json", "vision_cfg.image_size"}},
		{"bad preprocess JSON", write(PreprocessFile, `[]`), ErrBadJSON, []string{"preprocess_cfg.json"}},
		{"preprocess without std", write(PreprocessFile, `{"size": 32, "mean": [0,0,0]}`), ErrMissingKey,
			[]string{"preprocess_cfg.json", "std"}},
		{"bad tokenizer JSON", write(TokenizerFile, `{"model": `), ErrBadJSON, []string{"tokenizer.json"}},
		{"no pad token", write(TokenizerConfigFile, `{}`), ErrMissingKey, []string{"tokenizer_config.json", "pad_token"}},
		{"bad tokenizer config", write(TokenizerConfigFile, `{"pad_token": 5}`), ErrBadJSON,
			[]string{"tokenizer_config.json", "pad_token"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := copyModel(t, "colour")
			if err := c.damage(dir); err != nil {
				t.Fatal(err)
			}
			_, err := LoadModelDir(dir)
			t.Log(err)
			if !errors.Is(err, c.want) {
				t.Fatalf("error %v, want %v", err, c.want)
			}
			for _, m := range c.mention {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %q", err, m)
				}
			}
		})
	}
	t.Run("size mismatch", func(t *testing.T) {
		dir := copyModel(t, "colour")
		if err := write(ConfigFile, `{"embed_dim": 8, "vision_cfg": {"image_size": 64}, "text_cfg": {"context_length": 77}}`)(dir); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadModelDir(dir); err == nil || !strings.Contains(err.Error(), "preprocess_cfg.json") {
			t.Fatalf("error %v", err)
		}
	})
}

func write(file, content string) func(dir string) error {
	return func(dir string) error {
		return os.WriteFile(filepath.Join(dir, file), []byte(content), 0o644)
	}
}
