package ocr

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/tagsight/tagsight/backend/ort"
	"github.com/tagsight/tagsight/backend/vectors"
)

// ErrNoModels: the folder has no usable detector, recogniser and dictionary.
var ErrNoModels = errors.New("no OCR models")

// ErrBadModel: a model file is not what it claims to be.
var ErrBadModel = errors.New("unusable OCR model")

// maxDictBytes bounds the dictionary read (PP-OCR's Chinese one is 26 KB).
const maxDictBytes = 4 << 20

// Models are the files of an OCR model folder, relative to Dir.
type Models struct {
	Dir        string
	Detector   string
	Classifier string // "" = no angle classifier: crops are read as cut
	Recognizer string
	Dictionary string
	// Space: the recogniser's classes end with a space after the
	// dictionary's characters (PaddleOCR's use_space_char).
	Space bool
	// Classes is the recogniser's class count (blank + characters).
	Classes int
}

// FindModels looks through a folder (and its subfolders) for the PP-OCR
// models, telling them apart by what they read and write, not by name:
// the detector maps N×3×H×W to N×1×H×W, the angle classifier gives N×2,
// the recogniser gives N×T×C; the dictionary is the text file whose lines
// (plus the blank, and the space PaddleOCR may append) make C.
func FindModels(dir string) (Models, error) {
	m := Models{Dir: dir}
	var texts, seen []string
	classes := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || strings.Contains(d.Name(), ".tmp") {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		switch strings.ToLower(filepath.Ext(p)) {
		case ".txt":
			texts = append(texts, rel)
			return nil
		case ".onnx":
		default:
			return nil
		}
		ins, outs, err := ort.ReadIO(p)
		if err != nil {
			seen = append(seen, rel+" (unreadable: "+ort.FirstLine(err)+")")
			return nil
		}
		if len(ins) != 1 || len(outs) != 1 || len(ins[0].Dimensions) != 4 {
			seen = append(seen, rel)
			return nil
		}
		od := outs[0].Dimensions
		switch {
		case len(od) == 4 && od[1] == 1 && m.Detector == "":
			m.Detector = rel
		case len(od) == 2 && od[1] == 2 && m.Classifier == "":
			m.Classifier = rel
		case len(od) == 3 && od[2] > 2 && m.Recognizer == "":
			m.Recognizer, classes = rel, int(od[2])
		default:
			seen = append(seen, rel)
		}
		return nil
	})
	if err != nil {
		return m, fmt.Errorf("%w in %s: %v", ErrNoModels, dir, err)
	}
	sort.Strings(texts)
	for _, t := range texts {
		n, err := dictLen(filepath.Join(dir, filepath.FromSlash(t)))
		if err != nil || classes == 0 {
			continue
		}
		if n+2 == classes || n+1 == classes {
			m.Dictionary, m.Space, m.Classes = t, n+2 == classes, classes
			break
		}
	}
	var missing []string
	if m.Detector == "" {
		missing = append(missing, "a text detector (N×3×H×W → N×1×H×W)")
	}
	if m.Recognizer == "" {
		missing = append(missing, "a recogniser (N×3×48×W → N×T×C)")
	} else if m.Dictionary == "" {
		missing = append(missing, fmt.Sprintf("a dictionary of %d or %d lines for the recogniser's %d classes", classes-2, classes-1, classes))
	}
	if len(missing) > 0 {
		other := ""
		if len(seen) > 0 {
			other = "; other .onnx files: " + strings.Join(seen, ", ")
		}
		return m, fmt.Errorf("%w in %s: found no %s%s; run `tagsight models pull ocr`", ErrNoModels, dir, strings.Join(missing, " and no "), other)
	}
	return m, nil
}

// readDict reads a dictionary: one character (or token) a line.
func readDict(p string) ([]string, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if st.Size() > maxDictBytes {
		return nil, fmt.Errorf("%w: dictionary %s is %d bytes", ErrBadModel, p, st.Size())
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	b = bytes.TrimSuffix(b, []byte("\n"))
	lines := strings.Split(string(b), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines, nil
}

func dictLen(p string) (int, error) {
	d, err := readDict(p)
	return len(d), err
}

// Key identifies what the models read: the same files anywhere give the
// same key.
func (m Models) Key() (string, error) {
	files := []string{m.Detector, m.Recognizer, m.Dictionary}
	if m.Classifier != "" {
		files = append(files, m.Classifier)
	}
	k, err := vectors.FilesKey(m.Dir, files...)
	if err != nil {
		return "", err
	}
	return "o" + k, nil
}
