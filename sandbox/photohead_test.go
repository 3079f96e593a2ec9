package sandbox

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/faceid-verify/faceid/core/photo"
)

// TestPhotoHeadMatchesWhole checks that judging canonical base64 by its
// decoded header answers exactly as decoding the whole photo does: real
// photos, their truncations, and a paletted PNG whose palette comes after
// a large chunk, past the decoded head.
func TestPhotoHeadMatchesWhole(t *testing.T) {
	s := New(Config{})
	late := latePalettePNG(t)
	if h, ok := photo.ReadHead(nil, base64.StdEncoding.EncodeToString(late)); !ok || headerOK(h.Bytes) || !headerOK(late) {
		t.Fatal("the late-palette PNG does not need more than its head")
	}
	cases := map[string][]byte{"paletted PNG, late palette": late}
	for _, name := range []string{"small-320x240.jpg", "portrait-exif.jpg", "portrait-rgba.png", "portrait.webp", "large-exif.jpg"} {
		b, err := os.ReadFile(filepath.Join("..", "testdata", "photos", name))
		if err != nil {
			t.Fatal(err)
		}
		cases[name] = b
	}
	for name, data := range cases {
		for n := len(data); n > 0; n = n / 3 {
			text := base64.StdEncoding.EncodeToString(data[:n])
			got := s.photoProblem(context.Background(), sellerRequest{Image: text})
			b, _ := decodeBase64(text)
			if want := checkPhoto(b, s.maxImage); got != want {
				t.Errorf("%s, first %d bytes: %d, decoding it whole says %d", name, n, got, want)
			}
		}
	}
}

// latePalettePNG is a paletted PNG with a 16 KB text chunk between its
// header and its palette, which Go's PNG decoder must read past.
func latePalettePNG(t *testing.T) []byte {
	t.Helper()
	m := image.NewPaletted(image.Rect(0, 0, 40, 40), color.Palette{color.Black, color.White})
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	const ihdrEnd = 8 + 8 + 13 + 4
	data := append([]byte("comment\x00"), bytes.Repeat([]byte("x"), 16<<10)...)
	chunk := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	chunk = append(chunk, "tEXt"...)
	chunk = append(chunk, data...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	return append(append(append([]byte{}, b[:ihdrEnd]...), chunk...), b[ihdrEnd:]...)
}
