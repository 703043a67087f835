package library

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"

	"github.com/cespare/xxhash/v2"
)

// wholeHashLimit: files up to this size are hashed whole (photos: the bytes
// are read to decode them anyway, and an exact hash finds true duplicates);
// larger ones (videos, archives) are sampled at the start, middle and end so
// a multi-GB file costs three reads. The prefix says which.
const (
	wholeHashLimit = 64 << 20
	sampleSize     = 1 << 20
)

// Fingerprint identifies a file's content, so a moved or renamed file keeps
// its entry. xxhash: non-cryptographic but ~10 GB/s, and identity inside one
// library does not need collision resistance against an attacker.
func Fingerprint(f *os.File, size int64) (string, error) {
	h := sizedHash(size)
	if size <= wholeHashLimit {
		n, err := io.Copy(h, io.NewSectionReader(f, 0, size+1))
		if err != nil {
			return "", fmt.Errorf("read: %w", err)
		}
		if n != size {
			return "", fmt.Errorf("file changed while reading (%d of %d bytes)", n, size)
		}
		return fmt.Sprintf("x1:%016x", h.Sum64()), nil
	}
	buf := make([]byte, sampleSize)
	for _, off := range []int64{0, size/2 - sampleSize/2, size - sampleSize} {
		n, err := f.ReadAt(buf, off)
		if err != nil && err != io.EOF {
			return "", fmt.Errorf("read: %w", err)
		}
		h.Write(buf[:n])
	}
	return fmt.Sprintf("s1:%016x", h.Sum64()), nil
}

// FingerprintBytes is the Fingerprint of a file of at most wholeHashLimit
// bytes whose whole content is data.
func FingerprintBytes(data []byte) string {
	h := sizedHash(int64(len(data)))
	h.Write(data)
	return fmt.Sprintf("x1:%016x", h.Sum64())
}

func sizedHash(size int64) *xxhash.Digest {
	h := xxhash.New()
	var sz [8]byte
	binary.LittleEndian.PutUint64(sz[:], uint64(size))
	h.Write(sz[:])
	return h
}

// readWhole reads the size bytes of f from its start; a file that is not
// that size by then changed while it was read.
func readWhole(f *os.File, size int64) ([]byte, error) {
	data := make([]byte, size+1)
	n, err := io.ReadFull(io.NewSectionReader(f, 0, size+1), data)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, fmt.Errorf("read: %w", err)
	}
	if int64(n) != size {
		return nil, fmt.Errorf("file changed while reading (%d of %d bytes)", n, size)
	}
	return data[:n:n], nil
}
