package media

import "testing"

func TestSniff(t *testing.T) {
	ftyp := func(major string, compat ...string) []byte {
		b := []byte{0, 0, 0, byte(16 + 4*len(compat))}
		b = append(b, "ftyp"+major+"\x00\x00\x00\x00"...)
		for _, c := range compat {
			b = append(b, c...)
		}
		return b
	}
	bmp := make([]byte, 30)
	copy(bmp, "BM")
	bmp[14] = 40
	tests := []struct {
		name     string
		head     []byte
		file     string
		mt, fmt_ string
	}{
		{"jpeg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF"), "a.bin", "image", "jpeg"},
		{"png", []byte("\x89PNG\r\n\x1a\n...."), "a", "image", "png"},
		{"png named jpg", []byte("\x89PNG\r\n\x1a\n...."), "a.jpg", "image", "png"},
		{"gif", []byte("GIF89a...."), "a", "image", "gif"},
		{"webp", []byte("RIFF\x00\x00\x00\x00WEBPVP8 "), "a", "image", "webp"},
		{"avi", []byte("RIFF\x00\x00\x00\x00AVI LIST"), "a", "video", "avi"},
		{"tiff", []byte("II*\x00\x08\x00\x00\x00"), "a.tif", "image", "tiff"},
		{"cr2", []byte("II*\x00\x10\x00\x00\x00CR\x02\x00"), "a.tif", "raw", "cr2"},
		{"nef by ext", []byte("MM\x00*\x00\x00\x00\x08"), "a.NEF", "raw", "nef"},
		{"dng by ext", []byte("II*\x00\x08\x00\x00\x00"), "a.dng", "raw", "dng"},
		{"bmp", bmp, "a", "image", "bmp"},
		{"BM text is not bmp", []byte("BMW owners club"), "a", "other", ""},
		{"heic", ftyp("heic", "mif1", "heic"), "a", "image", "heic"},
		{"avif after mif1", ftyp("mif1", "avif"), "a", "image", "avif"},
		{"mp4", ftyp("isom", "isom", "avc1"), "a", "video", "mp4"},
		{"mov", ftyp("qt  "), "a", "video", "mov"},
		{"cr3", ftyp("crx "), "a", "raw", "cr3"},
		{"mkv", []byte("\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska"), "a", "video", "mkv"},
		{"webm", []byte("\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm"), "a", "video", "webm"},
		{"pdf", []byte("%PDF-1.7"), "a", "document", "pdf"},
		{"mp3 id3", []byte("ID3\x04\x00"), "a", "audio", "mp3"},
		{"mp3 frame", []byte("\xff\xfb\x90\x00"), "a", "audio", "mp3"},
		{"zip", []byte("PK\x03\x04"), "a.zip", "archive", "zip"},
		{"docx", []byte("PK\x03\x04"), "a.docx", "document", "docx"},
		{"random named jpg", []byte("not an image at all"), "a.jpg", "other", ""},
		{"svg by ext", []byte("<svg xmlns="), "a.svg", "image", "svg"},
		{"txt by ext", []byte("hello"), "a.TXT", "document", "txt"},
		{"empty", nil, "a.jpg", "other", ""},
		{"unknown", []byte{1, 2, 3}, "a", "other", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mt, f := Sniff(tt.head, tt.file)
			if mt != tt.mt || f != tt.fmt_ {
				t.Errorf("Sniff = %q, %q; want %q, %q", mt, f, tt.mt, tt.fmt_)
			}
		})
	}
}
