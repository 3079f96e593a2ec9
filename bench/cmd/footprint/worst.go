package main

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/jpeg"
	"math"
	"math/rand/v2"

	"golang.org/x/image/bmp"

	"github.com/faceid-verify/faceid/bench/internal/harness"
	"github.com/faceid-verify/faceid/core/photo"
	"github.com/faceid-verify/faceid/core/photo/decode"
	"github.com/faceid-verify/faceid/core/photo/normalize"
)

// The local checks' bounds, taken from core so that they cannot drift.
var (
	maxPhoto   = photo.DefaultLimits().MaxBytes // larger photos are rewritten
	maxSide    = photo.DefaultLimits().MaxSide
	maxPixels  = photo.DefaultLimits().MaxPixels
	targetSide = normalize.DefaultOptions().TargetSide
)

// maxCarried keeps the event, the base64 text in a JSON body in a JSON
// event, under the platforms' 6 MB.
const maxCarried = 4_300_000

// worstCase is an admissible photo of one kind, sized so that what its
// decode and any rewrite reserve nearly fills the decode memory, and
// padded to the most bytes its path admits.
type worstCase struct {
	name    string
	rewrite bool // over maxPhoto: normalize rewrites it
	// make returns the photo scaled by f (1 the largest the estimate
	// admits; smaller if the function still refuses it).
	make func(budget int64, f float64) ([]byte, error)
}

var worstCases = []worstCase{
	{"png-16bit-rgba", false, pngCase(16, false, maxPhoto-50_000)},
	{"png-16bit-rgba-interlaced", false, pngCase(16, true, maxPhoto-50_000)},
	{"png-16bit-rgba-rewrite", true, pngCase(16, false, maxCarried)},
	{"jpeg-420", false, jpegCase(maxPhoto - 50_000)},
	{"jpeg-420-rewrite", true, jpegCase(maxCarried)},
	{"bmp-24bit", false, bmpCase(maxPhoto - 50_000)},
	{"jpeg-real-exif-rewrite", true, func(int64, float64) ([]byte, error) { return harness.Photo("testdata/photos/large-exif.jpg") }},
}

// rewriteExtra bounds what a rewrite allocates besides the decoded photo
// (normalize's rewriteBytes at quality 90, for the largest output).
func rewriteExtra(w, h int) int64 {
	tw, th := fit(w, h)
	px := int64(tw) * int64(th)
	return 6*px + 36*int64(tw+th) + 4*int64(w+h) + 3*int64(w) + 24*int64(tw) + 64<<10
}

func fit(w, h int) (int, int) {
	if m := max(w, h); m > targetSide {
		return max(w*targetSide/m, 1), max(h*targetSide/m, 1)
	}
	return w, h
}

