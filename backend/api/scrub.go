package api

// What a web client sees of the server: nothing of its disk or network.
// Every answer of the HTTP face (method results, errors) and every event
// the web face emits passes through scrubJSON or scrubText, one place for
// all of them rather than a patch in each method: a message that quotes a
// path (the ONNX Runtime library, a model's folder, the library's own
// .tagsight, a temporary file) or an address (a resolver, a download
// server) is shown with the path's last element only, the address not at
// all. The desktop window shows everything; it is the user's own machine.

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
)

var (
	// URLs and addresses: a scheme://…, an IPv4 or bracketed IPv6 address
	// (with or without a port), a dotted host name or localhost with a port.
	reURL  = regexp.MustCompile(`\b[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>]*`)
	reIPv4 = regexp.MustCompile(`\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b`)
	reIPv6 = regexp.MustCompile(`\[[0-9A-Fa-f:.]*:[0-9A-Fa-f:.%A-Za-z]*\](?::\d{1,5})?`)
	reHost = regexp.MustCompile(`\b(?:localhost|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+):\d{1,5}\b`)
	// An absolute path starts a word: "/…", "~/…", a drive letter, or a UNC
	// "\\server\…". A relative path ("2023/beach.jpg") never matches.
	reAbs = regexp.MustCompile(`(^|[\s"'(\[{=,;:<>])((?:/|~/|[A-Za-z]:[\\/]|\\\\)[^\s"'()\[\]{}<>,;]*)`)
)

// ownURLs are the face's own routes, which answers name on purpose.
var ownURLs = []string{"/thumb/", "/preview/", "/file/", "/face/", "/frame/", "/api/"}

// scrubText hides the server's paths and addresses in a message: an
// absolute path becomes "…/" and its last element, an address "…".
func scrubText(s string) string {
	if s == "" {
		return s
	}
	s = reURL.ReplaceAllString(s, "…")
	s = reIPv6.ReplaceAllString(s, "…")
	s = reIPv4.ReplaceAllString(s, "…")
	s = reHost.ReplaceAllString(s, "…")
	return reAbs.ReplaceAllStringFunc(s, func(m string) string {
		sub := reAbs.FindStringSubmatch(m)
		lead, p := sub[1], sub[2]
		for _, u := range ownURLs {
			if strings.HasPrefix(p, u) {
				return m
			}
		}
		// "open /x/y: no such file": the colon and a full stop end the
		// sentence, not the path.
		tail := ""
		for len(p) > 1 && strings.ContainsRune(":.", rune(p[len(p)-1])) {
			tail = p[len(p)-1:] + tail
			p = p[:len(p)-1]
		}
		if p == "/" || p == "~/" {
			return m // a lone slash is punctuation
		}
		base := p[strings.LastIndexAny(strings.TrimRight(p, `/\`), `/\`)+1:]
		base = strings.TrimRight(base, `/\`)
		return lead + "…/" + base + tail
	})
}

// libraryData are the answer fields that hold the library's own data:
// library-relative paths and what the user typed (names, aliases, field
// values, queries). They are shown as they are: scrubbing them would turn
// a folder named "x " holding "tmp/y.jpg" into garbage, and a full client
// that edits what it was shown would save the garbage back.
var libraryData = map[string]bool{
	"path": true, "paths": true, "name": true, "shorthand": true, "aliases": true,
	"color": true, "value": true, "query": true, "text": true, "label": true,
}

// scrubJSON is v as a web answer (JSON and a newline) with scrubText
// applied to every string but libraryData's.
func scrubJSON(v any) []byte {
	raw, err := json.Marshal(v)
	if err != nil {
		return []byte("null\n")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // ids and sizes come back as they went
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return append(raw, '\n')
	}
	out, err := json.Marshal(scrubTree(tree, false))
	if err != nil {
		return append(raw, '\n')
	}
	return append(out, '\n')
}

func scrubTree(v any, data bool) any {
	switch t := v.(type) {
	case string:
		if data {
			return t
		}
		return scrubText(t)
	case []any:
		for i := range t {
			t[i] = scrubTree(t[i], data)
		}
	case map[string]any:
		for k, e := range t {
			t[k] = scrubTree(e, libraryData[k])
		}
	}
	return v
}

// webEmit scrubs an event's payload before it leaves for web clients.
func webEmit(emit func(string, any)) func(string, any) {
	return func(name string, p any) {
		emit(name, json.RawMessage(bytes.TrimSpace(scrubJSON(p))))
	}
}
