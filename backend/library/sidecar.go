package library

import (
	"os"
	"path"
	"strings"
)

// XMP sidecars: "photo.jpg.xmp" (darktable, digiKam's default) or
// "photo.xmp" (Lightroom, Capture One, digiKam's "compatible" mode). The
// first wins when both exist. A sidecar is never an entry of its own; its
// picture's metadata analysis reads it (see metadataAnalyzer).

func isSidecar(rel string) bool { return strings.EqualFold(path.Ext(rel), ".xmp") }

// sidecarNames are the sidecar paths a picture may have, in order of
// preference.
func sidecarNames(rel string) []string {
	stem := strings.TrimSuffix(rel, path.Ext(rel))
	out := []string{rel + ".xmp", rel + ".XMP"}
	if stem != rel && path.Base(stem) != "" {
		out = append(out, stem+".xmp", stem+".XMP")
	}
	return out
}

// splitSidecars takes the .xmp files out of a walk and maps each picture
// path that has one to its sidecar (names compared case-insensitively);
// seen holds every sidecar's path.
func splitSidecars(items []walkItem) (kept []walkItem, sidecars map[string]walkItem, seen map[string]bool) {
	byLower := map[string]walkItem{}
	seen = map[string]bool{}
	kept = items[:0:0]
	for _, it := range items {
		if isSidecar(it.rel) {
			byLower[strings.ToLower(it.rel)] = it
			seen[it.rel] = true
			continue
		}
		kept = append(kept, it)
	}
	sidecars = map[string]walkItem{}
	if len(byLower) == 0 {
		return kept, sidecars, seen
	}
	for _, it := range kept {
		for _, name := range sidecarNames(it.rel) {
			if sc, ok := byLower[strings.ToLower(name)]; ok {
				sidecars[it.rel] = sc
				break
			}
		}
	}
	return kept, sidecars, seen
}

// withSidecarPartners widens a scan of some paths (a watcher's batch) so
// that pictures and their sidecars are looked at together: a changed
// sidecar brings its pictures (the metadata is read again), a changed
// picture brings its sidecars (so they are found).
func (l *Library) withSidecarPartners(only []string) []string {
	out := append([]string(nil), only...)
	exists := func(rel string) bool {
		st, err := os.Lstat(l.Abs(rel))
		return err == nil && !st.IsDir()
	}
	for _, rel := range only {
		rel = path.Clean("/" + strings.ReplaceAll(rel, "\\", "/"))[1:]
		if rel == "" || rel == "." {
			continue
		}
		if !isSidecar(rel) {
			if exists(rel) {
				for _, name := range sidecarNames(rel) {
					if exists(name) {
						out = append(out, name)
					}
				}
			}
			continue
		}
		stem := strings.TrimSuffix(rel, path.Ext(rel))
		if exists(stem) { // photo.jpg.xmp → photo.jpg
			out = append(out, stem)
		}
		// photo.xmp → photo.jpg, photo.nef, …
		dir, base := path.Split(stem)
		ents, err := os.ReadDir(l.Abs(strings.TrimSuffix(dir, "/")))
		if err != nil {
			continue
		}
		for _, e := range ents {
			n := e.Name()
			if !e.IsDir() && !isSidecar(n) && strings.EqualFold(strings.TrimSuffix(n, path.Ext(n)), base) {
				out = append(out, dir+n)
			}
		}
	}
	return out
}
