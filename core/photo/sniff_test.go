package photo

import (
	"bytes"
	"encoding/binary"
	"image"
	"math"
	"path/filepath"
	"testing"

	_ "golang.org/x/image/webp" // lets image.DecodeConfig confirm the WebP's size
)

// TestSniffFiles reads real and generated files and, for the accepted ones,
// checks the result against the standard decoders' own header parsing.
func TestSniffFiles(t *testing.T) {
	tests := []struct {
		name   string
		data   []byte
		format Format
		w, h   int
		reason string // "" for success
	}{
		{"small jpeg", realPhoto(t, "small-320x240.jpg"), JPEG, 320, 240, ""},
		{"exif jpeg", realPhoto(t, "portrait-exif.jpg"), JPEG, 910, 1137, ""},
		{"large jpeg", realPhoto(t, "large-2mb.jpg"), JPEG, 2048, 2048, ""},
		{"large exif jpeg", realPhoto(t, "large-exif.jpg"), JPEG, 1449, 2173, ""},
		{"rgba png", realPhoto(t, "portrait-rgba.png"), PNG, 424, 394, ""},
		{"webp", realPhoto(t, "portrait.webp"), WebP, 0, 0, reasonUnsupported},
		{"progressive jpeg", readFile(t, filepath.Join("testdata", "progressive.jpeg")), JPEG, 150, 103, ""},
		{"cmyk jpeg", readFile(t, filepath.Join("testdata", "cmyk.jpeg")), JPEG, 150, 103, ""},
		{"go jpeg colour", encode(t, JPEG, noise(97, 61, 1)), JPEG, 97, 61, ""},
		{"go jpeg grey", encode(t, JPEG, gray(64, 300)), JPEG, 64, 300, ""},
		{"go png rgb", encode(t, PNG, noise(33, 44, 2)), PNG, 33, 44, ""},
		{"go png grey", encode(t, PNG, gray(1, 1)), PNG, 1, 1, ""},
		{"go png paletted", encode(t, PNG, paletted(300, 200)), PNG, 300, 200, ""},
		{"go bmp 24-bit", encode(t, BMP, noise(35, 17, 3)), BMP, 35, 17, ""},
		{"go bmp 8-bit", encode(t, BMP, gray(40, 50)), BMP, 40, 50, ""},
		{"go bmp top-down", topDown(encode(t, BMP, noise(21, 13, 4))), BMP, 21, 13, ""},
		{"go gif", encode(t, GIF, paletted(10, 10)), GIF, 0, 0, reasonUnsupported},
		{"go tiff", encode(t, TIFF, noise(10, 10, 5)), TIFF, 0, 0, reasonUnsupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			info, err := Sniff(tc.data)
			if tc.reason != "" {
				wantReason(t, err, tc.reason)
				if info.Format != tc.format {
					t.Fatalf("format = %s, want %s", info.Format, tc.format)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := (Info{tc.format, tc.w, tc.h}); info != want {
				t.Fatalf("Sniff = %+v, want %+v", info, want)
			}
			cfg, name, err := image.DecodeConfig(bytes.NewReader(tc.data))
			if err != nil {
				t.Fatalf("image.DecodeConfig: %v", err)
			}
			if Format(name) != tc.format || cfg.Width != tc.w || cfg.Height != tc.h {
				t.Fatalf("image.DecodeConfig = %s %dx%d", name, cfg.Width, cfg.Height)
			}
		})
	}
}

// topDown turns a bottom-up BMP from x/image/bmp into a top-down one by
// negating its height, which is all the format needs (rows are then read
// in the opposite order, which no header check can see).
func topDown(b []byte) []byte {
	h := int32(binary.LittleEndian.Uint32(b[22:]))
	binary.LittleEndian.PutUint32(b[22:], uint32(-h))
	return b
}

func TestSniffHeaders(t *testing.T) {
	exif := func(n int) []byte { // an APP1 segment of n payload bytes
		seg := []byte{0xFF, 0xE1}
		seg = binary.BigEndian.AppendUint16(seg, uint16(n+2))
		return append(seg, bytes.Repeat([]byte{0xFF}, n)...) // 0xFF bytes must not look like markers
	}
	sof0 := jpegHeader(0xC0, 8, 640, 480, 3)
	jfifEnd := 20 // SOI + APP0 in jpegHeader
	insert := func(b []byte, at int, extra ...byte) []byte {
		return append(append(append([]byte{}, b[:at]...), extra...), b[at:]...)
	}
	// A thumbnail JPEG inside EXIF has its own frame header; the main one wins.
	thumb := jpegHeader(0xC0, 8, 160, 120, 3)
	withThumb := insert(sof0, jfifEnd, append([]byte{0xFF, 0xE1, 0, byte(len(thumb) + 2)}, thumb...)...)
	pngOK := pngHeader(640, 480, 8, 6)
	badCRC := append([]byte{}, pngOK...)
	badCRC[len(badCRC)-1] ^= 1

	tests := []struct {
		name   string
		data   []byte
		format Format
		w, h   int
		reason string
	}{
		{"jpeg baseline", sof0, JPEG, 640, 480, ""},
		{"jpeg extended", jpegHeader(0xC1, 8, 640, 480, 3), JPEG, 640, 480, ""},
		{"jpeg progressive", jpegHeader(0xC2, 8, 480, 640, 3), JPEG, 480, 640, ""},
		{"jpeg grey", jpegHeader(0xC0, 8, 100, 100, 1), JPEG, 100, 100, ""},
		{"jpeg cmyk", insert(jpegHeader(0xC0, 8, 100, 120, 4), jfifEnd,
			0xFF, 0xEE, 0, 14, 'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, 2), JPEG, 100, 120, ""},
		{"jpeg max size", jpegHeader(0xC0, 8, 65535, 65535, 3), JPEG, 65535, 65535, ""},
		{"jpeg fill bytes", insert(sof0, jfifEnd, 0xFF, 0xFF, 0xFF), JPEG, 640, 480, ""},
		{"jpeg standalone markers", insert(sof0, jfifEnd, 0xFF, 0xD0, 0xFF, 0x01), JPEG, 640, 480, ""},
		{"jpeg junk before marker", insert(sof0, jfifEnd, 0x00, 0x12, 0xFF, 0x00), JPEG, 640, 480, ""},
		{"jpeg big exif", insert(sof0, jfifEnd, exif(60000)...), JPEG, 640, 480, ""},
		{"jpeg exif thumbnail", withThumb, JPEG, 640, 480, ""},
		{"jpeg 12-bit", jpegHeader(0xC1, 12, 640, 480, 3), JPEG, 640, 480, reasonUnsupported},
		{"jpeg lossless", jpegHeader(0xC3, 8, 640, 480, 3), JPEG, 640, 480, reasonUnsupported},
		{"jpeg hierarchical", jpegHeader(0xC5, 8, 640, 480, 3), JPEG, 640, 480, reasonUnsupported},
		{"jpeg arithmetic", jpegHeader(0xC9, 8, 640, 480, 3), JPEG, 640, 480, reasonUnsupported},
		{"jpeg two components", jpegHeader(0xC0, 8, 640, 480, 2), JPEG, 0, 0, reasonCorrupt},
		{"jpeg zero height (DNL)", jpegHeader(0xC0, 8, 640, 0, 3), JPEG, 640, 0, reasonDimensions},
		{"jpeg zero width", jpegHeader(0xC0, 8, 0, 480, 3), JPEG, 0, 480, reasonDimensions},
		{"jpeg SOI only", []byte{0xFF, 0xD8}, JPEG, 0, 0, reasonCorrupt},
		{"jpeg SOI and FF", []byte{0xFF, 0xD8, 0xFF}, JPEG, 0, 0, reasonCorrupt},
		{"jpeg EOI first", []byte{0xFF, 0xD8, 0xFF, 0xD9}, JPEG, 0, 0, reasonCorrupt},
		{"jpeg scan before frame", append([]byte{0xFF, 0xD8, 0xFF, 0xDA, 0, 2}, sof0[2:]...), JPEG, 0, 0, reasonCorrupt},
		{"jpeg segment length 1", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 1, 0xFF, 0xC0}, JPEG, 0, 0, reasonCorrupt},
		{"jpeg segment past end", sof0[:jfifEnd-1], JPEG, 0, 0, reasonCorrupt},
		{"jpeg short frame header", sof0[:len(sof0)-1], JPEG, 0, 0, reasonCorrupt},
		{"jpeg frame length too small", []byte{0xFF, 0xD8, 0xFF, 0xC0, 0, 7, 8, 0, 1, 0, 1}, JPEG, 0, 0, reasonCorrupt},

		{"png", pngOK, PNG, 640, 480, ""},
		{"png bomb header", pngHeader(100000, 100000, 8, 2), PNG, 100000, 100000, ""},
		{"png 16-bit grey interlaced", func() []byte {
			b := pngHeader(10, 20, 16, 0)
			b[28] = 1
			binary.BigEndian.PutUint32(b[29:], crc32IHDR(b))
			return b
		}(), PNG, 10, 20, ""},
		{"png zero width", pngHeader(0, 480, 8, 6), PNG, 0, 480, reasonDimensions},
		{"png width over 2^31-1", pngHeader(1<<31, 1, 8, 6), PNG, 0, 0, reasonCorrupt},
		{"png bad depth", pngHeader(10, 10, 4, 2), PNG, 0, 0, reasonCorrupt},
		{"png bad colour type", pngHeader(10, 10, 8, 5), PNG, 0, 0, reasonCorrupt},
		{"png bad crc", badCRC, PNG, 0, 0, reasonCorrupt},
		{"png text-mode damage", append([]byte("\x89PNG\n\x1a\n"), pngOK[8:]...), PNG, 0, 0, reasonCorrupt},
		{"png truncated IHDR", pngOK[:30], PNG, 0, 0, reasonCorrupt},
		{"png signature only", pngOK[:8], PNG, 0, 0, reasonCorrupt},
		{"png first chunk not IHDR", append(append([]byte{}, pngOK[:12]...), append([]byte("IDAT"), pngOK[16:]...)...), PNG, 0, 0, reasonCorrupt},

		{"bmp info header", bmpHeader(40, 640, 480, 24), BMP, 640, 480, ""},
		{"bmp top-down", bmpHeader(40, 640, -480, 32), BMP, 640, 480, ""},
		{"bmp core header", bmpHeader(12, 320, 240, 8), BMP, 320, 240, ""},
		{"bmp v4 header", bmpHeader(108, 100, 50, 32), BMP, 100, 50, ""},
		{"bmp v5 header", bmpHeader(124, 100, -50, 16), BMP, 100, 50, ""},
		{"bmp 1-bit", bmpHeader(40, 64, 64, 1), BMP, 64, 64, ""},
		{"bmp bomb header", bmpHeader(40, 100000, -100000, 24), BMP, 100000, 100000, ""},
		{"bmp negative width", bmpHeader(40, -640, 480, 24), BMP, 0, 0, reasonCorrupt},
		{"bmp height -2^31", bmpHeader(40, 640, math.MinInt32, 24), BMP, 0, 0, reasonCorrupt},
		{"bmp zero height", bmpHeader(40, 640, 0, 24), BMP, 640, 0, reasonDimensions},
		{"bmp bad bpp", bmpHeader(40, 640, 480, 7), BMP, 0, 0, reasonCorrupt},
		{"bmp unknown dib size", bmpHeader(44, 640, 480, 24), BMP, 0, 0, reasonCorrupt},
		{"bmp truncated dib", bmpHeader(124, 640, 480, 24)[:100], BMP, 0, 0, reasonCorrupt},
		{"bmp magic only", []byte("BM"), BMP, 0, 0, reasonCorrupt},

		{"gif87a", []byte("GIF87a\x0a\x00\x0a\x00"), GIF, 0, 0, reasonUnsupported},
		{"gif89a", []byte("GIF89a"), GIF, 0, 0, reasonUnsupported},
		{"webp header", []byte("RIFF\x00\x00\x00\x00WEBPVP8L"), WebP, 0, 0, reasonUnsupported},
		{"riff wave", []byte("RIFF\x00\x00\x00\x00WAVEfmt "), Unknown, 0, 0, reasonUnsupported},
		{"tiff little-endian", []byte("II*\x00\x08\x00\x00\x00"), TIFF, 0, 0, reasonUnsupported},
		{"tiff big-endian", []byte("MM\x00*\x00\x00\x00\x08"), TIFF, 0, 0, reasonUnsupported},
		{"bigtiff", []byte("II+\x00\x08\x00\x00\x00"), TIFF, 0, 0, reasonUnsupported},
		{"heic", isoHeader("heic", "mif1", "heic"), HEIC, 0, 0, reasonUnsupported},
		{"heic via compatible brand", isoHeader("mif1", "mif1", "heic"), HEIC, 0, 0, reasonUnsupported},
		{"heif generic", isoHeader("mif1", "mif1"), HEIF, 0, 0, reasonUnsupported},
		{"avif", isoHeader("avif", "avif", "mif1", "miaf"), AVIF, 0, 0, reasonUnsupported},
		{"avif via compatible brand", isoHeader("mif1", "mif1", "miaf", "avif"), AVIF, 0, 0, reasonUnsupported},
		{"mp4", isoHeader("isom", "isom", "mp41"), Unknown, 0, 0, reasonUnsupported},
		{"text", []byte("hello world, not a photo at all"), Unknown, 0, 0, reasonUnsupported},
		{"one byte", []byte{0xFF}, Unknown, 0, 0, reasonUnsupported},
		{"empty", nil, "", 0, 0, reasonMissing},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			info, err := Sniff(tc.data)
			if tc.reason == "" {
				if err != nil {
					t.Fatal(err)
				}
			} else {
				wantReason(t, err, tc.reason)
			}
			if info.Format != tc.format {
				t.Fatalf("format = %q, want %q", info.Format, tc.format)
			}
			if tc.reason == "" || tc.reason == reasonDimensions {
				if info.Width != tc.w || info.Height != tc.h {
					t.Fatalf("size = %dx%d, want %dx%d", info.Width, info.Height, tc.w, tc.h)
				}
			}
		})
	}
}

