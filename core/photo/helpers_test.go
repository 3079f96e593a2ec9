package photo

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/core/invalid"
	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

// photosDir holds the shared real photos; testdata/ holds this package's own.
const photosDir = "../../testdata/photos"

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func realPhoto(t testing.TB, name string) []byte {
	t.Helper()
	return readFile(t, filepath.Join(photosDir, name))
}

// noise is a deterministic image whose encodings do not compress away.
func noise(w, h int, seed uint64) *image.NRGBA {
	r := rand.New(rand.NewPCG(seed, 1))
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = byte(r.Uint32())
	}
	for i := 3; i < len(img.Pix); i += 4 {
		img.Pix[i] = 0xFF // opaque, so encoders write plain RGB
	}
	return img
}

func encode(t testing.TB, f Format, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	var err error
	switch f {
	case JPEG:
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90})
	case PNG:
		err = png.Encode(&buf, img)
	case BMP:
		err = bmp.Encode(&buf, img)
	case GIF:
		err = gif.Encode(&buf, img, nil)
	case TIFF:
		err = tiff.Encode(&buf, img, nil)
	default:
		t.Fatalf("cannot encode %s", f)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gray(w, h int) *image.Gray {
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = byte(i)
	}
	return img
}

func paletted(w, h int) *image.Paletted {
	return image.NewPaletted(image.Rect(0, 0, w, h), color.Palette{color.Black, color.White})
}

// pngHeader is a PNG signature and IHDR with a valid CRC, and no pixel data:
// a decompression bomb needs nothing more to claim any size.
func pngHeader(w, h uint32, depth, colorType byte) []byte {
	b := append([]byte{}, pngSignature...)
	b = binary.BigEndian.AppendUint32(b, 13)
	chunk := []byte("IHDR")
	chunk = binary.BigEndian.AppendUint32(chunk, w)
	chunk = binary.BigEndian.AppendUint32(chunk, h)
	chunk = append(chunk, depth, colorType, 0, 0, 0)
	b = append(b, chunk...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(chunk))
}

// crc32IHDR recomputes the CRC of a pngHeader after a test edits it.
func crc32IHDR(b []byte) uint32 {
	return crc32.ChecksumIEEE(b[12:29])
}

// jpegHeader is SOI, a JFIF APP0 segment and a frame header with marker
// sof: everything Sniff reads, and no tables or scan.
func jpegHeader(sof, precision byte, w, h uint16, comps int) []byte {
	b := []byte{0xFF, 0xD8}
	b = append(b, 0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0)
	b = append(b, 0xFF, sof)
	b = binary.BigEndian.AppendUint16(b, uint16(8+3*comps))
	b = append(b, precision)
	b = binary.BigEndian.AppendUint16(b, h)
	b = binary.BigEndian.AppendUint16(b, w)
	b = append(b, byte(comps))
	for i := range comps {
		b = append(b, byte(i+1), 0x11, 0)
	}
	return b
}

// bmpHeader is a file header and a DIB header of the given size (12 for
// BITMAPCOREHEADER, else BITMAPINFOHEADER layout padded to dib bytes).
func bmpHeader(dib int, w, h int32, bpp uint16) []byte {
	b := []byte("BM")
	b = binary.LittleEndian.AppendUint32(b, 0) // file size: ignored
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = binary.LittleEndian.AppendUint32(b, uint32(14+dib))
	b = binary.LittleEndian.AppendUint32(b, uint32(dib))
	if dib == 12 {
		b = binary.LittleEndian.AppendUint16(b, uint16(w))
		b = binary.LittleEndian.AppendUint16(b, uint16(h))
		b = binary.LittleEndian.AppendUint16(b, 1)
		return binary.LittleEndian.AppendUint16(b, bpp)
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(w))
	b = binary.LittleEndian.AppendUint32(b, uint32(h))
	b = binary.LittleEndian.AppendUint16(b, 1)
	b = binary.LittleEndian.AppendUint16(b, bpp)
	return append(b, make([]byte, dib-16)...)
}

// isoHeader is an ftyp box with the given major and compatible brands.
func isoHeader(major string, compat ...string) []byte {
	body := major + "\x00\x00\x00\x00" + strings.Join(compat, "")
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(body)))
	return append(append(b, "ftyp"...), body...)
}

// reasonOf is err's invalid.Error reason, or "" if it has none.
func reasonOf(err error) string {
	var ie *invalid.Error
	if errors.As(err, &ie) {
		return ie.Reason
	}
	return ""
}

// wantReason fails unless err is an *invalid.Error for "image" with reason.
// It also checks what every error here must satisfy: a message in the
// upstream's style and nothing of the photo in it.
func wantReason(t testing.TB, err error, reason string) *invalid.Error {
	t.Helper()
	var ie *invalid.Error
	if !errors.As(err, &ie) {
		t.Fatalf("err = %v (%T), want *invalid.Error with reason %q", err, err, reason)
	}
	if ie.Field != "image" || ie.Reason != reason {
		t.Fatalf("err = %q field %q reason %q, want reason %q", ie, ie.Field, ie.Reason, reason)
	}
	if !strings.HasPrefix(ie.Error(), "入参错误,图片[image]") || ie.Detail == "" || ie.English == "" {
		t.Fatalf("malformed error %q / %q", ie.Error(), ie.English)
	}
	if len(ie.Error())+len(ie.English) > 400 {
		t.Fatalf("error too long, may carry data: %q", ie.Error())
	}
	return ie
}

// randomBytes is n reproducible random bytes (seeded by n), which encode
// like compressed image data; the benchmarks' photos.
func randomBytes(n int) []byte {
	data := make([]byte, n)
	r := rand.New(rand.NewPCG(uint64(n), 2))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	return data
}