// largest is the largest photo of the shape dims (a frame of k rows)
// within maxSide and maxPixels whose decode, by its header as mk makes it,
// and rewrite need at most budget; its sides are then scaled by f.
func largest(budget int64, rewrite bool, f float64, dims func(k int) (w, h int), mk func(w, h int) []byte) (w, h int, err error) {
	fits := func(k int) (bool, error) {
		w, h := dims(k)
		if max(w, h) > maxSide || int64(w)*int64(h) > int64(maxPixels) {
			return false, nil
		}
		est, err := decode.EstimateOf(mk(w, h))
		if err != nil {
			return false, err
		}
		if rewrite {
			est.Bytes += rewriteExtra(w, h)
		}
		return est.Bytes <= budget, nil
	}
	lo, hi := 32, maxSide
	for lo < hi {
		mid := (lo + hi + 1) / 2
		ok, err := fits(mid)
		if err != nil {
			return 0, 0, err
		}
		if ok {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	w, h = dims(lo)
	return int(float64(w) * f), int(float64(h) * f), nil
}

// padBytes are n with reproducible bytes where decoders skip them.
func padBytes(n int) []byte {
	r := rand.New(rand.NewPCG(uint64(n), 11))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// pngCase is a flat RGBA PNG of the given depth, padded by a private
// ancillary chunk after its data, which decoders read past.
func pngCase(depth byte, interlaced bool, size int) func(int64, float64) ([]byte, error) {
	return func(budget int64, f float64) ([]byte, error) {
		w, h, err := largest(budget, size > maxPhoto, f, func(k int) (int, int) { return k, k },
			func(w, h int) []byte { return pngHeader(w, h, depth, interlaced, nil) })
		if err != nil {
			return nil, err
		}
		b := flatPNG(w, h, depth, interlaced, 0)
		return flatPNG(w, h, depth, interlaced, size-len(b)-12), nil
	}
}

func flatPNG(w, h int, depth byte, interlaced bool, padding int) []byte {
	bits := 4 * int(depth)
	rows := func(w, h int) int {
		if w <= 0 || h <= 0 {
			return 0
		}
		return h * (1 + (bits*w+7)/8)
	}
	raw := rows(w, h)
	if interlaced {
		raw = 0
		for _, p := range [7][4]int{{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2}} {
			raw += rows((w-p[0]+p[2]-1)/p[2], (h-p[1]+p[3]-1)/p[3])
		}
	}
	var z bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	zeros := make([]byte, 1<<20)
	for n := raw; n > 0; n -= len(zeros) {
		zw.Write(zeros[:min(n, len(zeros))])
	}
	zw.Close()
	out := pngHeader(w, h, depth, interlaced, z.Bytes())
	if padding > 0 {
		out = append(out, pngChunk("pdDg", padBytes(padding))...)
	}
	return append(out, pngChunk("IEND", nil)...)
}

// pngHeader is an RGBA PNG's signature, header and one data chunk: all
// that decode.EstimateOf reads.
func pngHeader(w, h int, depth byte, interlaced bool, data []byte) []byte {
	il := byte(0)
	if interlaced {
		il = 1
	}
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	ihdr = append(ihdr, depth, 6, 0, 0, il)
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, pngChunk("IHDR", ihdr)...)
	return append(out, pngChunk("IDAT", data)...)
}

func pngChunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(append(c, typ...), data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// jpegCase is a flat 4:2:0 JPEG, image/jpeg's kind, padded after its end.
// Its sides are 8:5, so that 40 megapixels fit within 8000 a side.
func jpegCase(size int) func(int64, float64) ([]byte, error) {
	header := func(w, h int) []byte { // a frame header is all EstimateOf reads
		b := []byte{0xFF, 0xD8, 0xFF, 0xC0, 0, 17, 8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), 3,
			1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xFF, 0xDA, 0, 12, 3, 1, 0, 2, 0x11, 3, 0x11, 0, 63, 0}
		return b
	}
	return func(budget int64, f float64) ([]byte, error) {
		w, h, err := largest(budget, size > maxPhoto, f, func(k int) (int, int) { return k * 8 / 5, k }, header)
		if err != nil {
			return nil, err
		}
		m := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
		for i := range m.Y {
			m.Y[i] = 160
		}
		for i := range m.Cb {
			m.Cb[i], m.Cr[i] = 120, 140
		}
		var b bytes.Buffer
		if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 90}); err != nil {
			return nil, err
		}
		if b.Len() > size {
			return nil, fmt.Errorf("jpeg %dx%d is %d bytes, over %d", w, h, b.Len(), size)
		}
		return append(b.Bytes(), padBytes(size-b.Len())...), nil
	}
}

// bmpCase is the largest 24-bit BMP within size: a BMP is as large as its
// pixels, so the size limit binds before the decode memory.
func bmpCase(size int) func(int64, float64) ([]byte, error) {
	return func(_ int64, f float64) ([]byte, error) {
		s := int(math.Sqrt(float64(size-54)/3)*f) &^ 3 // rows of 3s bytes need no padding
		m := image.NewRGBA(image.Rect(0, 0, s, s))
		for i := range m.Pix {
			m.Pix[i] = byte(i%3*60 + 40)
			if i%4 == 3 {
				m.Pix[i] = 255
			}
		}
		var b bytes.Buffer
		err := bmp.Encode(&b, m)
		return b.Bytes(), err
	}
}
