package clip

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// Files of a model folder in the Immich layout, relative to the folder.
const (
	ConfigFile          = "config.json"
	VisualModelFile     = "visual/model.onnx"
	PreprocessFile      = "visual/preprocess_cfg.json"
	TextualModelFile    = "textual/model.onnx"
	TokenizerFile       = "textual/tokenizer.json"
	TokenizerConfigFile = "textual/tokenizer_config.json"
)

// ModelSpec is a parsed model folder: everything needed to run it except the ONNX sessions.
type ModelSpec struct {
	Dir           string
	EmbedDim      int
	ImageHeight   int // vision_cfg.image_size
	ImageWidth    int
	ContextLength int // text_cfg.context_length

	VisualPath  string // absolute or as given: Dir joined with VisualModelFile
	TextualPath string

	Preprocess PreprocessConfig
	Tokenizer  *Tokenizer
}

// LoadModelDir reads and checks a CLIP model folder in the Immich layout:
//
//	config.json                     embed_dim, vision_cfg.image_size, text_cfg.context_length
//	visual/model.onnx               image float32 [N,3,S,S] -> embedding
//	visual/preprocess_cfg.json
//	textual/model.onnx              text int32|int64 [N,context_length] -> embedding
//	textual/tokenizer.json          Hugging Face tokenizers format
//	textual/tokenizer_config.json   pad_token
//
// Every error names the file and the problem; all missing files are reported at once.
func LoadModelDir(dir string) (*ModelSpec, error) {
	var missing []error
	for _, f := range []string{ConfigFile, VisualModelFile, PreprocessFile, TextualModelFile,
		TokenizerFile, TokenizerConfigFile} {
		p := filepath.Join(dir, f)
		st, err := os.Stat(p)
		switch {
		case errors.Is(err, os.ErrNotExist):
			missing = append(missing, fmt.Errorf("%s: %w", p, ErrMissingFile))
		case err != nil:
			missing = append(missing, fmt.Errorf("%s: %w", p, err))
		case st.IsDir():
			missing = append(missing, fmt.Errorf("%s: is a folder, want a file: %w", p, ErrMissingFile))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("model folder %s: %w", dir, errors.Join(missing...))
	}

	s := &ModelSpec{
		Dir:         dir,
		VisualPath:  filepath.Join(dir, VisualModelFile),
		TextualPath: filepath.Join(dir, TextualModelFile),
	}
	cfgPath := filepath.Join(dir, ConfigFile)
	if err := s.parseConfig(cfgPath); err != nil {
		return nil, fmt.Errorf("%s: %w", cfgPath, err)
	}
	pre, err := LoadPreprocessConfig(filepath.Join(dir, PreprocessFile))
	if err != nil {
		return nil, err
	}
	if pre.Height != s.ImageHeight || pre.Width != s.ImageWidth {
		return nil, fmt.Errorf("%s: size %dx%d differs from %s vision_cfg.image_size %dx%d",
			filepath.Join(dir, PreprocessFile), pre.Width, pre.Height, ConfigFile, s.ImageWidth, s.ImageHeight)
	}
	s.Preprocess = pre
	s.Tokenizer, err = LoadTokenizer(filepath.Join(dir, TokenizerFile),
		filepath.Join(dir, TokenizerConfigFile), s.ContextLength)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (s *ModelSpec) parseConfig(path string) error {
	data, err := readFile(path)
	if err != nil {
		return err
	}
	var c struct {
		EmbedDim  *int `json:"embed_dim"`
		VisionCfg *struct {
			ImageSize json.RawMessage `json:"image_size"`
		} `json:"vision_cfg"`
		TextCfg *struct {
			ContextLength *int `json:"context_length"`
		} `json:"text_cfg"`
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return badJSON(err)
	}
	switch {
	case c.EmbedDim == nil:
		return fmt.Errorf("%w: embed_dim", ErrMissingKey)
	case *c.EmbedDim <= 0:
		return fmt.Errorf("embed_dim: must be positive, got %d", *c.EmbedDim)
	case c.VisionCfg == nil || isNull(c.VisionCfg.ImageSize):
		return fmt.Errorf("%w: vision_cfg.image_size", ErrMissingKey)
	case c.TextCfg == nil || c.TextCfg.ContextLength == nil:
		return fmt.Errorf("%w: text_cfg.context_length", ErrMissingKey)
	case *c.TextCfg.ContextLength <= 2:
		return fmt.Errorf("text_cfg.context_length: must be more than 2, got %d", *c.TextCfg.ContextLength)
	}
	h, w, err := parseSize(c.VisionCfg.ImageSize)
	if err != nil {
		return fmt.Errorf("vision_cfg.image_size: %w", err)
	}
	s.EmbedDim, s.ImageHeight, s.ImageWidth = *c.EmbedDim, h, w
	s.ContextLength = *c.TextCfg.ContextLength
	return nil
}