// TestSniffTruncated cuts real files at every length up to well past their
// header: each prefix must fail as corrupt until the header is complete, and
// succeed with the full file's result from then on. (Truncation after the
// header is not detected: that would mean reading the whole file.)
func TestSniffTruncated(t *testing.T) {
	files := []string{"small-320x240.jpg", "portrait-exif.jpg", "large-exif.jpg", "portrait-rgba.png"}
	for _, name := range files {
		t.Run(name, func(t *testing.T) {
			b := realPhoto(t, name)
			want, err := Sniff(b)
			if err != nil {
				t.Fatal(err)
			}
			complete := -1
			for n := 1; n <= min(len(b), 40000); n++ {
				info, err := Sniff(b[:n])
				switch {
				case err == nil && info != want:
					t.Fatalf("prefix %d: %+v, want %+v", n, info, want)
				case err == nil && complete < 0:
					complete = n
				case err != nil && complete >= 0:
					t.Fatalf("prefix %d fails after prefix %d succeeded: %v", n, complete, err)
				case err != nil && n < 4 && reasonOf(err) == reasonUnsupported:
					// too short to recognise at all
				case err != nil:
					wantReason(t, err, reasonCorrupt)
				}
			}
			if complete < 0 {
				t.Fatal("no prefix succeeded")
			}
			t.Logf("header complete after %d of %d bytes", complete, len(b))
		})
	}
}

