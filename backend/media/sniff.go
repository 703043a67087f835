package media

import (
	"bytes"
	"encoding/binary"
	"path/filepath"
	"strings"
)

// Media types returned by Sniff.
const (
	TypeImage    = "image"
	TypeRaw      = "raw"
	TypeVideo    = "video"
	TypeAudio    = "audio"
	TypeDocument = "document"
	TypeArchive  = "archive"
	TypeModel    = "model" // 3D: STL, OBJ, 3MF, glTF/GLB
	TypeFont     = "font"
	TypeOther    = "other"
)

// SniffLen is how many leading bytes Sniff looks at.
const SniffLen = 512

// Sniff classifies by content (first up to 512 bytes), falling back to the
// extension only for types without magic numbers. A file whose extension
// claims a type with a magic number (.jpg, .png, ...) but whose content does
// not match is reported as ("other", "").
func Sniff(head []byte, name string) (mediaType, format string) {
	if len(head) > SniffLen {
		head = head[:SniffLen]
	}
	ext := strings.ToLower(strings.TrimPrefix(filepath.Ext(name), "."))
	if mt, f := sniffContent(head, ext); mt != "" {
		return mt, f
	}
	if e, ok := extTypes[ext]; ok && !e.magic {
		return e.mediaType, e.format
	}
	return TypeOther, ""
}

func sniffContent(h []byte, ext string) (string, string) {
	has := func(off int, s string) bool {
		return len(h) >= off+len(s) && string(h[off:off+len(s)]) == s
	}
	switch {
	case has(0, "\xff\xd8\xff"):
		return TypeImage, "jpeg"
	case has(0, "\x89PNG\r\n\x1a\n"):
		return TypeImage, "png"
	case has(0, "GIF87a"), has(0, "GIF89a"):
		return TypeImage, "gif"
	case has(0, "RIFF") && has(8, "WEBP"):
		return TypeImage, "webp"
	case has(0, "RIFF") && has(8, "AVI "):
		return TypeVideo, "avi"
	case has(0, "RIFF") && has(8, "WAVE"):
		return TypeAudio, "wav"
	case has(0, "II*\x00"), has(0, "MM\x00*"):
		return sniffTIFF(h, ext)
	case has(0, "IIRO"), has(0, "IIRS"), has(0, "MMOR"):
		return TypeRaw, "orf"
	case has(0, "IIU\x00"):
		return TypeRaw, "rw2"
	case has(0, "FUJIFILMCCD-RAW"):
		return TypeRaw, "raf"
	case has(4, "ftyp"):
		return sniffISOBMFF(h)
	case has(4, "moov"), has(4, "mdat"), has(4, "wide"), has(4, "free"):
		return TypeVideo, "mov"
	case has(0, "\x1a\x45\xdf\xa3"):
		if bytes.Contains(h, []byte("webm")) {
			return TypeVideo, "webm"
		}
		return TypeVideo, "mkv"
	case has(0, "\x30\x26\xb2\x75\x8e\x66\xcf\x11"):
		if ext == "wma" { // ASF holds both; only the name tells sound alone
			return TypeAudio, "wma"
		}
		return TypeVideo, "wmv"
	case has(0, "FORM") && (has(8, "AIFF") || has(8, "AIFC")):
		return TypeAudio, "aiff"
	case has(0, "FLV\x01"):
		return TypeVideo, "flv"
	case has(0, "\x00\x00\x01\xba"), has(0, "\x00\x00\x01\xb3"):
		return TypeVideo, "mpeg"
	case has(0, "BM") && isBMP(h):
		return TypeImage, "bmp"
	case has(0, "8BPS"):
		return TypeImage, "psd"
	case has(0, "\xff\x0a"), has(0, "\x00\x00\x00\x0cJXL \x0d\x0a\x87\x0a"):
		return TypeImage, "jxl"
	case has(0, "\x00\x00\x01\x00") && len(h) >= 6 && h[4] != 0 && (ext == "ico"):
		return TypeImage, "ico"
	case has(0, "OTTO"), has(0, "ttcf"), has(0, "wOFF"), has(0, "wOF2"),
		(has(0, "\x00\x01\x00\x00") || has(0, "true")) && extTypes[ext].mediaType == TypeFont:
		return sniffFont(h)
	case has(0, "%PDF-"):
		return TypeDocument, "pdf"
	case (has(0, "\xff\xfe") || has(0, "\xfe\xff")) && extTypes[ext].mediaType == TypeDocument:
		return TypeDocument, extTypes[ext].format // a UTF-16 text's BOM, not an MPEG frame sync
	case has(0, "ID3"):
		return TypeAudio, "mp3"
	case len(h) >= 3 && h[0] == 0xff && h[1]&0xe0 == 0xe0 && (h[1]>>1)&3 != 0 && (h[1]>>3)&3 != 1 && h[2]>>4 != 0xf:
		// MPEG audio frame sync (layer III/II); JPEG (ff d8) cannot match.
		return TypeAudio, "mp3"
	case has(0, "fLaC"):
		return TypeAudio, "flac"
	case has(0, "OggS"):
		return TypeAudio, "ogg"
	case has(0, "PK\x03\x04"):
		return builtOn(ext, "zip") // docx, odt, epub, cbz, ... are zip files
	case has(0, "\x1f\x8b"):
		return builtOn(ext, "gz")
	case has(0, "7z\xbc\xaf\x27\x1c"):
		return builtOn(ext, "7z") // cb7
	case has(0, "Rar!\x1a\x07"):
		return builtOn(ext, "rar") // cbr
	case has(0, "glTF"):
		return TypeModel, "glb"
	case has(257, "ustar"):
		return TypeArchive, "tar"
	}
	return "", ""
}

