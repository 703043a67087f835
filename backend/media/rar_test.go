package media

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRARRead: a real RAR5 archive (testdata/rar, made by WinRAR; no RAR
// writer is installed here) is listed as 7-Zip lists it (1 member, 187
// bytes) and its compressed member reads whole past rardecode's checksum;
// named .cbr it is a comic without a picture: reported, not a crash.
func TestRARRead(t *testing.T) {
	data, err := os.ReadFile("testdata/rar/one.rar")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ctx := context.Background()
	src := NewSource(writeFile(t, dir, "one.rar", data), nil)
	defer src.Close()
	f, err := src.Facts(ctx, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if f.Entries != 1 || f.Unpacked != 187 {
		t.Errorf("facts %+v, want 1 entry of 187 bytes (7z l)", f)
	}
	a, format, err := src.container(ctx, Limits{}.withDefaults())
	if err != nil || format != "rar" {
		t.Fatalf("%s %v", format, err)
	}
	m := a.find("asd.go")
	if m == nil {
		t.Fatal("no asd.go")
	}
	body, release, err := readMember(ctx, *m, Limits{}.withDefaults(), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	release()
	if len(body) != 187 || !strings.HasPrefix(string(body), "package ") {
		t.Errorf("member: %d bytes %q…, want 187 bytes of Go", len(body), body[:min(len(body), 20)])
	}
	cbr := NewSource(filepath.Join(dir, "comic.cbr"), data)
	defer cbr.Close()
	if _, _, err := cbr.Poster(ctx, Limits{}, nil); err == nil {
		t.Error("a poster from a comic without pictures")
	} else if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrUnsupported) {
		t.Errorf("comic without pictures: %v", err)
	}
}
