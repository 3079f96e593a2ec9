package normalize

import (
	"context"
	"encoding/binary"
	"image"
	"strconv"
	"testing"

	"github.com/faceid-verify/faceid/internal/photofixture"
	"golang.org/x/image/draw"
)

// BenchmarkNormalizeUnchanged is the common path: a photo that needs
// nothing, so only headers are read.
func BenchmarkNormalizeUnchanged(b *testing.B) {
	for _, name := range []string{"small-320x240.jpg", "portrait-exif.jpg"} {
		in := photofixture.ReadFile(b, photofixture.Photos, name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				if _, _, changed, err := Normalize(context.Background(), in, DefaultOptions()); changed || err != nil {
					b.Fatal(changed, err)
				}
			}
		})
	}
}

// BenchmarkNormalizeRewrite is the full path: decode, reduce, turn upright
// (EXIF orientation 6 is added to each photo) and encode, with the default
// options and with a 1 MB / 1024 px target.
func BenchmarkNormalizeRewrite(b *testing.B) {
	for _, name := range []string{"large-exif.jpg", "large-2mb.jpg"} {
		in := photofixture.AfterSOI(photofixture.ReadFile(b, photofixture.Photos, name), exifSegment(exifTIFFFor(binary.LittleEndian, 6)))
		for _, tc := range []struct {
			name string
			opt  Options
		}{
			{"default", DefaultOptions()},
			{"1MB-1024px", Options{Enabled: true, ApplyOrientation: true, MaxBytes: 1 << 20, MaxSide: 1024}},
		} {
			b.Run(name+"/"+tc.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(in)))
				var out []byte
				for b.Loop() {
					var err error
					if out, _, _, err = Normalize(context.Background(), in, tc.opt); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(len(in)-len(out)), "bytes-saved/op")
			})
		}
	}
}

// BenchmarkResample compares the area averaging used here with the
// x/image/draw scalers it was chosen over (see resample's comment), on the
// decoded large-exif.jpg reduced to 2048 and 1024 px.
func BenchmarkResample(b *testing.B) {
	src := mustDecode(b, photofixture.ReadFile(b, photofixture.Photos, "large-exif.jpg"))
	sb := src.Bounds()
	for _, side := range []int{2048, 1024} {
		w, h := fitSide(sb.Dx(), sb.Dy(), side)
		for _, s := range []struct {
			name   string
			scaler draw.Scaler
		}{{"area", nil}, {"CatmullRom", draw.CatmullRom}, {"ApproxBiLinear", draw.ApproxBiLinear}} {
			b.Run(s.name+"/"+strconv.Itoa(side), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if s.scaler == nil {
						resample(src, w, h, 1)
						continue
					}
					dst := image.NewRGBA(image.Rect(0, 0, w, h))
					s.scaler.Scale(dst, dst.Rect, src, sb, draw.Src, nil)
				}
			})
		}
	}
}
