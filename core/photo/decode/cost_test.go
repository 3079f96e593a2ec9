package decode

import (
	"bytes"
	"image"
	"runtime"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/core/photo"
	"github.com/faceid-verify/faceid/internal/photofixture"
)

// estimateCases is one photo of every kind the decoders allocate
// differently for.
func estimateCases(tb testing.TB) map[string][]byte {
	const w, h = 640, 480
	jpg := photofixture.JPEG(tb, noise(w, h, false, 1), 90) // Go writes 4:2:0
	return map[string][]byte{
		"jpeg 4:2:0":                   jpg,
		"jpeg grey":                    photofixture.JPEG(tb, gray(w, h), 90),
		"jpeg odd size":                photofixture.JPEG(tb, noise(w+13, h+5, false, 2), 90),
		"jpeg RGB by component ids":    rgbIDs(tb, jpg),
		"jpeg RGB by Adobe":            photofixture.AfterSOI(jpg, adobe(0)),
		"jpeg YCbCr by Adobe":          photofixture.AfterSOI(jpg, adobe(1)),
		"jpeg progressive":             photofixture.ReadFile(tb, photofixture.PhotoData, "progressive.jpeg"),
		"jpeg CMYK":                    photofixture.ReadFile(tb, photofixture.PhotoData, "cmyk.jpeg"),
		"jpeg 4:4:4 photo":             photofixture.ReadFile(tb, photofixture.Photos, "large-2mb.jpg"),
		"jpeg phone photo":             photofixture.ReadFile(tb, photofixture.Photos, "portrait-exif.jpg"),
		"png rgba":                     photofixture.ReadFile(tb, photofixture.Photos, "portrait-rgba.png"),
		"png rgb":                      encodePNG(tb, noise(w, h, false, 3)),
		"png rgba 8":                   encodePNG(tb, noise(w, h, true, 4)),
		"png rgb 16":                   encodePNG(tb, rgba64(w, h, false)),
		"png rgba 16":                  encodePNG(tb, rgba64(w, h, true)),
		"png grey 8":                   encodePNG(tb, gray(w, h)),
		"png grey 16":                  encodePNG(tb, gray16(w, h)),
		"png palette 1-bit":            encodePNG(tb, paletted(w, h, 2)),
		"png palette 4-bit":            encodePNG(tb, paletted(w, h, 16)),
		"png palette 8-bit":            encodePNG(tb, paletted(w, h, 200)),
		"png grey+alpha 8":             rawPNG(tb, w, h, 8, 4, false),
		"png grey+alpha 16":            rawPNG(tb, w, h, 16, 4, false),
		"png grey 2-bit":               rawPNG(tb, w, h, 2, 0, false),
		"png grey 8 tRNS":              rawPNG(tb, w, h, 8, 0, false, chunk("tRNS", []byte{0, 0})),
		"png grey 16 tRNS":             rawPNG(tb, w, h, 16, 0, false, chunk("tRNS", []byte{0, 0})),
		"png rgb 8 tRNS":               rawPNG(tb, w, h, 8, 2, false, chunk("tRNS", make([]byte, 6))),
		"png interlaced rgba 8":        rawPNG(tb, w, h, 8, 6, true),
		"png interlaced rgba 16":       rawPNG(tb, w, h, 16, 6, true),
		"png interlaced grey 1, odd":   rawPNG(tb, w+3, h+1, 1, 0, true),
		"png interlaced palette 8":     rawPNG(tb, w, h, 8, 3, true, palette(256)),
		"png interlaced grey 16 tRNS":  rawPNG(tb, w, h, 16, 0, true, chunk("tRNS", []byte{0, 0})),
		"png tRNS after a large chunk": rawPNG(tb, w, h, 8, 0, false, chunk("tEXt", bytes.Repeat([]byte("x"), 4096)), chunk("tRNS", []byte{0, 0})),
		"bmp 24-bit":                   encodeBMP(tb, noise(w, h, false, 5)),
		"bmp 32-bit":                   encodeBMP(tb, noise(w, h, true, 6)),
		"bmp 8-bit":                    encodeBMP(tb, gray(w, h)),
	}
}

