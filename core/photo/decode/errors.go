package decode

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/faceid-verify/faceid/core/invalid"
	"github.com/faceid-verify/faceid/core/photo"
)

// Reasons carried in invalid.Error.Reason, and the field, as in
// core/photo.
const (
	field             = "image"
	reasonTruncated   = "truncated"
	reasonCorrupt     = "corrupt"
	reasonDimensions  = "dimensions"
	reasonUnsupported = "unsupported_format"
)

func name(f photo.Format) string { return strings.ToUpper(string(f)) }

// errTruncated is data that ends before the image does: a file cut short
// in transfer, or a header followed by nothing or by zeros.
func errTruncated(f photo.Format) *invalid.Error {
	n := name(f)
	return invalid.New(field, reasonTruncated, "文件不完整("+n+"),图像数据被截断",
		n+" image data ends before the image does: the file is truncated")
}

// errCorrupt is image data that does not decode. Decoder messages are
// fixed text, never image bytes, so they are kept for whoever debugs the
// client.
func errCorrupt(f photo.Format, err error) *invalid.Error {
	n := name(f)
	return invalid.New(field, reasonCorrupt, "文件损坏("+n+"),图像数据无法解码",
		n+" image data is corrupt: "+err.Error())
}

// errVariant is a variant the decoders cannot read, met by a rewrite.
func errVariant(f photo.Format, err error) *invalid.Error {
	n := name(f)
	return invalid.New(field, reasonUnsupported, "格式不支持("+n+"变体),请另存为普通JPEG",
		n+" variant cannot be decoded ("+err.Error()+"); re-save it as a standard JPEG")
}

// errPixels words the refusal as photo.Check does for its pixel bound.
func errPixels(w, h, limit int) *invalid.Error {
	zh := strconv.Itoa(limit)
	if limit%10000 == 0 && limit > 0 {
		zh = strconv.Itoa(limit/10000) + "万"
	}
	return invalid.New(field, reasonDimensions,
		fmt.Sprintf("尺寸过大(%dx%d),总像素不能超过%s", w, h, zh),
		fmt.Sprintf("image is %dx%d; at most %d pixels can be processed", w, h, limit))
}
