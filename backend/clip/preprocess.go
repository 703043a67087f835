package clip

import (
	"encoding/json"
	"fmt"
	"image"
	"strings"

	"golang.org/x/image/draw"
)

// PreprocessConfig is visual/preprocess_cfg.json: how an image becomes the vision tower's input.
type PreprocessConfig struct {
	Height, Width int        // model input size
	Mode          string     // "RGB"
	Mean, Std     [3]float32 // per channel, applied to values in [0, 1]
	Interpolation string     // "bicubic" (Catmull-Rom), "bilinear", "nearest"
	ResizeMode    string     // "shortest", "squash" or "longest"
	FillColor     [3]uint8   // under transparent pixels, and the padding of "longest"
}

// LoadPreprocessConfig reads a preprocess_cfg.json file.
func LoadPreprocessConfig(path string) (PreprocessConfig, error) {
	data, err := readFile(path)
	if err != nil {
		return PreprocessConfig{}, err
	}
	c, err := ParsePreprocessConfig(data)
	if err != nil {
		return PreprocessConfig{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// ParsePreprocessConfig parses the JSON of a preprocess_cfg.json file (open_clip's keys).
func ParsePreprocessConfig(data []byte) (PreprocessConfig, error) {
	var raw struct {
		Size          json.RawMessage `json:"size"`
		Mode          *string         `json:"mode"`
		Mean          json.RawMessage `json:"mean"`
		Std           json.RawMessage `json:"std"`
		Interpolation *string         `json:"interpolation"`
		ResizeMode    *string         `json:"resize_mode"`
		FillColor     json.RawMessage `json:"fill_color"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return PreprocessConfig{}, badJSON(err)
	}
	c := PreprocessConfig{Mode: "RGB", Interpolation: "bicubic", ResizeMode: "shortest"}
	if isNull(raw.Size) {
		return c, fmt.Errorf("%w: size", ErrMissingKey)
	}
	h, w, err := parseSize(raw.Size)
	if err != nil {
		return c, fmt.Errorf("size: %w", err)
	}
	c.Height, c.Width = h, w
	if raw.Mode != nil {
		c.Mode = *raw.Mode
	}
	if c.Mode != "RGB" {
		return c, fmt.Errorf("%w: mode %q (only RGB)", ErrUnsupported, c.Mode)
	}
	for _, f := range []struct {
		name string
		raw  json.RawMessage
		dst  *[3]float32
	}{{"mean", raw.Mean, &c.Mean}, {"std", raw.Std, &c.Std}} {
		if isNull(f.raw) {
			return c, fmt.Errorf("%w: %s", ErrMissingKey, f.name)
		}
		v, err := parseTriple(f.raw)
		if err != nil {
			return c, fmt.Errorf("%s: %w", f.name, err)
		}
		for i := range v {
			f.dst[i] = float32(v[i])
		}
	}
	for _, s := range c.Std {
		if s <= 0 {
			return c, fmt.Errorf("std: values must be positive, got %v", c.Std)
		}
	}
	if raw.Interpolation != nil {
		c.Interpolation = strings.ToLower(*raw.Interpolation)
	}
	if _, err := c.scaler(); err != nil {
		return c, err
	}
	if raw.ResizeMode != nil {
		c.ResizeMode = *raw.ResizeMode
	}
	switch c.ResizeMode {
	case "shortest", "squash", "longest":
	default:
		return c, fmt.Errorf("%w: resize_mode %q", ErrUnsupported, c.ResizeMode)
	}
	if !isNull(raw.FillColor) {
		v, err := parseTriple(raw.FillColor)
		if err != nil {
			return c, fmt.Errorf("fill_color: %w", err)
		}
		for i := range v {
			if v[i] < 0 || v[i] > 255 {
				return c, fmt.Errorf("fill_color: %v is outside 0..255", v[i])
			}
			c.FillColor[i] = uint8(v[i] + 0.5)
		}
	}
	return c, nil
}

// parseSize reads 224 or [224, 224] (height, width).
func parseSize(raw json.RawMessage) (int, int, error) {
	var n int
	if err := json.Unmarshal(raw, &n); err == nil {
		if n <= 0 {
			return 0, 0, fmt.Errorf("must be positive, got %d", n)
		}
		return n, n, nil
	}
	var hw []int
	if err := json.Unmarshal(raw, &hw); err != nil || len(hw) != 2 {
		return 0, 0, fmt.Errorf("%w: want an integer or [height, width]", ErrBadJSON)
	}
	if hw[0] <= 0 || hw[1] <= 0 {
		return 0, 0, fmt.Errorf("must be positive, got %v", hw)
	}
	return hw[0], hw[1], nil
}

// parseTriple reads one number (used for all channels) or three.
func parseTriple(raw json.RawMessage) ([3]float64, error) {
	var one float64
	if err := json.Unmarshal(raw, &one); err == nil {
		return [3]float64{one, one, one}, nil
	}
	var v []float64
	if err := json.Unmarshal(raw, &v); err != nil || len(v) != 3 {
		return [3]float64{}, fmt.Errorf("%w: want a number or three", ErrBadJSON)
	}
	return [3]float64{v[0], v[1], v[2]}, nil
}

func (c PreprocessConfig) scaler() (draw.Scaler, error) {
	switch c.Interpolation {
	case "bicubic", "":
		return draw.CatmullRom, nil
	case "bilinear":
		return draw.BiLinear, nil
	case "nearest":
		return draw.NearestNeighbor, nil
	}
	return nil, fmt.Errorf("%w: interpolation %q", ErrUnsupported, c.Interpolation)
}

// Len is the number of float32 values in one preprocessed image (3 × Height × Width).
func (c PreprocessConfig) Len() int { return 3 * c.Height * c.Width }

// Preprocess turns an image (already EXIF-oriented) into the model's CHW float32 input.
func (c PreprocessConfig) Preprocess(img image.Image) ([]float32, error) {
	dst := make([]float32, c.Len())
	if err := c.PreprocessInto(dst, img); err != nil {
		return nil, err
	}
	return dst, nil
}

// PreprocessInto is Preprocess writing into dst, which must hold Len() values.
//
// The image is resized in premultiplied 16-bit colour straight into the output frame (the
// crop of "shortest" and the padding of "longest" are just where the resized image lands),
// then composited over FillColor and normalised. Compositing after resizing is the same
// arithmetic as before (resizing is linear) and never touches a full-size copy.
func (c PreprocessConfig) PreprocessInto(dst []float32, img image.Image) error {
	if len(dst) != c.Len() {
		return fmt.Errorf("preprocess: dst holds %d values, want %d", len(dst), c.Len())
	}
	if c.Height <= 0 || c.Width <= 0 {
		return fmt.Errorf("preprocess: size %dx%d", c.Width, c.Height)
	}
	sb := img.Bounds()
	w, h := sb.Dx(), sb.Dy()
	if w <= 0 || h <= 0 {
		return fmt.Errorf("preprocess: empty image")
	}
	sc, err := c.scaler()
	if err != nil {
		return err
	}
	tw, th := c.Width, c.Height
	var dr image.Rectangle
	switch c.ResizeMode {
	case "squash":
		dr = image.Rect(0, 0, tw, th)
	case "longest":
		// Fit inside, centred; the rest stays transparent and becomes FillColor.
		nw, nh := tw, th
		if float64(th)/float64(h) <= float64(tw)/float64(w) {
			nw = min(tw, max(1, int(float64(w)/float64(h)*float64(th)+0.5)))
		} else {
			nh = min(th, max(1, int(float64(h)/float64(w)*float64(tw)+0.5)))
		}
		left, top := (tw-nw)/2, (th-nh)/2
		dr = image.Rect(left, top, left+nw, top+nh)
	default: // "shortest": cover, then centre-crop (Immich's resize_pil + crop_pil arithmetic)
		var nw, nh int
		if float64(th)/float64(h) >= float64(tw)/float64(w) {
			nh, nw = th, max(tw, int(float64(w)/float64(h)*float64(th)))
		} else {
			nw, nh = tw, max(th, int(float64(h)/float64(w)*float64(tw)))
		}
		left, top := (nw-tw)/2, (nh-th)/2
		dr = image.Rect(-left, -top, nw-left, nh-top)
	}
	frame := image.NewRGBA64(image.Rect(0, 0, tw, th))
	sc.Scale(frame, dr, img, sb, draw.Src, nil)

	var fill, scale, bias [3]float32
	for ch := 0; ch < 3; ch++ {
		fill[ch] = float32(c.FillColor[ch]) / 255
		scale[ch] = 1 / c.Std[ch]
		bias[ch] = c.Mean[ch]
	}
	plane := tw * th
	for y := 0; y < th; y++ {
		row := frame.Pix[y*frame.Stride:]
		for x := 0; x < tw; x++ {
			p := row[8*x : 8*x+8]
			a := float32(uint16(p[6])<<8|uint16(p[7])) / 0xffff
			i := y*tw + x
			for ch := 0; ch < 3; ch++ {
				v := float32(uint16(p[2*ch])<<8|uint16(p[2*ch+1]))/0xffff + fill[ch]*(1-a)
				dst[ch*plane+i] = (v - bias[ch]) * scale[ch]
			}
		}
	}
	return nil
}

// MinShort is the short side a picture must keep when it is decoded
// scaled for this model: no resize mode then needs to enlarge it.
func (c PreprocessConfig) MinShort() int { return max(c.Height, c.Width) }