// sniffFont names a font's container by its tag.
func sniffFont(h []byte) (string, string) {
	switch string(h[:4]) {
	case "OTTO":
		return TypeFont, "otf"
	case "ttcf":
		return TypeFont, "ttc"
	case "wOFF":
		return TypeFont, "woff"
	case "wOF2":
		return TypeFont, "woff2"
	}
	return TypeFont, "ttf"
}

// builtOn types an archive by its extension when that names a format
// built on it (a .docx is a zip, a .cbr a rar, a gzipped .blend a gz).
func builtOn(ext, archive string) (string, string) {
	if e, ok := extTypes[ext]; ok && (e.mediaType == TypeDocument || e.mediaType == TypeModel) {
		return e.mediaType, e.format
	}
	return TypeArchive, archive
}

// isBMP checks the DIB header size, since "BM" alone is too weak a signature.
func isBMP(h []byte) bool {
	if len(h) < 18 {
		return false
	}
	switch binary.LittleEndian.Uint32(h[14:18]) {
	case 12, 16, 40, 52, 56, 64, 108, 124:
		return true
	}
	return false
}

// sniffTIFF separates plain TIFF from TIFF-based RAW formats. Only CR2 marks
// itself in the header; NEF, ARW, DNG and friends are plain TIFF by content,
// so the extension decides between them.
func sniffTIFF(h []byte, ext string) (string, string) {
	if len(h) >= 10 && string(h[8:10]) == "CR" {
		return TypeRaw, "cr2"
	}
	if e, ok := extTypes[ext]; ok && e.mediaType == TypeRaw {
		return TypeRaw, e.format
	}
	return TypeImage, "tiff"
}

func sniffISOBMFF(h []byte) (string, string) {
	if len(h) < 12 {
		return TypeOther, ""
	}
	brands := []string{string(h[8:12])}
	if n := int(binary.BigEndian.Uint32(h[0:4])); n > 16 {
		n = min(n, len(h))
		for i := 16; i+4 <= n; i += 4 {
			brands = append(brands, string(h[i:i+4]))
		}
	}
	for _, b := range brands { // AVIF files often list mif1 before avif
		if b == "avif" || b == "avis" {
			return TypeImage, "avif"
		}
	}
	switch brands[0] {
	case "heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1", "mif2":
		return TypeImage, "heic"
	case "crx ":
		return TypeRaw, "cr3"
	case "qt  ":
		return TypeVideo, "mov"
	case "M4A ", "M4B ", "M4P ":
		return TypeAudio, "m4a"
	case "3gp4", "3gp5", "3gp6", "3g2a", "3gg6":
		return TypeVideo, "3gp"
	}
	return TypeVideo, "mp4"
}

type extType struct {
	mediaType, format string
	magic             bool // content has a signature: never trust the extension alone
}

var code = extType{TypeDocument, "code", false}

