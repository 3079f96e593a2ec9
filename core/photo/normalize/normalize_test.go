package normalize

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"runtime"
	"testing"

	"github.com/faceid-verify/faceid/core/photo"
	"github.com/faceid-verify/faceid/internal/photofixture"
)

// TestNormalizeOrientations stores one upright picture in each of the eight
// orientations, with EXIF in both byte orders, and checks that the output
// shows the picture the orientation describes: dimensions and where the red
// and blue quadrants end up, written out by hand rather than computed.
func TestNormalizeOrientations(t *testing.T) {
	const w, h = 64, 32 // quadrants of 32×16: whole JPEG blocks, little bleeding
	stored := photofixture.JPEG(t, quadrants(w, h), 95)
	red, blue, grey := [3]float64{220, 20, 20}, [3]float64{20, 20, 220}, [3]float64{128, 128, 128}
	type quads struct{ tl, tr, bl, br [3]float64 }
	want := map[int]quads{
		1: {red, blue, grey, grey},
		2: {blue, red, grey, grey},
		3: {grey, grey, blue, red},
		4: {grey, grey, red, blue},
		5: {red, grey, blue, grey},
		6: {grey, red, grey, blue},
		7: {grey, blue, grey, red},
		8: {blue, grey, red, grey},
	}
	for o := 1; o <= 8; o++ {
		for _, bo := range []byteOrder{binary.LittleEndian, binary.BigEndian} {
			t.Run(bo.String()+"/"+string(rune('0'+o)), func(t *testing.T) {
				in := photofixture.AfterSOI(stored, exifSegment(exifTIFFFor(bo, o)))
				out, info, changed, err := Normalize(context.Background(), in, DefaultOptions())
				if err != nil {
					t.Fatal(err)
				}
				if o == 1 {
					if changed || !bytes.Equal(out, in) {
						t.Fatal("upright photo was rewritten")
					}
					return
				}
				if !changed || orientation(out) != 1 || bytes.Contains(out, []byte("Exif")) {
					t.Fatalf("changed=%v, output orientation %d", changed, orientation(out))
				}
				ow, oh := w, h
				if o >= 5 {
					ow, oh = h, w
				}
				m := mustDecode(t, out)
				if info != (photo.Info{Format: photo.JPEG, Width: ow, Height: oh}) || m.Bounds() != image.Rect(0, 0, ow, oh) {
					t.Fatalf("info %+v, decoded %v, want %dx%d", info, m.Bounds(), ow, oh)
				}
				// Regions inset by 3 pixels from every edge and the centre lines.
				cx, cy := ow/2, oh/2
				got := quads{
					average(m, image.Rect(3, 3, cx-3, cy-3)), average(m, image.Rect(cx+3, 3, ow-3, cy-3)),
					average(m, image.Rect(3, cy+3, cx-3, oh-3)), average(m, image.Rect(cx+3, cy+3, ow-3, oh-3)),
				}
				for i, pair := range [][2][3]float64{{got.tl, want[o].tl}, {got.tr, want[o].tr}, {got.bl, want[o].bl}, {got.br, want[o].br}} {
					if !near(pair[0], pair[1], 12) {
						t.Errorf("quadrant %d (TL, TR, BL, BR) is %.0f, want %.0f", i, pair[0], pair[1])
					}
				}
			})
		}
	}
}

// TestNormalizeUnchanged: photos within the limits come back as the very
// same slice, without a single allocation.
func TestNormalizeUnchanged(t *testing.T) {
	for _, name := range []string{"small-320x240.jpg", "portrait-exif.jpg", "portrait-rgba.png", "large-2mb.jpg"} {
		t.Run(name, func(t *testing.T) {
			in := photofixture.ReadFile(t, photofixture.Photos, name)
			out, info, changed, err := Normalize(context.Background(), in, DefaultOptions())
			if err != nil || changed || &out[0] != &in[0] || len(out) != len(in) {
				t.Fatalf("changed=%v err=%v", changed, err)
			}
			if want, _ := photo.Sniff(in); info != want {
				t.Fatalf("info %+v, want %+v", info, want)
			}
			if n := testing.AllocsPerRun(10, func() { _, _, _, _ = Normalize(context.Background(), in, DefaultOptions()) }); n != 0 {
				t.Fatalf("%v allocations", n)
			}
		})
	}
}

