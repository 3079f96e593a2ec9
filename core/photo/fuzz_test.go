package photo

import (
	"bytes"
	"encoding/base64"
	"errors"
	"image"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/core/invalid"
)

func FuzzSniff(f *testing.F) {
	// Seeds are headers, not whole files: the fuzzer minimises every new
	// interesting input, which takes minutes for inputs of tens of KB.
	head := func(b []byte) []byte {
		info, err := Sniff(b)
		if err != nil {
			f.Fatal(err)
		}
		for n := 1; ; n++ { // the shortest prefix that still sniffs the same
			if i, err := Sniff(b[:n]); err == nil && i == info {
				return b[:n:n]
			}
		}
	}
	seeds := [][]byte{
		head(realPhoto(f, "small-320x240.jpg")),
		head(readFile(f, filepath.Join("testdata", "progressive.jpeg"))),
		head(readFile(f, filepath.Join("testdata", "cmyk.jpeg"))),
		realPhoto(f, "portrait.webp")[:64],
		encode(f, JPEG, gray(8, 8)),
		encode(f, PNG, noise(8, 8, 1)),
		encode(f, BMP, gray(8, 8)),
		encode(f, GIF, paletted(8, 8)),
		jpegHeader(0xC2, 8, 65535, 1, 3),
		jpegHeader(0xC9, 12, 1, 1, 4),
		pngHeader(100000, 100000, 8, 6),
		bmpHeader(12, 64, 64, 24),
		bmpHeader(124, 64, -64, 32),
		isoHeader("mif1", "mif1", "heic"),
		[]byte("II*\x00"), []byte("/9j/4AAQ"), {0xFF, 0xD8, 0xFF, 0xFF, 0x00, 0xFF, 0xD0},
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		// Only a prefix is used: headers fit in it, a long segment is
		// skipped the same way whatever its length, and the fuzzer spends
		// its minimisation limit (60 s) on every interesting input of
		// 10 KB or more, stalling 30-second runs.
		b = b[:min(len(b), 4096)]
		info, err := Sniff(b)
		if err != nil {
			var ie *invalid.Error
			if !errors.As(err, &ie) {
				t.Fatalf("error %v is %T, not *invalid.Error", err, err)
			}
		} else {
			if info.Width <= 0 || info.Height <= 0 || !info.Format.Accepted() {
				t.Fatalf("accepted %+v", info)
			}
			// Where Go's own decoders also read the header, they must agree.
			if cfg, name, err := image.DecodeConfig(bytes.NewReader(b)); err == nil && Format(name) == info.Format &&
				(cfg.Width != info.Width || cfg.Height != info.Height) {
				t.Fatalf("Sniff %+v, image.DecodeConfig %s %dx%d", info, name, cfg.Width, cfg.Height)
			}
		}
		cinfo, cerr := Check(b, DefaultLimits())
		if cerr == nil {
			if err != nil || cinfo != info {
				t.Fatalf("Check accepted %+v where Sniff said %+v, %v", cinfo, info, err)
			}
			if max(info.Width, info.Height) > 8000 || min(info.Width, info.Height) < 32 {
				t.Fatalf("Check accepted %+v", info)
			}
		}
	})
}

func FuzzDecodeBase64(f *testing.F) {
	f.Add("", []byte{}, uint8(0), uint16(0))
	f.Add("data:image/jpeg;base64,/9j/4A==", []byte("\xff\xd8\xff\xe0"), uint8(0x0F), uint16(3))
	f.Add("QQ==\r\n", []byte("hello, world"), uint8(0x33), uint16(100))
	f.Add("ab-_+/", bytes.Repeat([]byte{0xFB}, 1200), uint8(0x06), uint16(5000))
	f.Add(" \t", []byte{0}, uint8(0xF5), uint16(0))
	f.Fuzz(func(t *testing.T, raw string, data []byte, mode uint8, limit uint16) {
		// Capped, as in FuzzSniff, to keep minimisation from stalling runs.
		raw, data = raw[:min(len(raw), 4096)], data[:min(len(data), 2048)]
		maxBytes := int(limit) + 1

		// Arbitrary text: no panic, bounded output, errors of the one type.
		out, err := decodeBase64(raw, maxBytes)
		if len(out) > maxBytes {
			t.Fatalf("%d bytes out, limit %d", len(out), maxBytes)
		}
		if err != nil {
			var ie *invalid.Error
			if !errors.As(err, &ie) || out != nil {
				t.Fatalf("err %v (%T), out %d bytes", err, err, len(out))
			}
		}

		// Encoded data, dressed up as clients send it, must round-trip.
		enc := base64.StdEncoding
		if mode&1 != 0 {
			enc = base64.RawURLEncoding
		}
		s := enc.EncodeToString(data)
		chars := len(s)
		if mode&2 != 0 {
			s = wrap(s, int(mode>>4)+1, "\r\n")
		}
		if mode&4 != 0 {
			sp := " \t"
			// The one ambiguity decodeBase64 resolves by guessing: long
			// text with spaces and no '+' is read as form-mangled.
			if chars >= plusLostMin && !strings.ContainsAny(s, "+-_") {
				sp = "\t"
			}
			s = wrap(s, int(mode>>4)+3, sp)
		}
		if mode&8 != 0 {
			s = "data:image/jpeg;base64," + s
		}
		got, err := decodeBase64(s, maxBytes)
		switch {
		case len(data) == 0:
			if reasonOf(err) != reasonMissing {
				t.Fatalf("empty data: %v", err)
			}
		case len(data) > maxBytes:
			if reasonOf(err) != reasonTooLarge {
				t.Fatalf("%d bytes, limit %d: %v", len(data), maxBytes, err)
			}
		case err != nil:
			t.Fatalf("%q: %v", s, err)
		case !bytes.Equal(got, data):
			t.Fatalf("%q decoded to %x, want %x", s, got, data)
		}
	})
}
