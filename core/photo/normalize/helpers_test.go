package normalize

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"testing"

	"github.com/faceid-verify/faceid/core/invalid"
)

// byteOrder reads and appends, as binary.LittleEndian and BigEndian do.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// tiffEntry is one 12-byte IFD entry; value is left-justified as the spec
// says (a SHORT in the first two bytes).
type tiffEntry struct {
	tag, typ uint16
	count    uint32
	value    uint32
}

// tiffBytes builds a TIFF header with IFD0 at offset 8 holding entries and
// a next-IFD link of next.
func tiffBytes(bo byteOrder, next uint32, entries ...tiffEntry) []byte {
	t := []byte("II")
	if bo.String() == "BigEndian" {
		t = []byte("MM")
	}
	t = bo.AppendUint16(t, 42)
	t = bo.AppendUint32(t, 8)
	t = bo.AppendUint16(t, uint16(len(entries)))
	for _, e := range entries {
		t = bo.AppendUint16(t, e.tag)
		t = bo.AppendUint16(t, e.typ)
		t = bo.AppendUint32(t, e.count)
		if e.typ == typeShort {
			t = bo.AppendUint16(t, uint16(e.value))
			t = append(t, 0, 0)
		} else {
			t = bo.AppendUint32(t, e.value)
		}
	}
	return bo.AppendUint32(t, next)
}

// exifTIFFFor is a realistic IFD0 (width, orientation, X resolution
// offset) in byte order bo.
func exifTIFFFor(bo byteOrder, o int) []byte {
	return tiffBytes(bo, 0,
		tiffEntry{0x0100, typeLong, 1, 64},
		tiffEntry{tagOrientation, typeShort, 1, uint32(o)},
		tiffEntry{0x011A, 5, 1, 0x40})
}

// app1 wraps payload as an APP1 segment.
func app1(payload []byte) []byte {
	seg := []byte{0xFF, markerAPP1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(len(payload)+2))
	return append(seg, payload...)
}

// exifSegment is an APP1 Exif segment around tiff.
func exifSegment(tiff []byte) []byte {
	return app1(append([]byte("Exif\x00\x00"), tiff...))
}

// quadrants is a w×h test image: top-left red, top-right blue, bottom half
// grey, so that all eight orientations give different pictures.
func quadrants(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{128, 128, 128, 255}
			switch {
			case y < h/2 && x < w/2:
				c = color.RGBA{220, 20, 20, 255}
			case y < h/2:
				c = color.RGBA{20, 20, 220, 255}
			}
			m.SetRGBA(x, y, c)
		}
	}
	return m
}

// average is the mean colour of r in m, 8 bits a channel.
func average(m image.Image, r image.Rectangle) [3]float64 {
	var sum [3]float64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := m.At(x, y).RGBA()
			sum[0] += float64(cr >> 8)
			sum[1] += float64(cg >> 8)
			sum[2] += float64(cb >> 8)
		}
	}
	n := float64(r.Dx() * r.Dy())
	return [3]float64{sum[0] / n, sum[1] / n, sum[2] / n}
}

func near(a, b [3]float64, tol float64) bool {
	for i := range a {
		if a[i]-b[i] > tol || b[i]-a[i] > tol {
			return false
		}
	}
	return true
}

func wantReason(tb testing.TB, err error, reason string) {
	tb.Helper()
	var ie *invalid.Error
	if !errors.As(err, &ie) {
		tb.Fatalf("error %v (%T), want *invalid.Error %q", err, err, reason)
	}
	if ie.Reason != reason || ie.Field != "image" {
		tb.Fatalf("error %s/%s (%v), want image/%s", ie.Field, ie.Reason, err, reason)
	}
}

// wantDamage expects the refusal of pixel data that is cut short or does
// not decode.
func wantDamage(tb testing.TB, err error) {
	tb.Helper()
	var ie *invalid.Error
	if !errors.As(err, &ie) || ie.Field != "image" || ie.Reason != "truncated" && ie.Reason != "corrupt" {
		tb.Fatalf("error %v (%T), want image truncated or corrupt", err, err)
	}
}

// mustDecode decodes a JPEG output.
func mustDecode(tb testing.TB, b []byte) image.Image {
	tb.Helper()
	m, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	return m
}