func TestNormalizeLarge(t *testing.T) {
	small := Options{Enabled: true, MaxBytes: 1 << 20, MaxSide: 1024}
	tests := []struct {
		name  string
		opt   Options
		w, h  int // expected output size
		under int // expected upper bound on the output size
	}{
		{"large-exif.jpg", small, 683, 1024, 1 << 20},
		{"large-2mb.jpg", small, 1024, 1024, 1 << 20},
		{"large-exif.jpg", DefaultOptions(), 1366, 2048, 3 << 20}, // 2173 px > 2048
		{"large-2mb.jpg", Options{Enabled: true, MaxBytes: 1 << 20}, 2048, 2048, 1 << 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := photofixture.ReadFile(t, photofixture.Photos, tc.name)
			out, info, changed, err := Normalize(context.Background(), in, tc.opt)
			if err != nil || !changed {
				t.Fatalf("changed=%v err=%v", changed, err)
			}
			if len(out) > tc.under || info != (photo.Info{Format: photo.JPEG, Width: tc.w, Height: tc.h}) {
				t.Fatalf("%d bytes, %+v", len(out), info)
			}
			if got, err := photo.Check(out, photo.DefaultLimits()); err != nil || got != info {
				t.Fatalf("photo.Check: %+v, %v", got, err)
			}
			t.Logf("%d → %d bytes, %dx%d", len(in), len(out), info.Width, info.Height)
		})
	}
}

// TestNormalizeSteps drives the fallbacks with noise, which JPEG cannot
// compress: the first quality, a lower one, a smaller size, the error.
func TestNormalizeSteps(t *testing.T) {
	noise := image.NewGray(image.Rect(0, 0, 400, 300))
	for i := range noise.Pix {
		noise.Pix[i] = byte(i * 7919 >> 3)
	}
	in := photofixture.JPEG(t, noise, 95)
	// The sizes the first and last quality give at MaxSide 200, computed
	// the way Normalize does.
	var buf bytes.Buffer
	half := resample(mustDecode(t, in), 200, 150, 1)
	sizeAt := func(q int) int {
		if err := encodeJPEG(&buf, half, q); err != nil {
			t.Fatal(err)
		}
		return buf.Len()
	}
	q90, q65 := sizeAt(90), sizeAt(65)
	for _, tc := range []struct {
		name     string
		maxBytes int
		smaller  bool // the size must have been reduced below 200×150
	}{
		{"first quality", q90, false},
		{"lower quality", (q90 + q65) / 2, false},
		{"smaller size", q65 * 2 / 3, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, info, changed, err := Normalize(context.Background(), in, Options{Enabled: true, MaxBytes: tc.maxBytes, MaxSide: 200})
			if err != nil || !changed || len(out) > tc.maxBytes {
				t.Fatalf("%d bytes, changed=%v, err=%v", len(out), changed, err)
			}
			if smaller := info.Width < 200; smaller != tc.smaller || abs(info.Width*3-info.Height*4) > 4 {
				t.Fatalf("%+v", info) // aspect ratio off by more than a pixel
			}
			if !tc.smaller && tc.maxBytes == q90 && len(out) != q90 {
				t.Fatalf("%d bytes, want the first quality's %d", len(out), q90)
			}
		})
	}
	out, _, changed, err := Normalize(context.Background(), in, Options{Enabled: true, MaxBytes: 500})
	wantReason(t, err, reasonTooLarge)
	if out != nil || changed {
		t.Fatal("output with an error")
	}
}

func abs(n int) int { return max(n, -n) }

