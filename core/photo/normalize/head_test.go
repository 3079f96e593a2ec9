package normalize

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"image"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/core/photo"
	"github.com/faceid-verify/faceid/internal/photofixture"
)

// headAgrees checks photo.ReadHead's promise for one photo: the header
// checks on the decoded head, told the whole size, decide exactly what
// they decide on the whole photo.
func headAgrees(t *testing.T, data []byte) {
	t.Helper()
	s := base64.StdEncoding.EncodeToString(data)
	h, ok := photo.ReadHead(nil, s)
	if len(data) == 0 {
		if ok {
			t.Fatal("empty text read as a photo")
		}
		return
	}
	if !ok {
		t.Fatalf("canonical text of %d bytes refused", len(data))
	}
	if h.Size != len(data) || !bytes.HasPrefix(data, h.Bytes) {
		t.Fatalf("head of %d bytes, size %d: not a prefix of the %d-byte photo", len(h.Bytes), h.Size, len(data))
	}
	if want := strings.Count(s, "+") + strings.Count(s, "/") + strings.Count(s, "="); h.Escapes != want {
		t.Fatalf("escapes %d, want %d", h.Escapes, want)
	}
	// The second limit refuses on size alone, so it shows Size is used;
	// the third lets the sides decide.
	for _, lim := range []photo.Limits{photo.DefaultLimits(), {MaxBytes: len(data) - 1, MaxSide: 100, MinSide: 20}, {MaxBytes: len(data), MaxSide: 100, MinSide: 20}} {
		wi, we := photo.Check(data, lim)
		gi, ge := photo.CheckSized(h.Bytes, h.Size, lim)
		if wi != gi || fmt.Sprint(we) != fmt.Sprint(ge) {
			t.Fatalf("head check (%v, %v), whole photo (%v, %v)", gi, ge, wi, we)
		}
		if we != nil {
			continue
		}
		// Over MaxBytes size alone decides; at len(data) the sides and
		// the orientation do.
		for _, opt := range []Options{DefaultOptions(), {Enabled: true, MaxBytes: len(data) / 2, MaxSide: 64}, {Enabled: true, MaxBytes: len(data), MaxSide: 64}, {Enabled: true}} {
			if got, want := needed(h.Bytes, h.Size, gi, opt), needed(data, len(data), wi, opt); got != want {
				t.Fatalf("rewrite needed: head %v, whole %v", got, want)
			}
		}
	}
	if got, want := orientation(h.Bytes), orientation(data); got != want {
		t.Fatalf("orientation %d from the head, %d from the whole photo", got, want)
	}
}

func TestReadHeadAgrees(t *testing.T) {
	small := photofixture.ReadFile(t, photofixture.Photos, "small-320x240.jpg")
	// A 40 KB APP segment pushes the header past the first prefix read.
	bigSeg := photofixture.AfterSOI(small, app1(bytes.Repeat([]byte{'x'}, 40<<10)), exifSegment(exifTIFFFor(binary.BigEndian, 6)))
	cases := map[string][]byte{
		"byte":        {0xFF},
		"bigsegment":  bigSeg,
		"truncated":   bigSeg[:30<<10],
		"exif6":       photofixture.AfterSOI(small, exifSegment(exifTIFFFor(binary.BigEndian, 6))),
		"tiny":        photofixture.JPEG(t, image.NewGray(image.Rect(0, 0, 16, 16)), 95),
		"cmyk":        photofixture.ReadFile(t, photofixture.PhotoData, "cmyk.jpeg"),
		"progressive": photofixture.ReadFile(t, photofixture.PhotoData, "progressive.jpeg"),
		"notphoto":    bytes.Repeat([]byte("GIF89a"), 200),
		"double":      []byte(base64.StdEncoding.EncodeToString(small)),
	}
	for _, name := range []string{"small-320x240.jpg", "portrait-exif.jpg", "portrait-rgba.png", "portrait.webp", "large-exif.jpg", "large-2mb.jpg"} {
		cases[name] = photofixture.ReadFile(t, photofixture.Photos, name)
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			headAgrees(t, data)
			// Truncations of every length mod 3, so every padding.
			for n := 1; n < len(data); n = n*3 + 1 {
				for k := n; k < min(n+3, len(data)); k++ {
					headAgrees(t, data[:k])
				}
			}
		})
	}
}

// TestReadHeadStopsAtHeader checks that the point of ReadHead holds: a
// large photo is not decoded whole.
func TestReadHeadStopsAtHeader(t *testing.T) {
	for _, name := range []string{"large-2mb.jpg", "large-exif.jpg"} {
		data := photofixture.ReadFile(t, photofixture.Photos, name)
		h, ok := photo.ReadHead(nil, base64.StdEncoding.EncodeToString(data))
		if !ok || len(h.Bytes) >= h.Size/4 {
			t.Fatalf("%s: decoded %d of %d bytes (ok %v), want the header only", name, len(h.Bytes), h.Size, ok)
		}
	}
}

// TestReadHeadCanonicalOnly checks that ReadHead takes exactly the text
// DecodeBase64Into calls canonical, so nothing else skips whole decoding.
func TestReadHeadCanonicalOnly(t *testing.T) {
	data := photofixture.ReadFile(t, photofixture.Photos, "small-320x240.jpg")
	std := base64.StdEncoding.EncodeToString(data)
	for _, s := range []string{
		std, std[:len(std)-4], base64.RawStdEncoding.EncodeToString(data), base64.URLEncoding.EncodeToString(data),
		" " + std, std[:100] + "\n" + std[100:], "data:image/jpeg;base64," + std,
		std[:len(std)-2] + "B=", // unused bits set
		"====", "A===", "AA=A", "QQ==", "QR==", "QUI=", "QUJ=", "",
		strings.Replace(std, "+", " ", 1), strings.Replace(std, "A", "-", 1),
	} {
		checkCanonicalOnly(t, s)
	}
}

func checkCanonicalOnly(t *testing.T, s string) {
	t.Helper()
	h, ok := photo.ReadHead(nil, s)
	out, canonical, err := photo.DecodeBase64Into(nil, s, 1<<30)
	if ok != (err == nil && canonical) {
		t.Fatalf("%.20q: ReadHead ok=%v, DecodeBase64Into canonical=%v err=%v", s, ok, canonical, err)
	}
	if ok && (h.Size != len(out) || !bytes.HasPrefix(out, h.Bytes)) {
		t.Fatalf("%.20q: head is not a prefix of the decoded photo", s)
	}
}

// FuzzReadHead holds ReadHead to its two promises: on the canonical text
// of arbitrary bytes the header checks agree with whole decoding, and of
// arbitrary text only the canonical is taken.
func FuzzReadHead(f *testing.F) {
	small := photofixture.ReadFile(f, photofixture.Photos, "small-320x240.jpg")
	f.Add(small[:2000], "")
	f.Add(photofixture.AfterSOI(small[:4000], exifSegment(exifTIFFFor(binary.BigEndian, 8))), "QUJD")
	f.Add([]byte("\x89PNG\r\n\x1a\n"), "iVBORw0KGgo=")
	f.Fuzz(func(t *testing.T, data []byte, s string) {
		headAgrees(t, data)
		checkCanonicalOnly(t, s)
	})
}
