package normalize

import (
	"strconv"

	"github.com/faceid-verify/faceid/core/invalid"
)

// Reasons and field as in core/photo, whose constructors are unexported.
const (
	field          = "image"
	reasonTooLarge = "too_large"
)

func errTooLarge(max int) *invalid.Error {
	s := byteSize(max)
	return invalid.New(field, reasonTooLarge, "图片压缩后仍超过"+s,
		"image is still larger than "+s+" after downscaling")
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