// TestNormalizeAlpha: transparency becomes white, half-transparent black
// mid-grey, whether the alpha is straight (NRGBA) or not.
func TestNormalizeAlpha(t *testing.T) {
	m := image.NewNRGBA(image.Rect(0, 0, 96, 32))
	for y := range 32 {
		for x := range 96 {
			c := color.NRGBA{255, 0, 0, 0} // invisible red
			if x >= 32 {
				c = color.NRGBA{0, 0, 0, 128}
			}
			if x >= 64 {
				c = color.NRGBA{0, 0, 200, 255}
			}
			m.SetNRGBA(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	out, info, changed, err := Normalize(context.Background(), buf.Bytes(), Options{Enabled: true, MaxSide: 48})
	if err != nil || !changed || info != (photo.Info{Format: photo.JPEG, Width: 48, Height: 16}) {
		t.Fatalf("%+v, changed=%v, err=%v", info, changed, err)
	}
	got := mustDecode(t, out)
	for _, c := range []struct {
		r    image.Rectangle
		want [3]float64
	}{
		{image.Rect(2, 2, 14, 14), [3]float64{255, 255, 255}},
		{image.Rect(18, 2, 30, 14), [3]float64{127, 127, 127}},
		{image.Rect(34, 2, 46, 14), [3]float64{0, 0, 200}},
	} {
		if a := average(got, c.r); !near(a, c.want, 6) {
			t.Errorf("%v: %.0f, want %.0f", c.r, a, c.want)
		}
	}

	// The real PNG has an alpha channel but no transparent pixel: clear a
	// corner, and check that it turns white while the rest keeps its colour.
	in := photofixture.ReadFile(t, photofixture.Photos, "portrait-rgba.png")
	src, err := png.Decode(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	nrgba := src.(*image.NRGBA)
	for y := range 40 {
		for x := range 40 {
			nrgba.Pix[nrgba.PixOffset(x, y)+3] = 0
		}
	}
	buf.Reset()
	if err := png.Encode(&buf, nrgba); err != nil {
		t.Fatal(err)
	}
	out, _, _, err = Normalize(context.Background(), buf.Bytes(), Options{Enabled: true, MaxSide: 212})
	if err != nil {
		t.Fatal(err)
	}
	got = mustDecode(t, out)
	if a := average(got, image.Rect(2, 2, 18, 18)); !near(a, [3]float64{255, 255, 255}, 4) {
		t.Errorf("transparent corner is %.0f", a)
	}
	if a, b := average(got, image.Rect(80, 80, 130, 130)), average(src, image.Rect(160, 160, 260, 260)); !near(a, b, 6) {
		t.Errorf("opaque centre is %.0f, was %.0f", a, b)
	}
}

// A rewrite of a photo the upstream's side limit would allow at full size
// is still made at TargetSide: its RGBA buffer, 4 bytes a pixel, would
// otherwise be the largest allocation of a call (160 MB at 40 million
// pixels). Counted in bytes allocated, not time.
func TestRewriteAllocatesForTargetSide(t *testing.T) {
	const w, h = 4000, 3000
	src := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	for y := range h {
		for x := range w {
			src.Y[y*src.YStride+x] = uint8(x*7 ^ y*3)
		}
	}
	var in bytes.Buffer
	if err := jpeg.Encode(&in, src, &jpeg.Options{Quality: 75}); err != nil {
		t.Fatal(err)
	}
	decoded := w*h*3/2 + 64<<10 // the decoder's YCbCr image, 4:2:0
	opt := Options{Enabled: true, MaxBytes: in.Len() - 1, MaxSide: 8000}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	out, info, changed, err := Normalize(context.Background(), in.Bytes(), opt)
	runtime.ReadMemStats(&after)
	if err != nil || !changed || max(info.Width, info.Height) != 2048 {
		t.Fatalf("Normalize = %v, changed %v, %dx%d; want a rewrite at 2048 px", err, changed, info.Width, info.Height)
	}
	// One RGBA at the target size (48 MB at the photo's own), a few buffers
	// the size of the output, and room for the race detector's own.
	budget := uint64(decoded + 2*4*2048*1536 + 4*len(out))
	got := after.TotalAlloc - before.TotalAlloc
	t.Logf("allocated %.1f MB, budget %.1f MB, output %d bytes", float64(got)/(1<<20), float64(budget)/(1<<20), len(out))
	if got > budget {
		t.Errorf("rewrite allocated %d MB, want at most %d MB", got>>20, budget>>20)
	}
}
