package normalize

import (
	"errors"
	"fmt"
	"image/jpeg"
	"image/png"
	"strconv"
	"strings"

	"github.com/faceid-verify/faceid/core/invalid"
	"github.com/faceid-verify/faceid/core/photo"
	"golang.org/x/image/bmp"
)

// Reasons and field as in core/photo, whose constructors are unexported.
const (
	field             = "image"
	reasonTooLarge    = "too_large"
	reasonDimensions  = "dimensions"
	reasonCorrupt     = "corrupt"
	reasonUnsupported = "unsupported_format"
)

func errTooLarge(max int) *invalid.Error {
	s := byteSize(max)
	return invalid.New(field, reasonTooLarge, "图片压缩后仍超过"+s,
		"image is still larger than "+s+" after downscaling")
}

// errPixels words the refusal as photo.Check does for the same bound.
func errPixels(w, h, max int) *invalid.Error {
	zh := strconv.Itoa(max)
	if max%10000 == 0 {
		zh = strconv.Itoa(max/10000) + "万"
	}
	return invalid.New(field, reasonDimensions,
		fmt.Sprintf("尺寸过大(%dx%d),总像素不能超过%s", w, h, zh),
		fmt.Sprintf("image is %dx%d; at most %d pixels can be processed", w, h, max))
}

// errDecode reports pixel data that cannot be decoded although the header
// could. Decoder messages are fixed text, never image bytes, so they are
// kept for whoever debugs the client.
func errDecode(f photo.Format, err error) *invalid.Error {
	n := strings.ToUpper(string(f))
	var je jpeg.UnsupportedError
	var pe png.UnsupportedError
	if errors.As(err, &je) || errors.As(err, &pe) || errors.Is(err, bmp.ErrUnsupported) {
		return invalid.New(field, reasonUnsupported, "格式不支持("+n+"变体),请另存为普通JPEG",
			n+" variant cannot be decoded ("+err.Error()+"); re-save it as a standard JPEG")
	}
	return invalid.New(field, reasonCorrupt, "文件损坏或不完整("+n+")",
		n+" pixel data is truncated or corrupt: "+err.Error())
}

// byteSize renders a limit as people state it ("3MB"), exact otherwise.
func byteSize(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.Itoa(n>>20) + "MB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.Itoa(n>>10) + "KB"
	}
	return strconv.Itoa(n) + "B"
}
