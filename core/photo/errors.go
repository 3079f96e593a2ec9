package photo

import (
	"fmt"
	"strconv"

	"github.com/faceid-verify/faceid/core/invalid"
)

// Reasons carried in invalid.Error.Reason; stable, for metrics and branching.
const (
	reasonMissing     = "missing"
	reasonTooLarge    = "too_large"
	reasonBase64      = "base64"
	reasonUnsupported = "unsupported_format"
	reasonCorrupt     = "corrupt"
	reasonDimensions  = "dimensions"
)

// field is the request field every error here is about.
const field = "image"

func errMissing() *invalid.Error {
	return invalid.New(field, reasonMissing, "不能为空", "image is empty")
}

func errTooLarge(limit int) *invalid.Error {
	s := byteSize(limit)
	return invalid.New(field, reasonTooLarge, "大小超过"+s, "image is larger than "+s)
}

func errBase64(why string) *invalid.Error {
	return invalid.New(field, reasonBase64, "base64编码错误", "image is not valid base64: "+why)
}

const useAccepted = "请使用JPEG/PNG/BMP"

// errUnsupported names the format so the caller knows what to convert from.
func errUnsupported(f Format) *invalid.Error {
	if f == Unknown {
		return invalid.New(field, reasonUnsupported, "格式不支持,"+useAccepted,
			"unrecognised image format; use JPEG, PNG or BMP")
	}
	n := f.name()
	return invalid.New(field, reasonUnsupported, "格式不支持("+n+"),"+useAccepted,
		n+" is not supported; use JPEG, PNG or BMP")
}

// errDoubleBase64 is the unknown format whose bytes are themselves base64 of
// an image: a client that encoded twice gets told so, not "unknown format".
func errDoubleBase64() *invalid.Error {
	return invalid.New(field, reasonUnsupported, "格式不支持(疑似重复base64编码),"+useAccepted,
		"image data looks base64-encoded twice; encode the file once")
}

// errJPEGVariant rejects JPEG codings that common decoders (Go, browsers,
// most image libraries) cannot read, so the upstream very likely cannot.
func errJPEGVariant(zh, en string) *invalid.Error {
	return invalid.New(field, reasonUnsupported, "格式不支持("+zh+"),请另存为普通JPEG",
		en+" is not supported; re-save it as a standard JPEG")
}

// errCorrupt says which format's header is broken; why is English only, for
// whoever debugs the client.
func errCorrupt(f Format, why string) *invalid.Error {
	n := f.name()
	return invalid.New(field, reasonCorrupt, "文件损坏或不完整("+n+")",
		n+" header is truncated or corrupt: "+why)
}

func errZeroSize(w, h int) *invalid.Error {
	return invalid.New(field, reasonDimensions, fmt.Sprintf("尺寸无效(%dx%d)", w, h),
		fmt.Sprintf("image has a zero width or height (%dx%d)", w, h))
}

func errMaxSide(w, h, limit int) *invalid.Error {
	return invalid.New(field, reasonDimensions,
		fmt.Sprintf("尺寸过大(%dx%d),最长边不能超过%d像素", w, h, limit),
		fmt.Sprintf("image is %dx%d; the longer side must be at most %d pixels", w, h, limit))
}

func errMaxPixels(w, h, limit int) *invalid.Error {
	zh := strconv.Itoa(limit)
	if limit%10000 == 0 {
		zh = strconv.Itoa(limit/10000) + "万"
	}
	return invalid.New(field, reasonDimensions,
		fmt.Sprintf("尺寸过大(%dx%d),总像素不能超过%s", w, h, zh),
		fmt.Sprintf("image is %dx%d; at most %d pixels are allowed", w, h, limit))
}

func errMinSide(w, h, limit int) *invalid.Error {
	return invalid.New(field, reasonDimensions,
		fmt.Sprintf("尺寸过小(%dx%d),最短边不能小于%d像素", w, h, limit),
		fmt.Sprintf("image is %dx%d; the shorter side must be at least %d pixels", w, h, limit))
}

// byteSize renders a limit the way people state it ("3MB", "500KB"),
// falling back to exact bytes so the message never rounds the limit.
func byteSize(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.Itoa(n>>20) + "MB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.Itoa(n>>10) + "KB"
	}
	return strconv.Itoa(n) + "B"
}