var extTypes = map[string]extType{
	"jpg": {TypeImage, "jpeg", true}, "jpeg": {TypeImage, "jpeg", true}, "jpe": {TypeImage, "jpeg", true},
	"jfif": {TypeImage, "jpeg", true}, "png": {TypeImage, "png", true}, "gif": {TypeImage, "gif", true},
	"webp": {TypeImage, "webp", true}, "tif": {TypeImage, "tiff", true}, "tiff": {TypeImage, "tiff", true},
	"bmp": {TypeImage, "bmp", true}, "heic": {TypeImage, "heic", true}, "heif": {TypeImage, "heic", true},
	"avif": {TypeImage, "avif", true}, "psd": {TypeImage, "psd", true}, "jxl": {TypeImage, "jxl", true},
	"ico": {TypeImage, "ico", true},
	"svg": {TypeImage, "svg", false}, "tga": {TypeImage, "tga", false},

	"cr2": {TypeRaw, "cr2", true}, "cr3": {TypeRaw, "cr3", true}, "nef": {TypeRaw, "nef", true},
	"nrw": {TypeRaw, "nrw", true}, "arw": {TypeRaw, "arw", true}, "srf": {TypeRaw, "srf", true},
	"sr2": {TypeRaw, "sr2", true}, "dng": {TypeRaw, "dng", true}, "orf": {TypeRaw, "orf", true},
	"rw2": {TypeRaw, "rw2", true}, "raf": {TypeRaw, "raf", true}, "pef": {TypeRaw, "pef", true},
	"srw": {TypeRaw, "srw", true}, "3fr": {TypeRaw, "3fr", true}, "iiq": {TypeRaw, "iiq", true},
	"x3f": {TypeRaw, "x3f", false}, "erf": {TypeRaw, "erf", true}, "kdc": {TypeRaw, "kdc", true},
	"mrw": {TypeRaw, "mrw", false},

	"mp4": {TypeVideo, "mp4", true}, "m4v": {TypeVideo, "mp4", true}, "mov": {TypeVideo, "mov", true},
	"mkv": {TypeVideo, "mkv", true}, "webm": {TypeVideo, "webm", true}, "avi": {TypeVideo, "avi", true},
	"wmv": {TypeVideo, "wmv", true}, "flv": {TypeVideo, "flv", true}, "3gp": {TypeVideo, "3gp", true},
	"mpg": {TypeVideo, "mpeg", true}, "mpeg": {TypeVideo, "mpeg", true},
	"mts": {TypeVideo, "m2ts", false}, "m2ts": {TypeVideo, "m2ts", false}, "ts": {TypeVideo, "m2ts", false},

	"mp3": {TypeAudio, "mp3", false}, "wav": {TypeAudio, "wav", true}, "flac": {TypeAudio, "flac", true},
	"ogg": {TypeAudio, "ogg", true}, "m4a": {TypeAudio, "m4a", true}, "aac": {TypeAudio, "aac", false},
	"opus": {TypeAudio, "ogg", true}, "oga": {TypeAudio, "ogg", true}, "aif": {TypeAudio, "aiff", true},
	"aiff": {TypeAudio, "aiff", true}, "aifc": {TypeAudio, "aiff", true}, "wma": {TypeAudio, "wma", true},

	"pdf": {TypeDocument, "pdf", true}, "ai": {TypeDocument, "pdf", true}, "txt": {TypeDocument, "txt", false}, "md": {TypeDocument, "md", false},
	"rtf": {TypeDocument, "rtf", false}, "doc": {TypeDocument, "doc", false}, "csv": {TypeDocument, "csv", false},
	"html": {TypeDocument, "html", false}, "htm": {TypeDocument, "html", false},
	"docx": {TypeDocument, "docx", false}, "xlsx": {TypeDocument, "xlsx", false},
	"pptx": {TypeDocument, "pptx", false}, "odt": {TypeDocument, "odt", false},
	"epub": {TypeDocument, "epub", false}, "cbz": {TypeDocument, "cbz", false},
	"cbr": {TypeDocument, "cbr", false}, "cb7": {TypeDocument, "cb7", false},
	"ods": {TypeDocument, "ods", false}, "odp": {TypeDocument, "odp", false}, "odg": {TypeDocument, "odg", false},
	"key": {TypeDocument, "key", false}, "pages": {TypeDocument, "pages", false},
	"numbers": {TypeDocument, "numbers", false}, "kra": {TypeDocument, "kra", false},
	"ora": {TypeDocument, "ora", false}, "blend": {TypeDocument, "blend", false},

	"stl": {TypeModel, "stl", false}, "obj": {TypeModel, "obj", false}, "3mf": {TypeModel, "3mf", false},
	"glb": {TypeModel, "glb", true}, "gltf": {TypeModel, "gltf", false},
	"json": {TypeDocument, "json", false}, "log": {TypeDocument, "log", false}, "xml": {TypeDocument, "xml", false},
	"markdown": {TypeDocument, "md", false}, "tsv": {TypeDocument, "csv", false},
	// Source code, drawn like any text (.ts stays MPEG-TS video).
	"go": code, "py": code, "js": code, "jsx": code, "tsx": code, "c": code, "h": code, "cc": code, "cpp": code,
	"hpp": code, "cs": code, "java": code, "kt": code, "rs": code, "rb": code, "php": code, "swift": code,
	"sh": code, "bash": code, "lua": code, "pl": code, "sql": code, "css": code, "scss": code, "yaml": code,
	"yml": code, "toml": code, "ini": code, "svelte": code, "vue": code,

	"ttf": {TypeFont, "ttf", true}, "otf": {TypeFont, "otf", true}, "ttc": {TypeFont, "ttc", true},
	"otc": {TypeFont, "ttc", true}, "woff": {TypeFont, "woff", true}, "woff2": {TypeFont, "woff2", true},

	"zip": {TypeArchive, "zip", true}, "gz": {TypeArchive, "gz", true}, "tgz": {TypeArchive, "gz", true},
	"7z": {TypeArchive, "7z", true}, "rar": {TypeArchive, "rar", true}, "tar": {TypeArchive, "tar", true},
}

