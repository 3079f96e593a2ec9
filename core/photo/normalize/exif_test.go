package normalize

import (
	"encoding/binary"
	"testing"

	"github.com/faceid-verify/faceid/internal/photofixture"
)

func TestOrientation(t *testing.T) {
	base := photofixture.JPEG(t, quadrants(16, 8), 95)
	var le, be byteOrder = binary.LittleEndian, binary.BigEndian
	exif := func(tiff []byte) []byte { return photofixture.AfterSOI(base, exifSegment(tiff)) }
	orient := func(bo byteOrder, typ uint16, count, v uint32) []byte {
		return exif(tiffBytes(bo, 0, tiffEntry{tagOrientation, typ, count, v}))
	}
	withIFD := func(tiff []byte, off uint32) []byte { // IFD0 offset overwritten
		tiff = append([]byte{}, tiff...)
		le.PutUint32(tiff[4:], off)
		return exif(tiff)
	}
	good := exifTIFFFor(le, 6)
	xmp := app1([]byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta/>"))

	tests := []struct {
		name string
		b    []byte
		want int
	}{
		{"real portrait-exif", photofixture.ReadFile(t, photofixture.Photos, "portrait-exif.jpg"), 1},
		{"real large-exif", photofixture.ReadFile(t, photofixture.Photos, "large-exif.jpg"), 1},
		{"real no exif", photofixture.ReadFile(t, photofixture.Photos, "small-320x240.jpg"), 1},
		{"long value", orient(le, typeLong, 1, 8), 8},
		{"after xmp app1", photofixture.AfterSOI(base, xmp, exifSegment(good)), 6},
		{"first exif wins", photofixture.AfterSOI(base, exifSegment(exifTIFFFor(be, 3)), exifSegment(good)), 3},
		{"fill bytes before marker", photofixture.AfterSOI(base, []byte{0xFF, 0xFF}, exifSegment(good)), 6},
		{"junk before marker", photofixture.AfterSOI(base, []byte{0x00, 0x12}, exifSegment(good)), 6},

		{"empty", nil, 1},
		{"not jpeg", []byte("\x89PNG\r\n\x1a\n"), 1},
		{"soi only", []byte{0xFF, 0xD8}, 1},
		{"no exif", base, 1},
		{"value 0", orient(le, typeShort, 1, 0), 1},
		{"value 9", orient(be, typeShort, 1, 9), 1},
		{"value ffff", orient(le, typeShort, 1, 0xFFFF), 1},
		{"ascii type", orient(le, 2, 1, 6), 1},
		{"count 2", orient(le, typeShort, 2, 6), 1},
		{"count 0", orient(be, typeShort, 0, 6), 1},
		{"byte order IM", exif(append([]byte("IM"), good[2:]...)), 1},
		{"byte order mismatch", exif(append([]byte("MM"), good[2:]...)), 1},
		{"bad magic", exif(append([]byte("II\x2B\x00"), good[4:]...)), 1},
		{"ifd offset past end", withIFD(good, 1000), 1},
		{"ifd offset max", withIFD(good, 0xFFFFFFFF), 1},
		{"ifd offset in header", withIFD(good, 2), 1},
		{"ifd offset zero", withIFD(good, 0), 1},
		{"entry count past end", exif(append(append(append([]byte{}, good[:8]...), 0xE8, 0x03), good[10:]...)), 1},
		{"tiff cut in entries", exif(good[:len(good)-20]), 1},
		{"tiff header only", exif(good[:8]), 1},
		{"tiff shorter than header", exif(good[:5]), 1},
		{"exif header without tiff", photofixture.AfterSOI(base, app1([]byte("Exif\x00\x00"))), 1},
		{"exif without nul pair", photofixture.AfterSOI(base, app1(append([]byte("Exif"), good...))), 1},
		{"exif in app2", photofixture.AfterSOI(base, append([]byte{0xFF, 0xE2}, exifSegment(good)[2:]...)), 1},
		{"junk to the end", []byte{0xFF, 0xD8, 0x00, 0x12}, 1},
		{"fill bytes to the end", []byte{0xFF, 0xD8, 0xFF, 0xFF}, 1},
		{"standalone markers skipped", photofixture.AfterSOI(base, []byte{0xFF, 0xD0, 0xFF, 0x01, 0xFF, 0x00}, exifSegment(good)), 6},
		{"segment past end", exifSegment(good)[:20], 1},
		{"jpeg cut in segment", photofixture.AfterSOI(base, exifSegment(good))[:30], 1},
		{"segment length 1", photofixture.AfterSOI(base, []byte{0xFF, 0xE0, 0x00, 0x01}, exifSegment(good)), 1},
		{"exif after scan", append(append([]byte{0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02}, exifSegment(good)...), 0xFF, 0xD9), 1},
		{"orientation only in ifd1", exif(append(tiffBytes(le, 26, tiffEntry{0x0100, typeLong, 1, 64}),
			tiffBytes(le, 0, tiffEntry{tagOrientation, typeShort, 1, 6})[8:]...)), 1},
		{"ifd links to itself", exif(tiffBytes(be, 8, tiffEntry{0x0100, typeLong, 1, 64})), 1},
	}
	for o := 1; o <= 8; o++ {
		for _, bo := range []byteOrder{le, be} {
			tests = append(tests, struct {
				name string
				b    []byte
				want int
			}{bo.String() + " " + string(rune('0'+o)), exif(exifTIFFFor(bo, o)), o})
		}
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := orientation(tc.b); got != tc.want {
				t.Fatalf("Orientation = %d, want %d", got, tc.want)
			}
		})
	}
}

// TestOrientationAllocs: the EXIF scan runs on every photo and must not
// allocate.
func TestOrientationAllocs(t *testing.T) {
	b := photofixture.AfterSOI(photofixture.ReadFile(t, photofixture.Photos, "portrait-exif.jpg"), exifSegment(exifTIFFFor(binary.BigEndian, 6)))
	if n := testing.AllocsPerRun(10, func() { orientation(b) }); n != 0 {
		t.Fatalf("%v allocations", n)
	}
}
