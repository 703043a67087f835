// Package facts holds Facts, what a file's decoder reads about it beyond
// its pixels (a video's duration and codec, a document's pages, a song's
// artist): the one type media's decoders produce, store keeps and the
// faces (CLI, API) show. It is a leaf: it imports nothing of Tagsight, so
// media and store can share the type without depending on each other.
package facts

// Facts are a file's facts; a zero field is unknown. Width and Height are
// as displayed (a video's rotation applied).
type Facts struct {
	Duration   float64  `json:"duration,omitempty"` // seconds
	Codec      string   `json:"codec,omitempty"`    // the video codec, else the audio codec
	AudioCodec string   `json:"audio_codec,omitempty"`
	Width      int      `json:"width,omitempty"`
	Height     int      `json:"height,omitempty"`
	FPS        float64  `json:"fps,omitempty"`
	Bitrate    int64    `json:"bitrate,omitempty"`  // bits per second, the whole file
	Rotation   int      `json:"rotation,omitempty"` // degrees clockwise the picture is turned for display
	SampleRate int      `json:"sample_rate,omitempty"`
	Channels   int      `json:"channels,omitempty"`
	Created    string   `json:"created,omitempty"` // "2006-01-02T15:04:05" (UTC when the file says so, with "Z")
	Lat        *float64 `json:"lat,omitempty"`
	Lon        *float64 `json:"lon,omitempty"`
	Make       string   `json:"make,omitempty"`
	Model      string   `json:"model,omitempty"`
	Pages      int      `json:"pages,omitempty"`
	Title      string   `json:"title,omitempty"`
	Artist     string   `json:"artist,omitempty"`
	Album      string   `json:"album,omitempty"`
	Author     string   `json:"author,omitempty"`
	Subject    string   `json:"subject,omitempty"`  // a document's, from its Info
	Keywords   string   `json:"keywords,omitempty"` // a document's, as written (often comma-separated)
	Genre      string   `json:"genre,omitempty"`
	Year       int      `json:"year,omitempty"`
	Track      int      `json:"track,omitempty"`
	Entries    int      `json:"entries,omitempty"`  // files in an archive
	Unpacked   int64    `json:"unpacked,omitempty"` // bytes, as the archive declares them
	Triangles  int      `json:"triangles,omitempty"`
	// SizeX, SizeY, SizeZ: a 3D model's bounding box, in its own units.
	SizeX    float64 `json:"size_x,omitempty"`
	SizeY    float64 `json:"size_y,omitempty"`
	SizeZ    float64 `json:"size_z,omitempty"`
	Lines    int     `json:"lines,omitempty"`    // a text's lines
	Encoding string  `json:"encoding,omitempty"` // a text's: UTF-8, UTF-16LE, UTF-16BE, Latin-1
	Family   string  `json:"family,omitempty"`   // a font's family name
	Style    string  `json:"style,omitempty"`    // a font's style (subfamily): Regular, Bold Italic…
	Glyphs   int     `json:"glyphs,omitempty"`   // a font's glyph count
}

// IsZero says whether nothing is known.
func (f Facts) IsZero() bool {
	return f == Facts{}
}
