package decode

import (
	"encoding/binary"

	"github.com/faceid-verify/faceid/core/photo"
)

// Estimate is what decoding a photo will cost, read from its header.
type Estimate struct {
	photo.Info
	// Bytes bounds what Go's decoder allocates for the photo: the image it
	// returns, its working copies and buffers (TestEstimateBoundsDecode
	// holds it to real decodes of every kind).
	Bytes int64
}

// Fixed costs besides the pixels, measured with a margin: the JPEG
// decoder's tables and buffer, the PNG decoder's inflater and palette,
// the BMP decoder's palette; each with the buffered reader in front.
const (
	jpegFixed = 64 << 10
	pngFixed  = 128 << 10
	bmpFixed  = 32 << 10
)

// EstimateOf reads the header of a photo from head: the whole photo, or
// its leading bytes as photo.ReadHead returns them (through a JPEG's first
// scan header, or at least 512 bytes). Whatever the bytes at hand leave
// open is assumed at its most expensive. Errors are photo.Sniff's.
func EstimateOf(head []byte) (Estimate, error) {
	info, err := photo.Sniff(head)
	if err != nil {
		return Estimate{Info: info}, err
	}
	e := Estimate{Info: info}
	w, h := int64(info.Width), int64(info.Height)
	switch info.Format {
	case photo.JPEG:
		e.Bytes = jpegFixed + jpegBytes(head, w, h)
	case photo.PNG:
		e.Bytes = pngFixed + pngBytes(head, w, h)
	case photo.BMP:
		e.Bytes = bmpFixed + bmpBytes(head, w, h)
	}
	return e, nil
}

// jpegBytes follows image/jpeg: the planes, allocated for whole MCUs; one
// more plane for the black of a 4-component image; for a progressive one,
// every coefficient of every block (a 64-entry int32 block per 8×8
// samples) until the last scan; and a 4-byte-a-pixel copy when a
// 4-component or RGB-coded image is converted at the end. The frame header
// is the first SOF0–2 (photo.Sniff refuses the other codings).
func jpegBytes(head []byte, w, h int64) int64 {
	var (
		sof      []byte
		sofM     byte
		adobeRGB bool // an Adobe APP14 segment saying "no transform": RGB
	)
	for m, seg := range photo.JPEGSegments(head) {
		switch {
		case sof == nil && (m == 0xC0 || m == 0xC1 || m == 0xC2):
			sof, sofM = seg, m
		case m == 0xEE && len(seg) >= 2+12 && string(seg[2:7]) == "Adobe" && seg[2+11] == 0:
			adobeRGB = true
		}
	}
	// length(2) precision(1) height(2) width(2) count(1), then per
	// component id(1), sampling H<<4|V (1), table(1). photo.Sniff checked
	// the length and the count (1, 3 or 4).
	if sof == nil || len(sof) < 8 || len(sof) < 8+3*int(sof[7]) {
		return 0 // not reached after photo.Sniff
	}
	n := int(sof[7])
	comps := sof[8 : 8+3*n]
	// The decoder refuses factors outside 1–4 before allocating; clamping
	// keeps the arithmetic meaningful for those too.
	factor := func(v byte) int64 { return min(max(int64(v), 1), 4) }
	hs, vs := make([]int64, n), make([]int64, n)
	for i := range n {
		hs[i], vs[i] = factor(comps[3*i+1]>>4), factor(comps[3*i+1]&15)
	}
	if n == 1 { // a grey image is never subsampled, whatever it says
		hs[0], vs[0] = 1, 1
	}
	mxx, myy := ceilDiv(w, 8*hs[0]), ceilDiv(h, 8*vs[0]) // MCUs
	pw, ph := 8*hs[0]*mxx, 8*vs[0]*myy                   // the planes' size
	total := pw * ph
	if n > 1 {
		// image.NewYCbCr: two chroma planes reduced by the ratio of the
		// first component's factors to the second's.
		hr, vr := max(hs[0]/hs[1], 1), max(vs[0]/vs[1], 1)
		total += 2 * ceilDiv(pw, hr) * ceilDiv(ph, vr)
	}
	if n == 4 {
		total += 8 * hs[3] * mxx * 8 * vs[3] * myy
	}
	if sofM == 0xC2 {
		for i := range n {
			total += mxx * myy * hs[i] * vs[i] * 64 * 4
		}
	}
	rgb := n == 3 && (adobeRGB || comps[0] == 'R' && comps[3] == 'G' && comps[6] == 'B')
	if n == 4 || rgb {
		total += 4 * w * h
	}
	return total
}

