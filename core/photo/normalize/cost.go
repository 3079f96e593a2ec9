package normalize

import "github.com/faceid-verify/faceid/core/photo"

// Decoding memory. MaxPixels bounds what the decoder allocates too: at
// most what a baseline JPEG with full-resolution colour (3 bytes a pixel)
// takes at MaxPixels, 120 MB at the default. A progressive JPEG's decoder
// also keeps every coefficient of every block, 4 bytes a sample, until the
// last scan, so one of those gets fewer pixels: 16 million at the default
// for the usual 4:2:0 sampling, where 40 million would take 300 MB.
const budgetPerPixel = 3

// jpegDecodeBytes estimates what Go's decoder allocates for the JPEG img
// of w×h pixels: one byte a sample, and four more for a progressive one.
// ok is false if img has no frame header to read, and the caller then
// keeps to the pixel bound alone.
func jpegDecodeBytes(img []byte, w, h int) (n int64, ok bool) {
	for m, seg := range photo.JPEGSegments(img) {
		if m != 0xC0 && m != 0xC1 && m != 0xC2 {
			continue
		}
		// length(2) precision(1) height(2) width(2) count(1), then per
		// component: id(1), sampling H<<4|V (1), table(1).
		if len(seg) < 8 || len(seg) < 8+3*int(seg[7]) || seg[7] == 0 {
			return 0, false
		}
		comps := seg[8 : 8+3*int(seg[7])]
		hmax, vmax := 1, 1
		for c := 0; c < len(comps); c += 3 {
			hmax, vmax = max(hmax, int(comps[c+1]>>4)), max(vmax, int(comps[c+1]&15))
		}
		perSample := int64(1)
		if m == 0xC2 {
			perSample += 4
		}
		for c := 0; c < len(comps); c += 3 {
			hs, vs := int64(comps[c+1]>>4), int64(comps[c+1]&15)
			n += int64(w) * hs / int64(hmax) * (int64(h) * vs / int64(vmax)) * perSample
		}
		return n, true
	}
	return 0, false
}
