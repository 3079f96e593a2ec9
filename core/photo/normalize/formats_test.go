package normalize

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/png"
	"runtime"
	"testing"

	"github.com/faceid-verify/faceid/core/photo"
	"github.com/faceid-verify/faceid/internal/photofixture"
	"golang.org/x/image/bmp"
)

// TestNormalizeCMYK compares the normalised CMYK JPEG with the RGB
// rendering reference decoders make of it (testdata/README.md): output left
// in CMYK, or with the Adobe inversion wrong, would be far off. (The file's
// colours are darker than the RGB original of the same frame: it was
// converted to CMYK with a profile it does not carry.)
func TestNormalizeCMYK(t *testing.T) {
	out, info, changed, err := Normalize(context.Background(), photofixture.ReadFile(t, photofixture.PhotoData, "cmyk.jpeg"), Options{Enabled: true, MaxSide: 100})
	if err != nil || !changed || info != (photo.Info{Format: photo.JPEG, Width: 100, Height: 69}) {
		t.Fatalf("%+v, changed=%v, err=%v", info, changed, err)
	}
	got := mustDecode(t, out)
	ref, err := png.Decode(bytes.NewReader(photofixture.ReadFile(t, "core/photo/normalize/testdata", "cmyk-reference.png")))
	if err != nil {
		t.Fatal(err)
	}
	want := resample(ref, 100, 69, 1)
	for y := 0; y+17 <= 69; y += 17 {
		for x := 0; x+20 <= 100; x += 20 {
			r := image.Rect(x, y, x+20, y+17)
			if g, w := average(got, r), average(want, r); !near(g, w, 8) {
				t.Errorf("%v: %.0f, want %.0f", r, g, w)
			}
		}
	}
}

// TestNormalizeProgressive turns a progressive JPEG upright.
func TestNormalizeProgressive(t *testing.T) {
	in := photofixture.AfterSOI(photofixture.ReadFile(t, photofixture.PhotoData, "progressive.jpeg"), exifSegment(exifTIFFFor(binary.LittleEndian, 8)))
	out, info, changed, err := Normalize(context.Background(), in, DefaultOptions())
	if err != nil || !changed || info != (photo.Info{Format: photo.JPEG, Width: 103, Height: 150}) {
		t.Fatalf("%+v, changed=%v, err=%v", info, changed, err)
	}
	src, got := mustDecode(t, in), mustDecode(t, out)
	// orientation 8: the stored top-left corner is now bottom-left.
	if g, w := average(got, image.Rect(0, 130, 20, 150)), average(src, image.Rect(0, 0, 20, 20)); !near(g, w, 8) {
		t.Errorf("bottom-left corner %.0f, want %.0f", g, w)
	}
}

func TestNormalizeBMP(t *testing.T) {
	var buf bytes.Buffer
	if err := bmp.Encode(&buf, quadrants(300, 200)); err != nil {
		t.Fatal(err)
	}
	in := buf.Bytes()
	out, info, changed, err := Normalize(context.Background(), in, DefaultOptions())
	if err != nil || changed || &out[0] != &in[0] || info.Format != photo.BMP {
		t.Fatalf("small BMP: %+v, changed=%v, err=%v", info, changed, err)
	}
	for _, opt := range []Options{
		{Enabled: true, MaxSide: 150},          // too wide: reduced
		{Enabled: true, MaxBytes: len(in) - 1}, // too heavy: JPEG alone is enough
	} {
		out, info, changed, err := Normalize(context.Background(), in, opt)
		if err != nil || !changed || info.Format != photo.JPEG || info.Width != min(300, opt.withDefaults().MaxSide) {
			t.Fatalf("%+v: %+v, changed=%v, err=%v", opt, info, changed, err)
		}
		if a := average(mustDecode(t, out), image.Rect(5, 5, info.Width/2-5, info.Height/2-5)); !near(a, [3]float64{220, 20, 20}, 12) {
			t.Errorf("red quadrant is %.0f", a)
		}
	}
}