func TestUnsupportedMessageNamesFormat(t *testing.T) {
	_, err := Sniff(realPhoto(t, "portrait.webp"))
	ie := wantReason(t, err, reasonUnsupported)
	if ie.Error() != "入参错误,图片[image]格式不支持(WebP),请使用JPEG/PNG/BMP" {
		t.Errorf("Error() = %q", ie.Error())
	}
	if ie.English != "WebP is not supported; use JPEG, PNG or BMP" {
		t.Errorf("English = %q", ie.English)
	}
	for data, zh := range map[string]string{
		"hello":                     "格式不支持,请使用JPEG/PNG/BMP",
		"/9j/4AAQSkZJRgABAQ":        "格式不支持(疑似重复base64编码),请使用JPEG/PNG/BMP",
		"iVBORw0KGgoAAAANSUhEUg":    "格式不支持(疑似重复base64编码),请使用JPEG/PNG/BMP",
		"DATA:image/jpeg;base64,/9": "格式不支持(疑似重复base64编码),请使用JPEG/PNG/BMP",
		string(isoHeader("heic")):   "格式不支持(HEIC),请使用JPEG/PNG/BMP",
	} {
		_, err := Sniff([]byte(data))
		if ie := wantReason(t, err, reasonUnsupported); ie.Detail != zh {
			t.Errorf("%q: Detail = %q, want %q", data, ie.Detail, zh)
		}
	}
}

func TestFormatAccepted(t *testing.T) {
	for _, f := range []Format{JPEG, PNG, BMP, GIF, WebP, TIFF, HEIC, HEIF, AVIF, Unknown} {
		if got, want := f.Accepted(), f == JPEG || f == PNG || f == BMP; got != want {
			t.Errorf("%s.Accepted() = %v", f, got)
		}
		if f != Unknown && f.name() == "unknown" {
			t.Errorf("%s has no display name", f)
		}
	}
}
