package photo

import (
	"bytes"
	"encoding/base64"
	"runtime"
	"strings"
	"testing"
)

// wrap inserts sep after every n characters, as MIME encoders do.
func wrap(s string, n int, sep string) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(s[:n])
		b.WriteString(sep)
		s = s[n:]
	}
	b.WriteString(s)
	return b.String()
}

// formMangle is what url.ParseQuery makes of base64 sent unescaped in an
// application/x-www-form-urlencoded body.
func formMangle(s string) string {
	return strings.ReplaceAll(s, "+", " ")
}

func TestDecodeBase64(t *testing.T) {
	photo := realPhoto(t, "small-320x240.jpg")
	std := base64.StdEncoding.EncodeToString(photo)
	if !strings.ContainsAny(std, "+/") || !strings.HasSuffix(std, "=") {
		t.Fatal("test photo should exercise '+', '/' and padding")
	}
	short := []byte("\xff\xd8\xff\xe0 hi!") // encodes with '+', '/' and padding
	max := DefaultLimits().MaxBytes

	tests := []struct {
		name   string
		in     string
		max    int
		want   []byte // nil when an error is expected
		reason string
	}{
		{"std padded", std, max, photo, ""},
		{"std raw", base64.RawStdEncoding.EncodeToString(photo), max, photo, ""},
		{"url padded", base64.URLEncoding.EncodeToString(photo), max, photo, ""},
		{"url raw", base64.RawURLEncoding.EncodeToString(photo), max, photo, ""},
		{"short std", base64.StdEncoding.EncodeToString(short), max, short, ""},
		{"short url raw", base64.RawURLEncoding.EncodeToString(short), max, short, ""},
		{"data uri", "data:image/jpeg;base64," + std, max, photo, ""},
		{"data uri upper case", "DATA:image/JPEG;BASE64," + std, max, photo, ""},
		{"data uri mislabelled", "data:image/png;base64," + std, max, photo, ""},
		{"data uri with parameters", "data:image/jpeg;name=a.jpg;base64," + std, max, photo, ""},
		{"data uri no media type", "data:;base64," + std, max, photo, ""},
		{"data uri url alphabet", "data:image/jpeg;base64," + base64.RawURLEncoding.EncodeToString(photo), max, photo, ""},
		{"data uri then whitespace", "  data:image/jpeg;base64,\r\n" + wrap(std, 64, "\n") + "\n", max, photo, ""},
		{"mime crlf", wrap(std, 76, "\r\n"), max, photo, ""},
		{"lf raw url", wrap(base64.RawURLEncoding.EncodeToString(photo), 60, "\n"), max, photo, ""},
		{"spaces and tabs", wrap(std, 7, " \t "), max, photo, ""},
		{"every kind of whitespace", "\t " + wrap(std, 3, "\r\n\t ") + " \n", max, photo, ""},
		{"whitespace inside padding", std[:len(std)-1] + "\n=", max, photo, ""},
		{"form-mangled plus", formMangle(std), max, photo, ""},
		{"form-mangled plus, line-wrapped", wrap(formMangle(std), 76, "\r\n"), max, photo, ""},
		{"exactly max", std, len(photo), photo, ""},
		{"exactly max, whitespace-inflated", wrap(std, 1, "\n\n"), len(photo), photo, ""},

		{"empty", "", max, nil, reasonMissing},
		{"whitespace only", " \r\n\t", max, nil, reasonMissing},
		{"empty data uri", "data:image/jpeg;base64,", max, nil, reasonMissing},
		{"one byte over max", std, len(photo) - 1, nil, reasonTooLarge},
		{"one byte over max, raw", base64.RawStdEncoding.EncodeToString(photo), len(photo) - 1, nil, reasonTooLarge},
		{"over max, whitespace", wrap(std, 76, "\r\n"), len(photo) - 1, nil, reasonTooLarge},
		{"mixed alphabets", "ab+c-d/_" + std, max, nil, reasonBase64},
		{"url char in std text", std[:100] + "-" + std[101:], max, nil, reasonBase64},
		{"junk", "!!!!", max, nil, reasonBase64},
		{"non-ascii", "QUJD5Lit", max, []byte("ABC中"), ""},
		{"non-ascii junk", "QUJD中文", max, nil, reasonBase64},
		{"length 4n+1", std + "A", max, nil, reasonBase64},
		{"padding in the middle", "QQ==QQ==", max, nil, reasonBase64},
		{"too much padding", "QQ===", max, nil, reasonBase64},
		{"padding only", "====", max, nil, reasonBase64},
		{"data uri not base64", "data:image/jpeg," + std, max, nil, reasonBase64},
		{"data uri without comma", "data:image/jpeg;base64" + std, max, nil, reasonBase64},
		{"data uri percent-encoded", "data:image/jpeg;charset=utf-8,%FF%D8", max, nil, reasonBase64},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeBase64(tc.in, tc.max)
			if tc.reason != "" {
				wantReason(t, err, tc.reason)
				if got != nil {
					t.Fatal("output returned with an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tc.want) {
				t.Fatalf("decoded %d bytes, differ from the %d expected", len(got), len(tc.want))
			}
		})
	}
}

