package decode

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"testing"

	"github.com/faceid-verify/faceid/core/invalid"
	"github.com/faceid-verify/faceid/core/photo"
	"github.com/faceid-verify/faceid/internal/photofixture"
	"golang.org/x/image/bmp"
)

// fuzzBudget keeps fuzzed headers claiming huge images from being decoded:
// they are refused from the estimate, as they would be in production at
// a larger size.
var fuzzBudget = NewBudget(8<<20, 0)

// FuzzCheck runs Check and CheckBase64 on arbitrary bytes and holds them
// to the standard decoders: no panic; only *invalid.Error; a photo
// refused as damaged does not decode, and one that passes does (or is a
// variant they do not implement); canonical text is judged as its bytes;
// the dimensions Estimate reads are the decoders' own.
func FuzzCheck(f *testing.F) {
	small := photofixture.ReadFile(f, photofixture.Photos, "small-320x240.jpg")
	seeds := [][]byte{
		photofixture.JPEG(f, noise(24, 16, false, 1), 90),
		photofixture.JPEG(f, gray(16, 16), 90),
		encodePNG(f, noise(12, 8, true, 2)),
		encodePNG(f, paletted(9, 7, 3)),
		encodeBMP(f, noise(10, 6, false, 3)),
		encodeBMP(f, gray(10, 6)),
		rawPNG(f, 11, 5, 8, 0, true, chunk("tRNS", []byte{0, 1})),
		rawPNG(f, 9, 9, 16, 4, false),
		photofixture.ReadFile(f, photofixture.PhotoData, "progressive.jpeg"),
		photofixture.ReadFile(f, photofixture.PhotoData, "cmyk.jpeg"),
		insertBeforeEOI(photofixture.JPEG(f, noise(16, 16, false, 4), 90), adobe(0)),
		rgbIDs(f, photofixture.JPEG(f, noise(16, 16, false, 5), 90)),
		small[:600], frameOnly(0xC2, 64, 64, 0x22, 0x11, 0x11),
	}
	for _, s := range seeds {
		f.Add(s)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, b []byte) {
		err := Check(ctx, b, fuzzBudget)
		if err != nil {
			var ie *invalid.Error
			if !errors.As(err, &ie) || ie.Field != "image" {
				t.Fatalf("Check = %v (%T)", err, err)
			}
		}
		est, serr := EstimateOf(b)
		if serr != nil {
			if err == nil {
				t.Fatal("Check passed what photo.Sniff refuses")
			}
			return
		}
		if cfg, cerr := config(b, est.Format); cerr == nil && (cfg.Width != est.Width || cfg.Height != est.Height) {
			t.Fatalf("decoder reads %dx%d, Estimate %dx%d", cfg.Width, cfg.Height, est.Width, est.Height)
		}
		if est.Bytes > fuzzBudget.Size() {
			if reasonOf(err) != reasonDimensions {
				t.Fatalf("over the budget, Check = %v", err)
			}
			return
		}
		_, derr := plainDecode(b, est.Format)
		switch r := reasonOf(err); {
		case err == nil && derr != nil && !unsupported(derr):
			t.Fatalf("Check passed what the decoder refuses: %v", derr)
		case (r == reasonTruncated || r == reasonCorrupt) && derr == nil && !lateAdobe(b):
			t.Fatalf("Check = %v, the decoder decodes it", err)
		}
		if h, ok := photo.ReadHead(nil, b64(b)); ok {
			if err64 := CheckBase64(ctx, h.Bytes, b64(b), fuzzBudget); reasonOf(err64) != reasonOf(err) {
				t.Fatalf("CheckBase64 = %v, Check = %v", err64, err)
			}
		}
	})
}

func config(b []byte, f photo.Format) (image.Config, error) {
	switch f {
	case photo.JPEG:
		return jpeg.DecodeConfig(bytes.NewReader(b))
	case photo.PNG:
		return png.DecodeConfig(bytes.NewReader(b))
	}
	return bmp.DecodeConfig(bytes.NewReader(b))
}

// plainDecode is the decoders alone, without jpegGuard.
func plainDecode(b []byte, f photo.Format) (image.Image, error) {
	switch f {
	case photo.JPEG:
		return jpeg.Decode(bytes.NewReader(b))
	case photo.PNG:
		return png.Decode(bytes.NewReader(b))
	}
	return bmp.Decode(bytes.NewReader(b))
}

func lateAdobe(b []byte) bool {
	_, err := io.Copy(io.Discard, &jpegGuard{r: bytes.NewReader(b)})
	return errors.Is(err, errLateAdobe)
}

// FuzzJPEGGuard feeds the same bytes to jpegGuard whole and in pieces of
// every size the fuzzer picks: the marker tracking must not depend on
// where reads split the data, and it passes every byte it does not stop.
func FuzzJPEGGuard(f *testing.F) {
	jpg := photofixture.JPEG(f, noise(16, 16, false, 6), 90)
	f.Add(jpg, uint8(1))
	f.Add(insertBeforeEOI(jpg, adobe(0)), uint8(3))
	f.Add(photofixture.AfterSOI(jpg, adobe(0)), uint8(7))
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xDA, 0, 2, 0xFF, 0x00, 0xFF, 0xFF, 0xEE, 0, 2}, uint8(2))
	f.Fuzz(func(t *testing.T, b []byte, piece uint8) {
		var whole bytes.Buffer
		_, errWhole := io.Copy(&whole, &jpegGuard{r: bytes.NewReader(b)})
		var split bytes.Buffer
		_, errSplit := io.Copy(&split, &jpegGuard{r: &pieces{b: b, n: 1 + int(piece)}})
		if !errors.Is(errWhole, errSplit) && errWhole != errSplit {
			t.Fatalf("whole: %v, in pieces of %d: %v", errWhole, 1+int(piece), errSplit)
		}
		if errWhole == nil && !bytes.Equal(whole.Bytes(), b) {
			t.Fatal("bytes changed on the way")
		}
	})
}

// pieces reads b at most n bytes at a time.
type pieces struct {
	b []byte
	n int
}

func (p *pieces) Read(out []byte) (int, error) {
	if len(p.b) == 0 {
		return 0, io.EOF
	}
	k := copy(out[:min(len(out), p.n)], p.b)
	p.b = p.b[k:]
	return k, nil
}
