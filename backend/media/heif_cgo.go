//go:build cgo && !noheif

package media

// #cgo pkg-config: libheif
// #include <stdlib.h>
// #include <string.h>
// #include <libheif/heif.h>
//
// // Decodes the primary image to interleaved 8-bit RGBA, copying it into
// // out (w*h*4 bytes, allocated by Go). The image's own transformations
// // (irot, imir, clap) are applied, so it comes out the way it is shown.
// static struct heif_error tagsight_heif_size(const void* data, size_t n, int* w, int* h) {
//   struct heif_context* ctx = heif_context_alloc();
//   struct heif_error err = heif_context_read_from_memory_without_copy(ctx, data, n, NULL);
//   if (err.code == heif_error_Ok) {
//     struct heif_image_handle* handle;
//     err = heif_context_get_primary_image_handle(ctx, &handle);
//     if (err.code == heif_error_Ok) {
//       *w = heif_image_handle_get_width(handle);
//       *h = heif_image_handle_get_height(handle);
//       heif_image_handle_release(handle);
//     }
//   }
//   heif_context_free(ctx);
//   return err;
// }
//
// static struct heif_error tagsight_heif_decode(const void* data, size_t n, unsigned char* out, int w, int h) {
//   struct heif_context* ctx = heif_context_alloc();
//   struct heif_error err = heif_context_read_from_memory_without_copy(ctx, data, n, NULL);
//   struct heif_image_handle* handle = NULL;
//   struct heif_image* img = NULL;
//   if (err.code == heif_error_Ok) err = heif_context_get_primary_image_handle(ctx, &handle);
//   if (err.code == heif_error_Ok) err = heif_decode_image(handle, &img, heif_colorspace_RGB, heif_chroma_interleaved_RGBA, NULL);
//   if (err.code == heif_error_Ok) {
//     int stride = 0;
//     const uint8_t* p = heif_image_get_plane_readonly(img, heif_channel_interleaved, &stride);
//     if (!p || heif_image_get_width(img, heif_channel_interleaved) != w || heif_image_get_height(img, heif_channel_interleaved) != h) {
//       err.code = heif_error_Decoder_plugin_error;
//       err.message = "decoded size differs from the header";
//     } else {
//       for (int y = 0; y < h; y++) memcpy(out + (size_t)y * w * 4, p + (size_t)y * stride, (size_t)w * 4);
//     }
//   }
//   if (img) heif_image_release(img);
//   if (handle) heif_image_handle_release(handle);
//   heif_context_free(ctx);
//   return err;
// }
import "C"

import (
	"fmt"
	"image"
	"unsafe"
)

// heifDecoder reports whether HEIC/AVIF pictures can be decoded (libheif,
// with Debian's libde265 for HEVC and dav1d/aom for AV1).
const heifDecoder = true

// decodeHEIF decodes a HEIC or AVIF file's primary image at full size
// (HEVC and AV1 have no cheap scaled decode), refusing more than maxPixels
// before allocating, and more than maxBytes at the 16 bytes a pixel that
// planDecode counts (libheif may read the size differently from ispe).
func decodeHEIF(data []byte, maxPixels, maxBytes int64) (image.Image, error) {
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: empty data", ErrCorrupt)
	}
	src := unsafe.Pointer(&data[0])
	var w, h C.int
	if e := C.tagsight_heif_size(src, C.size_t(len(data)), &w, &h); e.code != C.heif_error_Ok {
		return nil, fmt.Errorf("%w: %s", ErrCorrupt, C.GoString(e.message))
	}
	if w <= 0 || h <= 0 || int64(w)*int64(h) > maxPixels || int64(w)*int64(h)*16 > maxBytes {
		return nil, fmt.Errorf("%w: %dx%d", ErrTooManyPixels, int(w), int(h))
	}
	img := image.NewNRGBA(image.Rect(0, 0, int(w), int(h)))
	if e := C.tagsight_heif_decode(src, C.size_t(len(data)), (*C.uchar)(unsafe.Pointer(&img.Pix[0])), w, h); e.code != C.heif_error_Ok {
		return nil, fmt.Errorf("%w: %s", ErrCorrupt, C.GoString(e.message))
	}
	if decodedHook != nil {
		decodedHook(int(w), int(h))
	}
	return img, nil
}
