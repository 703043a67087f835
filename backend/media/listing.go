package media

import (
	"context"
	"fmt"
)

// ArchiveMember is one file inside an archive, as a listing shows it.
type ArchiveMember struct {
	Name string
	Size int64 // declared unpacked size; -1 when the archive does not say
}

// ArchiveListing is the head of an archive's listing: its first members in
// the archive's own order, how many it has in all and their declared
// unpacked size.
type ArchiveListing struct {
	Members  []ArchiveMember
	Total    int
	Unpacked int64
}

// ListArchive lists the archive (zip, tar, tar.gz, 7z, rar, and the
// e-books, comics and documents built on them) at path through the
// container decoder's own reader, under its bomb checks and time limit,
// nothing extracted: at most limit members are returned (limit ≤ 0: none),
// the rest only counted. A file that is not a container is
// ErrUnsupported.
func ListArchive(ctx context.Context, path string, limit int, lim Limits) (ArchiveListing, error) {
	lim = lim.withDefaults()
	ctx, cancel := withDeadline(ctx, lim)
	defer cancel()
	src := NewSource(path, nil)
	defer src.Close()
	info, err := src.Probe(ctx, lim)
	if err != nil {
		return ArchiveListing{}, fmt.Errorf("list archive: %w", err)
	}
	if !(containerDecoder{}).Applies(info.MediaType, info.Format) {
		return ArchiveListing{}, fmt.Errorf("list archive: %w: not an archive", ErrUnsupported)
	}
	a, _, err := src.container(ctx, lim)
	if err != nil {
		return ArchiveListing{}, fmt.Errorf("list archive: %w", err)
	}
	out := ArchiveListing{Members: []ArchiveMember{}, Total: len(a.members), Unpacked: a.unpacked}
	for _, m := range a.members[:min(len(a.members), max(0, limit))] {
		out.Members = append(out.Members, ArchiveMember{Name: m.Name, Size: m.Size})
	}
	return out, nil
}
