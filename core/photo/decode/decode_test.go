package decode

import (
	"bytes"
	"context"
	"errors"
	"image/jpeg"
	"runtime"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/core/invalid"
	"github.com/faceid-verify/faceid/core/photo"
	"github.com/faceid-verify/faceid/internal/photofixture"
)

// damagedCases are photos whose header passes photo.Check while the rest
// is missing or wrong: what was paid for before this package existed.
func damagedCases(tb testing.TB) map[string]struct {
	img    []byte
	reason string
} {
	small := photofixture.ReadFile(tb, photofixture.Photos, "small-320x240.jpg")
	portrait := photofixture.ReadFile(tb, photofixture.Photos, "portrait-exif.jpg")
	pngPhoto := photofixture.ReadFile(tb, photofixture.Photos, "portrait-rgba.png")
	goJPEG := photofixture.JPEG(tb, noise(400, 300, false, 7), 90) // a header of 600 bytes, as most encoders write
	bmpPhoto := encodeBMP(tb, noise(200, 150, false, 8))
	sos := func(b []byte) int { return bytes.Index(b, []byte{0xFF, 0xDA}) }
	zeroed := func(b []byte, from int) []byte {
		out := append([]byte{}, b...)
		clear(out[from:])
		return out
	}
	return map[string]struct {
		img    []byte
		reason string
	}{
		"jpeg cut after its header":      {small[:sos(small)+14], reasonTruncated},
		"jpeg cut mid-scan":              {small[:len(small)/2], reasonTruncated},
		"jpeg without its last bytes":    {portrait[:len(portrait)-2], reasonTruncated},
		"jpeg header then zeros":         {zeroed(small, sos(small)+14), reasonTruncated},
		"jpeg half zeros":                {zeroed(portrait, len(portrait)/2), reasonTruncated},
		"jpeg first 2 KB":                {goJPEG[:2048], reasonTruncated},
		"jpeg scan ended by EOI":         {append(append([]byte{}, small[:len(small)/2]...), 0xFF, 0xD9), reasonCorrupt},
		"png first 2 KB":                 {pngPhoto[:2048], reasonTruncated},
		"png cut":                        {pngPhoto[:len(pngPhoto)-100], reasonTruncated},
		"png without IEND":               {pngPhoto[:len(pngPhoto)-12], reasonTruncated},
		"png header then zeros":          {zeroed(pngPhoto, 33), reasonCorrupt},
		"png data zeroed":                {zeroed(pngPhoto, len(pngPhoto)/2), reasonCorrupt},
		"png byte flipped":               {flip(pngPhoto, len(pngPhoto)/2), reasonCorrupt},
		"bmp cut":                        {bmpPhoto[:len(bmpPhoto)-1], reasonTruncated},
		"bmp header only":                {bmpPhoto[:54], reasonTruncated},
		"jpeg with Adobe after the scan": {insertBeforeEOI(small, adobe(0)), reasonCorrupt},
	}
}

func flip(b []byte, i int) []byte {
	out := append([]byte{}, b...)
	out[i] ^= 0x55
	return out
}

// goodCases pass: real photos, every format, and bytes after the image's
// end, which every decoder ignores.
func goodCases(tb testing.TB) map[string][]byte {
	small := photofixture.ReadFile(tb, photofixture.Photos, "small-320x240.jpg")
	padded := append(append([]byte{}, small...), bytes.Repeat([]byte{0xFF, 0xEE, 0, 4, 0xFF, 0xDA}, 1000)...)
	return map[string][]byte{
		"small jpeg":                small,
		"portrait jpeg":             photofixture.ReadFile(tb, photofixture.Photos, "portrait-exif.jpg"),
		"large jpeg":                photofixture.ReadFile(tb, photofixture.Photos, "large-exif.jpg"),
		"png":                       photofixture.ReadFile(tb, photofixture.Photos, "portrait-rgba.png"),
		"progressive":               photofixture.ReadFile(tb, photofixture.PhotoData, "progressive.jpeg"),
		"cmyk":                      photofixture.ReadFile(tb, photofixture.PhotoData, "cmyk.jpeg"),
		"bmp":                       encodeBMP(tb, noise(200, 150, false, 8)),
		"jpeg with bytes after EOI": padded,
		"jpeg with Adobe first":     photofixture.AfterSOI(small, adobe(0)),
		"interlaced png":            rawPNG(tb, 300, 200, 8, 6, true),
	}
}