// TestEstimateBoundsDecode decodes one photo of every kind and compares
// what the decoder allocated with the estimate from its header alone: at
// least as much, and not more than 5 % plus the fixed allowance beyond.
func TestEstimateBoundsDecode(t *testing.T) {
	for name, img := range estimateCases(t) {
		t.Run(name, func(t *testing.T) {
			est, err := EstimateOf(img)
			if err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			m, err := decodeFrom(bytes.NewReader(img), est.Format)
			runtime.ReadMemStats(&after)
			if err != nil {
				t.Fatal(err)
			}
			if m.Bounds() != image.Rect(0, 0, est.Width, est.Height) {
				t.Fatalf("decoded %v, header says %dx%d", m.Bounds(), est.Width, est.Height)
			}
			got := int64(after.TotalAlloc - before.TotalAlloc)
			fixed := map[photo.Format]int64{photo.JPEG: jpegFixed, photo.PNG: pngFixed, photo.BMP: bmpFixed}[est.Format]
			t.Logf("%T %dx%d: allocated %d, estimated %d", m, est.Width, est.Height, got, est.Bytes)
			if got > est.Bytes {
				t.Errorf("allocated %d bytes, more than the estimate %d", got, est.Bytes)
			}
			if est.Bytes > got+got/20+fixed {
				t.Errorf("estimated %d bytes, far more than the %d allocated", est.Bytes, got)
			}
		})
	}
}

// TestEstimateFromHead: the leading bytes photo.ReadHead keeps give the
// estimate the whole photo gives, except where they end before a PNG's
// tRNS could be ruled out: then the grey image is assumed to have one.
func TestEstimateFromHead(t *testing.T) {
	for name, img := range estimateCases(t) {
		whole, err := EstimateOf(img)
		if err != nil {
			t.Fatal(err)
		}
		h, ok := photo.ReadHead(nil, b64(img))
		if !ok {
			t.Fatalf("%s: not canonical", name)
		}
		head, err := EstimateOf(h.Bytes)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if head != whole && !(strings.HasPrefix(name, "png grey") && head.Bytes > whole.Bytes) {
			t.Errorf("%s: head %+v, whole %+v", name, head, whole)
		}
	}
	// A grey PNG whose IDAT is within the head is known to be opaque.
	grey := encodePNG(t, gray(640, 480))
	h, _ := photo.ReadHead(nil, b64(grey))
	if e, _ := EstimateOf(h.Bytes); e.Bytes > 640*480+pngFixed+4096 {
		t.Errorf("grey PNG estimated at %d bytes from its head", e.Bytes)
	}
}

// TestEstimateFrameOnly: the JPEG figures from a frame header alone, for
// sizes too large to decode in a test; progressive coding costs four more
// bytes a sample.
func TestEstimateFrameOnly(t *testing.T) {
	const s420, s444 = 0x22, 0x11
	for _, tc := range []struct {
		name string
		img  []byte
		want int64
	}{
		{"baseline 4:2:0, 40 MP", frameOnly(0xC0, 8000, 5000, s420, s444, s444), 60_096_000}, // 16-row MCUs: 5008 rows,
		{"baseline 4:4:4, 40 MP", frameOnly(0xC0, 8000, 5000, s444, s444, s444), 120_000_000},
		{"extended grey, 40 MP", frameOnly(0xC1, 8000, 5000, s444), 40_000_000},
		{"progressive 4:2:0, 24 MP", frameOnly(0xC2, 6000, 4000, s420, s444, s444), 180_000_000},
		{"progressive grey, 40 MP", frameOnly(0xC2, 8000, 5000, s444), 200_000_000},
	} {
		e, err := EstimateOf(tc.img)
		if err != nil || e.Bytes != tc.want+jpegFixed {
			t.Errorf("%s: %d bytes, %v; want %d", tc.name, e.Bytes-jpegFixed, err, tc.want)
		}
	}
}

// frameOnly is a JPEG of a frame header and an empty scan header: enough
// for Estimate, and refused by the decoder itself.
func frameOnly(sof byte, w, h int, sampling ...byte) []byte {
	b := []byte{0xFF, 0xD8, 0xFF, sof, 0, byte(8 + 3*len(sampling)), 8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), byte(len(sampling))}
	for i, s := range sampling {
		b = append(b, byte(i+1), s, 0)
	}
	return append(b, 0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0, 0xFF, 0xD9)
}
