package photo

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// sameAsDecodeBase64 checks DecodeBase64Into against decodeBase64 on one
// input, and its canonical flag against the encoder.
func sameAsDecodeBase64(t *testing.T, dst []byte, s string, maxBytes int) {
	t.Helper()
	got, canonical, err := DecodeBase64Into(dst, s, maxBytes)
	want, wantErr := decodeBase64(s, maxBytes)
	if !reflect.DeepEqual(err, wantErr) {
		t.Fatalf("%.40q: error %v, DecodeBase64 says %v", s, err, wantErr)
	}
	if !bytes.Equal(got, want) || (err != nil && got != nil) {
		t.Fatalf("%.40q: decoded %d bytes, DecodeBase64 %d", s, len(got), len(want))
	}
	if wantCanon := err == nil && base64.StdEncoding.EncodeToString(got) == s; canonical != wantCanon {
		t.Fatalf("%.40q: canonical %v, want %v", s, canonical, wantCanon)
	}
}

func TestDecodeBase64IntoAgrees(t *testing.T) {
	photo := realPhoto(t, "small-320x240.jpg")
	std := base64.StdEncoding.EncodeToString(photo)
	def := DefaultLimits().MaxBytes
	for _, tc := range []struct {
		name string
		in   string
		max  int
	}{
		{"std padded", std, def},
		{"std raw", base64.RawStdEncoding.EncodeToString(photo), def},
		{"std, length 4n", base64.StdEncoding.EncodeToString(photo[:len(photo)/3*3]), def},
		{"url padded", base64.URLEncoding.EncodeToString(photo), def},
		{"url raw", base64.RawURLEncoding.EncodeToString(photo), def},
		{"data uri", "data:image/jpeg;base64," + std, def},
		{"mime crlf", wrap(std, 76, "\r\n"), def},
		{"newline, length kept 4n", std[:400] + "\r\n\r\n" + std[400:len(std)-4], def},
		{"leading space", " " + std, def},
		{"trailing newline", std + "\n", def},
		{"spaces", wrap(std, 7, " "), def},
		{"form-mangled plus", formMangle(std), def},
		{"exactly max", std, len(photo)},
		{"one byte over max", std, len(photo) - 1},
		{"one byte over max, raw", base64.RawStdEncoding.EncodeToString(photo), len(photo) - 1},
		{"default max", std, 0},
		{"unused bits set, one pad", "QUJ=", def}, // canonical is "QUI="
		{"unused bits set, two pads", "QR==", def},
		{"canonical, one pad", "QUI=", def},
		{"canonical, two pads", "QQ==", def},
		{"canonical, no pad", "QUJD", def},
		{"empty", "", def},
		{"padding only", "====", def},
		{"junk", "!!!!", def},
		{"length 4n+1", std + "A", def},
		{"padding in the middle", "QQ==QQ==", def},
		{"mixed alphabets", "ab+c-d/_" + std, def},
		{"non-ascii", "QUJD5Lit", def},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sameAsDecodeBase64(t, nil, tc.in, tc.max)
			sameAsDecodeBase64(t, make([]byte, 0, len(tc.in)), tc.in, tc.max)
			sameAsDecodeBase64(t, make([]byte, 3), tc.in, tc.max) // too small: allocates
		})
	}
}

// TestDecodeBase64IntoRandom compares the two on many short strings over
// the characters that matter, where the edge cases are dense.
func TestDecodeBase64IntoRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	alphabet := "AQgw/+9z-_= \r\n"
	dst := make([]byte, 64)
	for range 20000 {
		b := make([]byte, r.IntN(24))
		for j := range b {
			b[j] = alphabet[r.IntN(len(alphabet))]
		}
		sameAsDecodeBase64(t, dst, string(b), 1+r.IntN(20))
	}
}

func TestDecodeBase64IntoReusesDst(t *testing.T) {
	photo := realPhoto(t, "portrait-exif.jpg")
	std := base64.StdEncoding.EncodeToString(photo)
	dst := make([]byte, len(photo)+2)
	out, canonical, err := DecodeBase64Into(dst, std, 0)
	if err != nil || !canonical || !bytes.Equal(out, photo) {
		t.Fatalf("err %v canonical %v", err, canonical)
	}
	if &out[0] != &dst[0] {
		t.Error("decoded into a new buffer although dst was large enough")
	}
	if n := testing.AllocsPerRun(5, func() { _, _, _ = DecodeBase64Into(dst, std, 0) }); n != 0 {
		t.Errorf("%v allocations with a large enough dst, want 0", n)
	}
	// Text that needs the lenient decoder still decodes, into its own buffer.
	out, canonical, err = DecodeBase64Into(dst, wrap(std, 7, " "), 0)
	if err != nil || canonical || !bytes.Equal(out, photo) {
		t.Fatalf("spaced text: err %v canonical %v", err, canonical)
	}
}

func FuzzDecodeBase64Into(f *testing.F) {
	f.Add("QUJD", uint16(3))
	f.Add("QUJ=", uint16(2))
	f.Add("QQ==\r\n", uint16(100))
	f.Add("data:image/png;base64,QQ==", uint16(1))
	f.Add(strings.Repeat("+/", 40), uint16(60))
	f.Fuzz(func(t *testing.T, s string, limit uint16) {
		s = s[:min(len(s), 4096)]
		sameAsDecodeBase64(t, make([]byte, 0, len(s)), s, int(limit))
	})
}

// BenchmarkDecodeBase64Into is decodeBase64 with a reused buffer, the
// canonical check included, on the sizes of BenchmarkDecodeBase64.
func BenchmarkDecodeBase64Into(b *testing.B) {
	for _, size := range benchSizes {
		data := randomBytes(size.n)
		std := base64.StdEncoding.EncodeToString(data)
		dst := make([]byte, size.n+2)
		b.Run(size.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(std)))
			for b.Loop() {
				if _, ok, err := DecodeBase64Into(dst, std, DefaultLimits().MaxBytes); err != nil || !ok {
					b.Fatal(ok, err)
				}
			}
		})
	}
}

// BenchmarkReadHead is what Verify does instead of DecodeBase64Into for
// canonical text: scan the whole text, decode the header. The photo is a
// real JPEG header followed by random bytes, on the same sizes.
func BenchmarkReadHead(b *testing.B) {
	hdr := readFile(b, filepath.Join(photosDir, "small-320x240.jpg"))
	for _, size := range benchSizes {
		data := randomBytes(size.n)
		copy(data, hdr)
		std := base64.StdEncoding.EncodeToString(data)
		dst := make([]byte, 0, 64<<10)
		b.Run(size.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(std)))
			for b.Loop() {
				if _, ok := ReadHead(dst, std); !ok {
					b.Fatal("not canonical")
				}
			}
		})
	}
}
