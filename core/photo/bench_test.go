package photo

import (
	"encoding/base64"
	"fmt"
	"math"
	"testing"
)

// benchSizes are a typical phone upload after client-side compression, an
// unprocessed small photo, and the upstream's limit.
var benchSizes = []struct {
	name string
	n    int
}{
	{"50KB", 50 << 10},
	{"500KB", 500 << 10},
	{"3MB", 3 << 20},
}

func BenchmarkDecodeBase64(b *testing.B) {
	for _, size := range benchSizes {
		data := randomBytes(size.n)
		std := base64.StdEncoding.EncodeToString(data)
		for _, v := range []struct{ name, s string }{
			{"std", std},
			{"rawurl", base64.RawURLEncoding.EncodeToString(data)},
			{"datauri", "data:image/jpeg;base64," + std},
			{"mime", wrap(std, 76, "\r\n")},
			{"spaces", wrap(std, 76, " ")},
		} {
			b.Run(size.name+"/"+v.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(v.s)))
				for b.Loop() {
					if _, err := decodeBase64(v.s, DefaultLimits().MaxBytes); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// jpegOfSize encodes a noise JPEG of about n bytes. Noise compresses at
// a steady rate, so one small sample sets the side length.
func jpegOfSize(b *testing.B, n int) []byte {
	sample := len(encode(b, JPEG, noise(64, 64, 1)))
	side := int(64 * math.Sqrt(float64(n)/float64(sample)))
	return encode(b, JPEG, noise(side, side, 2))
}

func BenchmarkCheck(b *testing.B) {
	for _, size := range benchSizes {
		img := jpegOfSize(b, size.n*95/100) // under the 3 MB limit
		b.Run(fmt.Sprintf("%s/%dKB", size.name, len(img)>>10), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(img)))
			for b.Loop() {
				if _, err := Check(img, DefaultLimits()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("real/large-exif", func(b *testing.B) {
		img := realPhoto(b, "large-exif.jpg") // frame header 36 KB in, after EXIF
		b.ReportAllocs()
		b.SetBytes(int64(len(img)))
		for b.Loop() {
			if _, err := Check(img, DefaultLimits()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("bomb", func(b *testing.B) {
		img := pngHeader(100000, 100000, 8, 6)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Check(img, DefaultLimits()); err == nil {
				b.Fatal("bomb accepted")
			}
		}
	})
}