// TestNormalizeTruncated cuts photos that must be decoded: once the header
// is intact (Sniff accepts it), the damage is found only by decoding, and
// must be an error, never a panic or half a photo. Go's decoders, unlike
// libjpeg, refuse a JPEG without its final EOI marker.
func TestNormalizeTruncated(t *testing.T) {
	rotated := photofixture.AfterSOI(photofixture.JPEG(t, quadrants(64, 32), 95), exifSegment(exifTIFFFor(binary.BigEndian, 6)))
	var pngBuf, bmpBuf bytes.Buffer
	_ = png.Encode(&pngBuf, quadrants(64, 32))
	_ = bmp.Encode(&bmpBuf, quadrants(64, 32))
	for _, tc := range []struct {
		name string
		b    []byte
		opt  Options
	}{
		{"rotated jpeg", rotated, DefaultOptions()},
		{"progressive", photofixture.ReadFile(t, photofixture.PhotoData, "progressive.jpeg"), Options{Enabled: true, MaxSide: 64}},
		{"portrait-exif", photofixture.ReadFile(t, photofixture.Photos, "portrait-exif.jpg"), Options{Enabled: true, MaxSide: 64}},
		{"png", pngBuf.Bytes(), Options{Enabled: true, MaxSide: 32}},
		{"bmp", bmpBuf.Bytes(), Options{Enabled: true, MaxSide: 32}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Every cut in the last 16 bytes, where decoders could be
			// lenient, and 50 spread over the rest.
			var cuts []int
			for n := len(tc.b) - 1; n > 0 && n >= len(tc.b)-16; n-- {
				cuts = append(cuts, n)
			}
			for i := 1; i < 50; i++ {
				cuts = append(cuts, len(tc.b)*i/50)
			}
			for _, n := range cuts {
				if _, err := photo.Sniff(tc.b[:n]); err != nil {
					continue // refused from the header, as by photo.Check
				}
				out, _, _, err := Normalize(context.Background(), tc.b[:n], tc.opt)
				wantDamage(t, err)
				if out != nil {
					t.Fatalf("cut at %d: output with the error", n)
				}
			}
		})
	}
}

// TestNormalizeBombs: headers claiming huge images are refused before the
// decoder allocates for them, whatever the caller checked before.
func TestNormalizeBombs(t *testing.T) {
	small := quadrants(64, 32)
	jpg := photofixture.JPEG(t, small, 95)
	sof := bytes.Index(jpg, []byte{0xFF, 0xC0})
	binary.BigEndian.PutUint16(jpg[sof+5:], 60000) // height
	binary.BigEndian.PutUint16(jpg[sof+7:], 60000) // width

	var pngBuf, bmpBuf bytes.Buffer
	_ = png.Encode(&pngBuf, small)
	pngBomb := pngBuf.Bytes()
	binary.BigEndian.PutUint32(pngBomb[16:], 100_000)
	binary.BigEndian.PutUint32(pngBomb[20:], 100_000)
	binary.BigEndian.PutUint32(pngBomb[29:], crc32.ChecksumIEEE(pngBomb[12:29]))
	_ = bmp.Encode(&bmpBuf, small)
	bmpBomb := bmpBuf.Bytes()
	binary.LittleEndian.PutUint32(bmpBomb[18:], 50_000)
	binary.LittleEndian.PutUint32(bmpBomb[22:], 50_000)

	for _, tc := range []struct {
		name string
		b    []byte
		opt  Options
	}{
		{"jpeg 60000²", jpg, DefaultOptions()},
		{"png 100000²", pngBomb, DefaultOptions()},
		{"bmp 50000²", bmpBomb, DefaultOptions()},
		{"real photo, tight bound", photofixture.ReadFile(t, photofixture.Photos, "portrait-exif.jpg"), Options{Enabled: true, MaxSide: 500, MaxPixels: 1_000_000}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			_, _, _, err := Normalize(context.Background(), tc.b, tc.opt)
			runtime.ReadMemStats(&after)
			wantReason(t, err, "dimensions")
			if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
				t.Errorf("allocated %d bytes", n)
			}
		})
	}
}

