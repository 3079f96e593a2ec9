package decode

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"testing"

	"github.com/faceid-verify/faceid/core/invalid"
	"golang.org/x/image/bmp"
)

// noise is a w×h image of random colours and, with alpha, random
// transparency: it compresses badly, like a photo.
func noise(w, h int, alpha bool, seed uint64) *image.NRGBA {
	r := rand.New(rand.NewPCG(seed, 1))
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = byte(r.Uint32())
		if i%4 == 3 && !alpha {
			m.Pix[i] = 0xFF
		}
	}
	return m
}

func encodePNG(tb testing.TB, m image.Image) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func encodeBMP(tb testing.TB, m image.Image) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := bmp.Encode(&buf, m); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// rawPNG writes the PNG kinds Go's encoder never does (grey with alpha,
// grey with tRNS, interlaced), with the given chunks between IHDR and
// IDAT and pixel data of zeros: correct in length, cheap to make.
func rawPNG(tb testing.TB, w, h int, depth, ct byte, interlaced bool, chunks ...[]byte) []byte {
	tb.Helper()
	bits := map[byte]int{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ct] * int(depth)
	size := func(w, h int) int {
		if w <= 0 || h <= 0 {
			return 0
		}
		return h * (1 + (bits*w+7)/8)
	}
	raw := size(w, h)
	il := byte(0)
	if interlaced {
		il, raw = 1, 0
		for _, p := range adam7 {
			raw += size(int(ceilDiv(int64(w)-p.x, p.dx)), int(ceilDiv(int64(h)-p.y, p.dy)))
		}
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	if _, err := zw.Write(make([]byte, raw)); err != nil {
		tb.Fatal(err)
	}
	_ = zw.Close()
	ihdr := binary.BigEndian.AppendUint32(nil, uint32(w))
	ihdr = binary.BigEndian.AppendUint32(ihdr, uint32(h))
	ihdr = append(ihdr, depth, ct, 0, 0, il)
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, chunk("IHDR", ihdr)...)
	for _, c := range chunks {
		out = append(out, c...)
	}
	out = append(out, chunk("IDAT", z.Bytes())...)
	return append(out, chunk("IEND", nil)...)
}

// chunk is one PNG chunk with its CRC.
func chunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(append(c, typ...), data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// palette is a PLTE chunk of n greys.
func palette(n int) []byte {
	var p []byte
	for i := range n {
		p = append(p, byte(i), byte(i), byte(i))
	}
	return chunk("PLTE", p)
}

// adobe is an APP14 segment with the given transform (0: RGB or CMYK,
// 1: YCbCr, 2: YCCK).
func adobe(transform byte) []byte {
	return []byte{0xFF, 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, transform}
}

// insertBeforeEOI puts segments right before a JPEG's final EOI.
func insertBeforeEOI(jpg []byte, segs ...[]byte) []byte {
	out := append([]byte{}, jpg[:len(jpg)-2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, 0xFF, 0xD9)
}

// rgbIDs renames a three-component JPEG's components R, G and B in its
// frame and scan headers, which makes image/jpeg decode it as RGB.
func rgbIDs(tb testing.TB, jpg []byte) []byte {
	tb.Helper()
	out := append([]byte{}, jpg...)
	sof := bytes.Index(out, []byte{0xFF, 0xC0})
	sos := bytes.Index(out, []byte{0xFF, 0xDA})
	if sof < 0 || sos < 0 || out[sof+9] != 3 || out[sos+4] != 3 {
		tb.Fatal("not a three-component baseline JPEG")
	}
	for i, id := range []byte("RGB") {
		out[sof+10+3*i] = id
		out[sos+5+2*i] = id
	}
	return out
}

func gray(w, h int) *image.Gray {
	m := image.NewGray(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = byte(i * 7)
	}
	return m
}

func gray16(w, h int) *image.Gray16 {
	m := image.NewGray16(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = byte(i * 7)
	}
	return m
}

func rgba64(w, h int, alpha bool) *image.NRGBA64 {
	m := image.NewNRGBA64(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = byte(i * 13)
		if i%8 >= 6 && !alpha {
			m.Pix[i] = 0xFF
		}
	}
	return m
}

func paletted(w, h, n int) *image.Paletted {
	p := make(color.Palette, n)
	for i := range p {
		p[i] = color.Gray{byte(i)}
	}
	m := image.NewPaletted(image.Rect(0, 0, w, h), p)
	for i := range m.Pix {
		m.Pix[i] = byte(i % n)
	}
	return m
}

// reasonOf is err's invalid.Error reason, or "" if it has none.
func reasonOf(err error) string {
	var ie *invalid.Error
	if errors.As(err, &ie) && ie.Field == "image" {
		return ie.Reason
	}
	return ""
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