func TestCheck(t *testing.T) {
	ctx := context.Background()
	for name, img := range goodCases(t) {
		if err := Check(ctx, img, nil); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, tc := range damagedCases(t) {
		t.Run(name, func(t *testing.T) {
			if _, err := photo.Check(tc.img, photo.Limits{}); err != nil {
				t.Fatalf("the header checks refuse it already: %v", err)
			}
			err := Check(ctx, tc.img, nil)
			var ie *invalid.Error
			if !errors.As(err, &ie) || ie.Field != "image" || ie.Reason != tc.reason || ie.English == "" {
				t.Fatalf("Check = %v (%T), want image/%s", err, err, tc.reason)
			}
			t.Logf("%s | %s", ie.Error(), ie.English)
		})
	}
}

// TestCheckBase64 decodes canonical text as it goes and agrees with Check
// on every good and damaged photo.
func TestCheckBase64(t *testing.T) {
	ctx := context.Background()
	all := goodCases(t)
	for name, tc := range damagedCases(t) {
		all[name] = tc.img
	}
	for name, img := range all {
		text := b64(img)
		h, ok := photo.ReadHead(nil, text)
		if !ok {
			t.Fatalf("%s: not canonical", name)
		}
		want, got := Check(ctx, img, nil), CheckBase64(ctx, h.Bytes, text, nil)
		if reasonOf(got) != reasonOf(want) || (got == nil) != (want == nil) {
			t.Errorf("%s: CheckBase64 = %v, Check = %v", name, got, want)
		}
	}
}

// TestCheckMessages words the errors in the spec's style.
func TestCheckMessages(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{errTruncated(photo.JPEG), "入参错误,图片[image]文件不完整(JPEG),图像数据被截断"},
		{errCorrupt(photo.PNG, errors.New("x")), "入参错误,图片[image]文件损坏(PNG),图像数据无法解码"},
		{errPixels(8000, 6000, 40_000_000), "入参错误,图片[image]尺寸过大(8000x6000),总像素不能超过4000万"},
		{errPixels(300, 300, 65536), "入参错误,图片[image]尺寸过大(300x300),总像素不能超过65536"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

// TestCheckOverBudget: a photo needing more than the whole budget is
// refused from its header, before anything is allocated, with the number
// of pixels its kind could have had.
func TestCheckOverBudget(t *testing.T) {
	const s420, s444 = 0x22, 0x11
	b := NewBudget(120_000_000+jpegFixed, 0)
	for _, tc := range []struct {
		name    string
		img     []byte
		refused string // the bound the refusal states, or "" for none
	}{
		{"progressive 4:2:0, 24 MP", frameOnly(0xC2, 6000, 4000, s420, s444, s444), "1600万"},
		{"progressive 4:2:0, 12 MP", frameOnly(0xC2, 4000, 3000, s420, s444, s444), ""},
		{"progressive grey, 40 MP", frameOnly(0xC2, 8000, 5000, s444), "2400万"},
		{"baseline 4:2:0, 40 MP", frameOnly(0xC0, 8000, 5000, s420, s444, s444), ""},
		{"baseline 4:4:4, 40 MP", frameOnly(0xC0, 8000, 5000, s444, s444, s444), ""},
		{"png 16-bit RGBA, 6300²", rawHeaderPNG(6300, 6300, 16, 6, 0), "1499万"},          // 8 bytes a pixel,
		{"png 8-bit RGBA interlaced, 6300²", rawHeaderPNG(6300, 6300, 8, 6, 1), "1499万"}, // 4, and 4 for the passes,
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			err := Check(context.Background(), tc.img, b)
			runtime.ReadMemStats(&after)
			var ie *invalid.Error
			if !errors.As(err, &ie) {
				t.Fatalf("Check = %v, want an *invalid.Error", err)
			}
			switch {
			case tc.refused != "" && (ie.Reason != reasonDimensions || !strings.Contains(ie.Detail, tc.refused)):
				t.Errorf("Check = %v (%s), want the pixel bound %s", ie, ie.Reason, tc.refused)
			case tc.refused != "" && after.TotalAlloc-before.TotalAlloc > 1<<20:
				t.Errorf("refused after allocating %d bytes", after.TotalAlloc-before.TotalAlloc)
			case tc.refused == "" && ie.Reason == reasonDimensions:
				t.Errorf("Check = %v; want it decoded, and found damaged", ie)
			}
		})
	}
}

// rawHeaderPNG is a PNG signature and IHDR only: all a bomb needs to claim
// its size.
func rawHeaderPNG(w, h int, depth, ct, interlace byte) []byte {
	ihdr := []byte{byte(w >> 24), byte(w >> 16), byte(w >> 8), byte(w), byte(h >> 24), byte(h >> 16), byte(h >> 8), byte(h), depth, ct, 0, 0, interlace}
	return append([]byte("\x89PNG\r\n\x1a\n"), chunk("IHDR", ihdr)...)
}

// TestImage: a rewrite's decode gives the pixels, refuses damage as Check
// does, and a variant the decoders cannot read as unsupported.
func TestImage(t *testing.T) {
	ctx := context.Background()
	small := photofixture.ReadFile(t, photofixture.Photos, "small-320x240.jpg")
	m, release, err := Image(ctx, small, 0, 40_000_000, nil)
	if err != nil || m.Bounds().Dx() != 320 {
		t.Fatalf("Image = %v, %v", m, err)
	}
	release()
	if _, _, err := Image(ctx, small, 0, 320*240-1, nil); reasonOf(err) != reasonDimensions {
		t.Errorf("over maxPixels: %v", err)
	}
	for name, tc := range damagedCases(t) {
		if _, _, err := Image(ctx, tc.img, 0, 40_000_000, nil); reasonOf(err) != tc.reason {
			t.Errorf("%s: Image = %v, want %s", name, err, tc.reason)
		}
	}
	cmyk := photofixture.ReadFile(t, photofixture.PhotoData, "cmyk.jpeg")
	at := bytes.Index(cmyk, []byte{0xFF, 0xEE})
	noAdobe := append(append([]byte{}, cmyk[:at]...), cmyk[at+2+int(cmyk[at+2])<<8|int(cmyk[at+3]):]...)
	if _, _, err := Image(ctx, noAdobe, 0, 40_000_000, nil); reasonOf(err) != reasonUnsupported {
		t.Errorf("CMYK without Adobe: Image = %v, want unsupported", err)
	}
	// Check lets it through: every byte decoded, only the colours unknown.
	if err := Check(ctx, noAdobe, nil); err != nil {
		t.Errorf("CMYK without Adobe: Check = %v", err)
	}
}

// TestLateAdobeWouldOverspend shows what the guard prevents: without it,
// an Adobe segment after the scan makes image/jpeg convert to RGBA, four
// bytes a pixel more than the header announced.
func TestLateAdobeWouldOverspend(t *testing.T) {
	img := insertBeforeEOI(photofixture.JPEG(t, noise(640, 480, false, 9), 90), adobe(0))
	est, err := EstimateOf(img)
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err = jpeg.Decode(bytes.NewReader(img))
	runtime.ReadMemStats(&after)
	if got := int64(after.TotalAlloc - before.TotalAlloc); err != nil || got < est.Bytes+4*640*480*9/10 {
		t.Fatalf("unguarded decode allocated %d bytes (%v), estimate %d", got, err, est.Bytes)
	}
	if _, err := decodeFrom(bytes.NewReader(img), photo.JPEG); !errors.Is(err, errLateAdobe) {
		t.Fatalf("guarded decode: %v", err)
	}
}
