package main

import (
	"encoding/json"
	"io"

	"github.com/tagsight/tagsight/backend/facts"
	"github.com/tagsight/tagsight/backend/media"
	"github.com/tagsight/tagsight/backend/pathenc"
	"github.com/tagsight/tagsight/backend/store"
)

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// jsonPath is a library path as JSON carries it: see package pathenc.
type jsonPath struct {
	Path    string `json:"path"`
	Escaped bool   `json:"path_escaped,omitempty"`
}

func encPath(p string) jsonPath {
	s, esc := pathenc.Encode(p)
	return jsonPath{Path: s, Escaped: esc}
}

type lsEntry struct {
	jsonPath
	MediaType string  `json:"media_type"`
	Format    string  `json:"format"`
	Width     int     `json:"width"`
	Height    int     `json:"height"`
	Size      int64   `json:"size"`
	Taken     *string `json:"taken"`
	Missing   bool    `json:"missing,omitempty"`
}

func toLs(e store.Entry) lsEntry {
	w, h := e.DisplaySize()
	return lsEntry{jsonPath: encPath(e.Path), MediaType: e.MediaType, Format: e.Format, Width: w, Height: h,
		Size: e.Size, Taken: strPtr(e.Taken), Missing: e.Missing}
}

type infoEntry struct {
	jsonPath
	Size        int64    `json:"size"`
	Width       int      `json:"width"`
	Height      int      `json:"height"`
	MediaType   string   `json:"media_type"`
	Format      string   `json:"format"`
	Mime        string   `json:"mime"`
	Taken       *string  `json:"taken"`
	Make        *string  `json:"make"`
	Model       *string  `json:"model"`
	Camera      *string  `json:"camera"` // make and model as shown
	Lens        *string  `json:"lens"`
	ISO         *int     `json:"iso"`
	FNumber     *float64 `json:"fnumber"`
	Exposure    *string  `json:"exposure"`
	FocalLength *float64 `json:"focal_length"`
	Lat         *float64 `json:"lat"`
	Lon         *float64 `json:"lon"`
	Orientation int      `json:"orientation"`
	Tags        []string `json:"tags"`
	Fingerprint string   `json:"fingerprint"`
	Thumbnail   *string  `json:"thumbnail"`
	Missing     bool     `json:"missing"`
	// Facts are what the file's kind says beyond the above (a video's
	// duration, codec, fps); absent when none.
	Facts *facts.Facts `json:"facts,omitempty"`
}

func toInfo(e store.Entry, tags []string, thumbAbs string) infoEntry {
	w, h := e.DisplaySize()
	out := infoEntry{jsonPath: encPath(e.Path), Size: e.Size, Width: w, Height: h, MediaType: e.MediaType,
		Format: e.Format, Mime: e.Mime, Taken: strPtr(e.Taken), Make: strPtr(e.Make), Model: strPtr(e.Model),
		Camera: strPtr(media.CameraName(e.Make, e.Model)), Lens: strPtr(e.Lens), Exposure: strPtr(e.Exposure),
		Lat: e.Lat, Lon: e.Lon, Orientation: e.Orientation,
		Tags: tags, Fingerprint: e.Fingerprint, Missing: e.Missing}
	if e.ISO > 0 {
		out.ISO = &e.ISO
	}
	if e.FNumber > 0 {
		out.FNumber = &e.FNumber
	}
	if e.FocalLength > 0 {
		out.FocalLength = &e.FocalLength
	}
	if e.Thumb != "" {
		out.Thumbnail = &thumbAbs
	}
	return out
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