func TestNormalizeOptions(t *testing.T) {
	rotated := photofixture.AfterSOI(photofixture.JPEG(t, quadrants(64, 32), 95), exifSegment(exifTIFFFor(binary.LittleEndian, 6)))
	large := photofixture.ReadFile(t, photofixture.Photos, "large-exif.jpg")
	for _, tc := range []struct {
		name    string
		b       []byte
		opt     Options
		changed bool
		w, h    int
	}{
		{"disabled", large, Options{MaxBytes: 1000}, false, 1449, 2173},
		{"orientation off", rotated, Options{Enabled: true}, false, 64, 32},
		// Re-encoding drops EXIF, so the rotation is applied anyway.
		{"orientation off, too wide", rotated, Options{Enabled: true, MaxSide: 32}, true, 16, 32},
		{"quality above 100", rotated, Options{Enabled: true, ApplyOrientation: true, Quality: 1000}, true, 32, 64},
		{"side above jpeg limit", rotated, Options{Enabled: true, ApplyOrientation: true, MaxSide: 1 << 20}, true, 32, 64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, info, changed, err := Normalize(context.Background(), tc.b, tc.opt)
			if err != nil || changed != tc.changed || info.Width != tc.w || info.Height != tc.h {
				t.Fatalf("%+v, changed=%v, err=%v", info, changed, err)
			}
			if !changed && &out[0] != &tc.b[0] {
				t.Fatal("unchanged photo copied")
			}
		})
	}
}

// TestNormalizeUndecodable: files whose header is fine but whose coding
// Go's decoders do not support are refused as unsupported, not corrupt.
func TestNormalizeUndecodable(t *testing.T) {
	// A 4-component JPEG without the Adobe segment that says what the
	// components are.
	cmyk := photofixture.ReadFile(t, photofixture.PhotoData, "cmyk.jpeg")
	adobe := bytes.Index(cmyk, []byte{0xFF, 0xEE})
	noAdobe := append(append([]byte{}, cmyk[:adobe]...), cmyk[adobe+2+int(binary.BigEndian.Uint16(cmyk[adobe+2:])):]...)
	// A 16-bit BMP, which photo.Sniff accepts and x/image/bmp cannot read.
	var bmpBuf bytes.Buffer
	_ = bmp.Encode(&bmpBuf, quadrants(64, 32))
	bmp16 := bmpBuf.Bytes()
	binary.LittleEndian.PutUint16(bmp16[28:], 16)
	for name, b := range map[string][]byte{"jpeg without adobe": noAdobe, "bmp 16-bit": bmp16} {
		if _, err := photo.Sniff(b); err != nil {
			t.Fatalf("%s: Sniff: %v", name, err)
		}
		_, _, _, err := Normalize(context.Background(), b, Options{Enabled: true, MaxSide: 16})
		wantReason(t, err, "unsupported_format")
	}
}

func TestErrorMessages(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want string
	}{
		{errTooLarge(3 << 20), "入参错误,图片[image]图片压缩后仍超过3MB"},
		{errTooLarge(500 << 10), "入参错误,图片[image]图片压缩后仍超过500KB"},
		{errTooLarge(1000), "入参错误,图片[image]图片压缩后仍超过1000B"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

// TestNormalizeSniffErrors: what photo.Sniff refuses is refused here, with
// its error, enabled or not.
func TestNormalizeSniffErrors(t *testing.T) {
	webp := photofixture.ReadFile(t, photofixture.Photos, "portrait.webp")
	for _, opt := range []Options{DefaultOptions(), {}} {
		for b, reason := range map[*[]byte]string{&webp: "unsupported_format", new([]byte): "missing"} {
			out, _, changed, err := Normalize(context.Background(), *b, opt)
			wantReason(t, err, reason)
			if out != nil || changed {
				t.Fatal("output with an error")
			}
		}
	}
}
