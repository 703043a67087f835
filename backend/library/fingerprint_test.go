package library

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/cespare/xxhash/v2"
)

// A picture read whole (FingerprintBytes) and any other file (Fingerprint,
// streamed) get the fingerprint the format defines: "x1:" and the xxhash64
// of the size (8 bytes, little-endian) followed by the content, so a
// library indexed before pictures were read whole sees no change.
func TestFingerprintBytesIsFingerprint(t *testing.T) {
	for _, n := range []int{1, 511, 4096, 1 << 20} {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(i*31 + i/7)
		}
		var sz [8]byte
		binary.LittleEndian.PutUint64(sz[:], uint64(n))
		want := fmt.Sprintf("x1:%016x", xxhash.Sum64(append(sz[:], data...)))
		p := filepath.Join(t.TempDir(), "f")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		streamed, err := Fingerprint(f, int64(n))
		f.Close()
		if err != nil || streamed != want || FingerprintBytes(data) != want {
			t.Errorf("%d bytes: streamed %s (%v), from bytes %s, want %s", n, streamed, err, FingerprintBytes(data), want)
		}
	}
}
