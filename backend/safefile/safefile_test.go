package safefile

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.jpg.xmp")
	if err := Write(p, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); !bytes.Equal(b, []byte("one")) {
		t.Fatal("write lost data")
	}
	if err := os.Chmod(p, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := Write(p, []byte("two")); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(p)
	if b, _ := os.ReadFile(p); !bytes.Equal(b, []byte("two")) || st.Mode().Perm() != 0o600 {
		t.Fatalf("replaced: %q, mode %v; want two, 0600 kept", b, st.Mode().Perm())
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Fatalf("temporary file left: %v", ents)
	}
	// A folder that does not exist: an error, nothing written.
	if err := Write(filepath.Join(dir, "no", "x.xmp"), []byte("x")); err == nil {
		t.Fatal("wrote into a missing folder")
	}
}