// pngBytes follows image/png: the image type it decodes into (one to eight
// bytes a pixel by colour type, depth and transparency) and two rows of
// raw data; an interlaced image adds one image per pass, each merged into
// the full one and dropped.
func pngBytes(head []byte, w, h int64) int64 {
	depth, ct, interlaced := int64(head[24]), head[25], head[28] == 1
	var bits, perPixel int64 // raw bits a pixel, bytes a pixel decoded
	switch ct {
	case 0: // grey: Gray or Gray16, or with tRNS NRGBA or NRGBA64
		bits, perPixel = depth, max(depth/8, 1)
		if pngTransparent(head) {
			perPixel = 4 * perPixel
		}
	case 2: // RGB: RGBA or RGBA64 (NRGBA, NRGBA64 with tRNS)
		bits, perPixel = 3*depth, depth/2
	case 3: // palette: Paletted
		bits, perPixel = depth, 1
	case 4: // grey and alpha: NRGBA or NRGBA64
		bits, perPixel = 2*depth, depth/2
	case 6: // RGBA: NRGBA or NRGBA64
		bits, perPixel = 4*depth, depth/2
	}
	rows := func(w int64) int64 { return 2 * (1 + ceilDiv(bits*w, 8)) }
	total := w*h*perPixel + rows(w)
	if !interlaced {
		return total
	}
	for _, p := range adam7 {
		pw, ph := ceilDiv(w-p.x, p.dx), ceilDiv(h-p.y, p.dy)
		if pw > 0 && ph > 0 {
			total += pw*ph*perPixel + rows(pw)
		}
	}
	return total
}

// adam7 is the PNG interlacing: each pass's first column and row, and
// its steps.
var adam7 = [7]struct{ x, y, dx, dy int64 }{
	{0, 0, 8, 8}, {4, 0, 8, 8}, {0, 4, 4, 8}, {2, 0, 4, 4}, {0, 2, 2, 4}, {1, 0, 2, 2}, {0, 1, 1, 2},
}

// pngTransparent reports whether a tRNS chunk comes before the first IDAT
// in head, or whether head ends before either: image/png reads tRNS only
// there, and it turns a grey image into an NRGBA one, four times larger.
// Chunks are walked by their lengths; CRCs are the decoder's business.
func pngTransparent(head []byte) bool {
	for i := 8; ; {
		if len(head)-i < 8 {
			return true // the header ends first: assume the worst
		}
		n := int64(binary.BigEndian.Uint32(head[i:]))
		switch string(head[i+4 : i+8]) {
		case "tRNS":
			return true
		case "IDAT":
			return false
		}
		next := int64(i) + 12 + n
		if next > int64(len(head)) {
			return true
		}
		i = int(next)
	}
}

// bmpBytes follows x/image/bmp: a Paletted image for up to 8 bits a pixel,
// else RGBA or NRGBA; one row of file data. Only the header sizes it
// decodes (40, 108, 124 bytes) are read; others it refuses unallocated.
func bmpBytes(head []byte, w, h int64) int64 {
	bpp := int64(32)
	if len(head) >= 30 {
		bpp = int64(binary.LittleEndian.Uint16(head[28:]))
	}
	perPixel := int64(4)
	if bpp <= 8 {
		perPixel = 1
	}
	return w*h*perPixel + 4*w + 4
}

func ceilDiv(a, b int64) int64 {
	if a <= 0 {
		return 0
	}
	return (a + b - 1) / b
}
