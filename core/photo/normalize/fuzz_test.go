package normalize

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image/png"
	"testing"

	"github.com/faceid-verify/faceid/core/invalid"
	"github.com/faceid-verify/faceid/core/photo"
	"github.com/faceid-verify/faceid/internal/photofixture"
	"golang.org/x/image/bmp"
)

func FuzzOrientation(f *testing.F) {
	jpg := photofixture.JPEG(f, quadrants(16, 8), 95)
	f.Add(photofixture.AfterSOI(jpg, exifSegment(exifTIFFFor(binary.LittleEndian, 6))))
	f.Add(photofixture.AfterSOI(jpg, exifSegment(exifTIFFFor(binary.BigEndian, 8))))
	f.Add(photofixture.ReadFile(f, photofixture.Photos, "portrait-exif.jpg")[:4096])
	f.Add(exifTIFFFor(binary.BigEndian, 3))
	f.Add(tiffBytes(binary.LittleEndian, 8, tiffEntry{tagOrientation, typeLong, 1, 5}))
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x02})
	f.Fuzz(func(t *testing.T, b []byte) {
		// b as a whole file, and as the TIFF data of an EXIF segment, where
		// random bytes reach the IFD parser far more often.
		if o := orientation(b); o < 1 || o > 8 {
			t.Fatalf("Orientation = %d", o)
		}
		if len(b) <= 0xFFFF-8 {
			if o := orientation(photofixture.AfterSOI(jpg, exifSegment(b))); o < 1 || o > 8 {
				t.Fatalf("Orientation of EXIF = %d", o)
			}
		}
	})
}

// FuzzNormalize runs Normalize on arbitrary bytes with options derived from
// two more arguments, a pixel bound small enough for fast decoding, and
// checks every result against the contract, and NormalizeBase64 against
// Normalize.
func FuzzNormalize(f *testing.F) {
	var pngBuf, bmpBuf bytes.Buffer
	_ = png.Encode(&pngBuf, quadrants(40, 20))
	_ = bmp.Encode(&bmpBuf, quadrants(24, 16))
	jpg := photofixture.JPEG(f, quadrants(32, 16), 95)
	seeds := [][]byte{
		photofixture.AfterSOI(jpg, exifSegment(exifTIFFFor(binary.BigEndian, 6))),
		photofixture.AfterSOI(jpg, exifSegment(exifTIFFFor(binary.LittleEndian, 3)))[:200],
		jpg, pngBuf.Bytes(), bmpBuf.Bytes(),
		photofixture.ReadFile(f, photofixture.PhotoData, "progressive.jpeg"),
		photofixture.ReadFile(f, photofixture.PhotoData, "cmyk.jpeg"),
	}
	for i, s := range seeds {
		f.Add(s, uint16(i*700), uint8(i*20))
	}
	f.Fuzz(func(t *testing.T, b []byte, maxBytes uint16, side uint8) {
		opt := Options{
			Enabled:          true,
			MaxBytes:         256 + int(maxBytes),
			MaxSide:          1 + int(side),
			MaxPixels:        1 << 16,
			ApplyOrientation: side%2 == 0,
		}
		normalizeAgrees(t, b, opt)
		out, info, changed, err := Normalize(context.Background(), b, opt)
		if err != nil {
			var ie *invalid.Error
			if !errors.As(err, &ie) || out != nil || changed {
				t.Fatalf("error %v (%T), %d bytes, changed=%v", err, err, len(out), changed)
			}
			return
		}
		got, serr := photo.Sniff(out)
		if serr != nil || got != info || !info.Format.Accepted() || len(out) > opt.MaxBytes {
			t.Fatalf("output %d bytes, %+v, sniffed %+v, %v", len(out), info, got, serr)
		}
		if !changed {
			if !bytes.Equal(out, b) || max(info.Width, info.Height) > opt.MaxSide {
				t.Fatal("unchanged output differs from the input or exceeds MaxSide")
			}
			return
		}
		if info.Format != photo.JPEG || max(info.Width, info.Height) > opt.MaxSide || orientation(out) != 1 {
			t.Fatalf("rewritten as %+v, orientation %d", info, orientation(out))
		}
	})
}
