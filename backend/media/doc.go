// Package media turns a file's bytes into facts and pixels. Each kind of
// file has a Decoder (pictures, video through ffprobe/ffmpeg run as child
// processes) giving its facts and a poster, the picture that stands for it,
// so the analysis pipeline treats every kind as it treats a photo. It sniffs
// the type by content, reads dimensions and EXIF from headers (Probe), decodes
// a picture once, correctly oriented, at the smallest size its users need
// (DecodeOriented, which uses libjpeg-turbo's DCT-domain scaling for JPEG
// when built with cgo; the analysis pipeline and search by file both decode
// through it) and encodes JPEG thumbnails (EncodeThumbnail, ThumbnailJPEG).
//
// Every input is treated as hostile: sizes are checked against Limits before
// any pixel buffer is allocated, and EXIF is validated before a third-party
// parser sees it. The memory a decode will hold is worked out from the
// header and reserved from one process-wide budget (SetDecodeMemory) before
// decoding, so a small file that inflates to gigabytes is refused and
// concurrent decodes (indexer, previews, search by image) cannot add up past
// it.
//
// It is not for walking folders, hashing, storing results or deciding what to
// index (that is package library), nor for model preprocessing such as
// normalisation and cropping (package clip). It imports no other Tagsight
// package but facts (the type it shares with store); it writes only the thumbnail path Thumbnail and ThumbnailFrom are
// given (the library's derived files are written by their owner,
// library.Derived, from the JPEG bytes).
package media
