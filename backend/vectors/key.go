package vectors

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/cespare/xxhash/v2"
)

// keyFiles decide whether two model folders make the same vectors.
var keyFiles = []string{"config.json", "visual/model.onnx", "visual/preprocess_cfg.json"}

// ModelKey identifies the vectors a model folder makes, whatever the folder
// is called or where it lives: a hash of its config, preprocessing and
// vision weights (large files sampled at the start, middle and end, so
// computing it costs milliseconds). Two libraries, or two machines, with the
// same model files agree on it.
func ModelKey(dir string) (string, error) {
	return FilesKey(dir, keyFiles...)
}

// FilesKey is ModelKey over other files of dir (the faces analyzer's two
// models): names, sizes and sampled contents.
func FilesKey(dir string, files ...string) (string, error) {
	h := xxhash.New()
	for _, f := range files {
		fh, err := os.Open(filepath.Join(dir, filepath.FromSlash(f)))
		if err != nil {
			return "", fmt.Errorf("model key: %w", err)
		}
		st, err := fh.Stat()
		if err != nil {
			fh.Close()
			return "", err
		}
		fmt.Fprintf(h, "%s:%d;", f, st.Size())
		const chunk = 1 << 20
		if st.Size() <= 3*chunk {
			_, err = io.Copy(h, fh)
		} else {
			buf := make([]byte, chunk)
			for _, off := range []int64{0, st.Size()/2 - chunk/2, st.Size() - chunk} {
				if _, err = fh.ReadAt(buf, off); err != nil {
					break
				}
				h.Write(buf)
			}
		}
		fh.Close()
		if err != nil {
			return "", fmt.Errorf("model key: %s: %w", f, err)
		}
	}
	return fmt.Sprintf("m1:%016x", h.Sum64()), nil
}