// TypeFromName is the type a name's extension stands for, whatever the
// content: what an empty file is (it has no content to sniff, and is still
// a file to tag, as in TagStudio). ("other", "") for an unknown extension.
func TypeFromName(name string) (mediaType, format string) {
	if e, ok := extTypes[strings.ToLower(strings.TrimPrefix(filepath.Ext(name), "."))]; ok {
		return e.mediaType, e.format
	}
	return TypeOther, ""
}

// claimsImage reports whether the name's extension promises a still image
// (or a RAW), so that content which is not one counts as corrupt.
func claimsImage(name string) bool {
	e, ok := extTypes[strings.ToLower(strings.TrimPrefix(filepath.Ext(name), "."))]
	return ok && (e.mediaType == TypeImage || e.mediaType == TypeRaw)
}

var mimes = map[string]string{
	"jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "webp": "image/webp",
	"tiff": "image/tiff", "bmp": "image/bmp", "heic": "image/heic", "avif": "image/avif",
	"psd": "image/vnd.adobe.photoshop", "jxl": "image/jxl", "ico": "image/vnd.microsoft.icon",
	"svg": "image/svg+xml", "tga": "image/x-tga",
	"cr2": "image/x-canon-cr2", "cr3": "image/x-canon-cr3", "nef": "image/x-nikon-nef",
	"arw": "image/x-sony-arw", "dng": "image/x-adobe-dng", "orf": "image/x-olympus-orf",
	"rw2": "image/x-panasonic-rw2", "raf": "image/x-fuji-raf",
	"mp4": "video/mp4", "mov": "video/quicktime", "mkv": "video/x-matroska", "webm": "video/webm",
	"avi": "video/x-msvideo", "wmv": "video/x-ms-wmv", "flv": "video/x-flv", "3gp": "video/3gpp",
	"mpeg": "video/mpeg", "m2ts": "video/mp2t",
	"mp3": "audio/mpeg", "wav": "audio/wav", "flac": "audio/flac", "ogg": "audio/ogg", "m4a": "audio/mp4",
	"aac": "audio/aac", "aiff": "audio/aiff", "wma": "audio/x-ms-wma",
	"pdf": "application/pdf", "txt": "text/plain", "md": "text/markdown", "csv": "text/csv",
	"html": "text/html", "rtf": "application/rtf", "json": "application/json", "log": "text/plain",
	"xml": "application/xml", "code": "text/plain",
	"ttf": "font/ttf", "otf": "font/otf", "ttc": "font/collection", "woff": "font/woff", "woff2": "font/woff2",
	"zip": "application/zip", "gz": "application/gzip", "7z": "application/x-7z-compressed",
	"rar": "application/vnd.rar", "tar": "application/x-tar",
	"epub": "application/epub+zip", "cbz": "application/vnd.comicbook+zip", "cbr": "application/vnd.comicbook-rar",
	"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	"odt":  "application/vnd.oasis.opendocument.text", "ods": "application/vnd.oasis.opendocument.spreadsheet",
	"odp": "application/vnd.oasis.opendocument.presentation", "ora": "image/openraster",
	"stl": "model/stl", "obj": "model/obj", "3mf": "model/3mf",
	"glb": "model/gltf-binary", "gltf": "model/gltf+json",
}

func mimeOf(format string) string {
	if m, ok := mimes[format]; ok {
		return m
	}
	return "application/octet-stream"
}
