package normalize

import (
	"image"
	"image/color"
	"testing"
)

// TestResampleOrientation checks the pixel mapping exactly, at the source
// size where resample only converts: a 3×2 image whose pixels are all
// different, against each orientation's upright picture written by hand.
func TestResampleOrientation(t *testing.T) {
	// Stored:  a b c
	//          d e f
	src := image.NewGray(image.Rect(0, 0, 3, 2))
	copy(src.Pix, []uint8{'a', 'b', 'c', 'd', 'e', 'f'})
	want := map[int][]string{
		1: {"abc", "def"},
		2: {"cba", "fed"},
		3: {"fed", "cba"},
		4: {"def", "abc"},
		5: {"ad", "be", "cf"},
		6: {"da", "eb", "fc"},
		7: {"fc", "eb", "da"},
		8: {"cf", "be", "ad"},
	}
	for o := 1; o <= 8; o++ {
		got := resample(src, 3, 2, o)
		var rows []string
		for y := range got.Rect.Dy() {
			row := ""
			for x := range got.Rect.Dx() {
				c := got.RGBAAt(x, y)
				if c.R != c.G || c.G != c.B || c.A != 255 {
					t.Fatalf("orientation %d: pixel %v is not opaque grey", o, c)
				}
				row += string(rune(c.R))
			}
			rows = append(rows, row)
		}
		if len(rows) != len(want[o]) || !equal(rows, want[o]) {
			t.Errorf("orientation %d: %q, want %q", o, rows, want[o])
		}
	}
}

func equal(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}

// TestResampleArea: each output pixel is the area-weighted mean of the
// input pixels it covers.
func TestResampleArea(t *testing.T) {
	row := func(vals ...uint8) *image.Gray {
		m := image.NewGray(image.Rect(0, 0, len(vals), 1))
		copy(m.Pix, vals)
		return m
	}
	for _, tc := range []struct {
		name string
		src  *image.Gray
		w    int
		want []uint8
	}{
		{"halve", row(0, 100, 200, 250), 2, []uint8{50, 225}},
		{"3 to 2", row(0, 90, 180), 2, []uint8{30, 150}}, // (0+0.5·90)/1.5, (0.5·90+180)/1.5
		{"to one", row(10, 20, 30, 40, 50), 1, []uint8{30}},
		{"same size", row(1, 2, 3), 3, []uint8{1, 2, 3}},
	} {
		got := resample(tc.src, tc.w, 1, 1)
		for x, w := range tc.want {
			if c := got.RGBAAt(x, 0); c != (color.RGBA{w, w, w, 255}) {
				t.Errorf("%s: pixel %d is %v, want %d", tc.name, x, c, w)
			}
		}
	}
	// Vertically as well, on a subimage whose bounds do not start at 0.
	m := image.NewGray(image.Rect(0, 0, 1, 6))
	copy(m.Pix, []uint8{7, 0, 100, 200, 60, 7})
	got := resample(m.SubImage(image.Rect(0, 1, 1, 5)), 1, 2, 1)
	if a, b := got.RGBAAt(0, 0).R, got.RGBAAt(0, 1).R; a != 50 || b != 130 {
		t.Errorf("vertical: %d, %d; want 50, 130", a, b)
	}
}

// TestReadRow covers the conversion of every pixel type the decoders
// return to opaque RGB over white.
func TestReadRow(t *testing.T) {
	r := image.Rect(0, 0, 1, 1)
	ycc := image.NewYCbCr(r, image.YCbCrSubsampleRatio420)
	ycc.Y[0], ycc.Cb[0], ycc.Cr[0] = 128, 128, 128
	rgba := image.NewRGBA(r)
	rgba.Pix = []uint8{100, 0, 50, 128} // premultiplied
	nrgba := image.NewNRGBA(r)
	nrgba.Pix = []uint8{200, 0, 100, 128}
	cmyk := image.NewCMYK(r)
	cmyk.Pix = []uint8{0, 255, 255, 0} // red ink
	pal := image.NewPaletted(r, color.Palette{color.NRGBA{0, 0, 0, 0}})
	n64 := image.NewNRGBA64(r)
	n64.SetNRGBA64(0, 0, color.NRGBA64{0xFFFF, 0, 0, 0x8000})
	for _, tc := range []struct {
		name string
		m    image.Image
		want [3]uint8
	}{
		{"ycbcr", ycc, [3]uint8{128, 128, 128}},
		{"gray", &image.Gray{Pix: []uint8{77}, Stride: 1, Rect: r}, [3]uint8{77, 77, 77}},
		{"rgba half", rgba, [3]uint8{227, 127, 177}},
		{"rgba invalid premultiplication", &image.RGBA{Pix: []uint8{255, 255, 255, 0}, Stride: 4, Rect: r}, [3]uint8{255, 255, 255}},
		{"nrgba half", nrgba, [3]uint8{227, 127, 177}},
		{"cmyk", cmyk, [3]uint8{255, 0, 0}},
		{"paletted transparent", pal, [3]uint8{255, 255, 255}},
		{"nrgba64 half", n64, [3]uint8{255, 127, 127}},
		{"other type (At)", struct{ image.Image }{n64}, [3]uint8{255, 127, 127}},
	} {
		line := make([]uint8, 3)
		readRow(tc.m, tc.m.Bounds().Min.Y, line)
		if [3]uint8(line) != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, line, tc.want)
		}
	}
}