func TestDecodeBase64Messages(t *testing.T) {
	_, err := DecodeBase64("!!!!", 0)
	if ie := wantReason(t, err, reasonBase64); ie.Error() != "入参错误,图片[image]base64编码错误" {
		t.Errorf("Error() = %q", ie.Error())
	}
	_, err = DecodeBase64(strings.Repeat("QUFB", 1<<20+1), 0) // 3 MB + 3 bytes with the default limit
	if ie := wantReason(t, err, reasonTooLarge); ie.Error() != "入参错误,图片[image]图片大小超过3MB" {
		t.Errorf("Error() = %q", ie.Error())
	}
}

// TestDecodeBase64RejectsBeforeAllocating sends 40 MB of base64 against a
// 3 MB limit: the refusal must not allocate anything near the input's size.
func TestDecodeBase64RejectsBeforeAllocating(t *testing.T) {
	for name, s := range map[string]string{
		"plain":      strings.Repeat("AAAA", 10<<20),
		"whitespace": strings.Repeat("AAAA\n\t ", 6<<20),
		"padding":    strings.Repeat("A", 1000) + strings.Repeat("=", 40<<20),
	} {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := DecodeBase64(s, 3<<20)
		runtime.ReadMemStats(&after)
		wantReason(t, err, reasonTooLarge)
		if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
			t.Errorf("%s: allocated %d bytes", name, n)
		}
	}
	// Mostly whitespace around little data is accepted, with buffers sized
	// by the data rather than the text.
	data := bytes.Repeat([]byte{0xAB}, 3000)
	s := wrap(base64.StdEncoding.EncodeToString(data), 4, strings.Repeat("\n", 10000))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	got, err := DecodeBase64(s, 4096)
	runtime.ReadMemStats(&after)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("whitespace-padded text: %v", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 64<<10 {
		t.Errorf("allocated %d bytes for 3000 bytes of data", n)
	}
}

// TestDecodeBase64Allocs pins the allocation count: the output alone for
// clean or line-wrapped text, one more buffer when spaces must be removed.
func TestDecodeBase64Allocs(t *testing.T) {
	photo := realPhoto(t, "portrait-exif.jpg")
	std := base64.StdEncoding.EncodeToString(photo)
	for _, tc := range []struct {
		name string
		in   string
		want float64
	}{
		{"std", std, 1},
		{"raw url", base64.RawURLEncoding.EncodeToString(photo), 1},
		{"data uri", "data:image/jpeg;base64," + std, 1},
		{"mime", wrap(std, 76, "\r\n"), 1},
		{"spaces", wrap(std, 76, " "), 2},
	} {
		if n := testing.AllocsPerRun(5, func() { _, _ = DecodeBase64(tc.in, 0) }); n != tc.want {
			t.Errorf("%s: %v allocations, want %v", tc.name, n, tc.want)
		}
	}
}

func TestEncodedLen(t *testing.T) {
	for _, n := range []int{-1, 0, 1, 2, 3, 4, 3 << 20} {
		want := 0
		if n > 0 {
			want = len(base64.StdEncoding.EncodeToString(make([]byte, n)))
		}
		if got := EncodedLen(n); got != want {
			t.Errorf("EncodedLen(%d) = %d, want %d", n, got, want)
		}
	}
	if EncodedLen(3<<20) != 4<<20 {
		t.Error("3 MB should encode to exactly 4 MB")
	}
}
