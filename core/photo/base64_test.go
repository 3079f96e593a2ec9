package photo

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
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
	short := []byte("\xff\xd8\xff\xfb\xef\xbe hi!") // "/9j/++++IGhpIQ==": '+', '/' and padding
	zeros := bytes.Repeat([]byte("000"), 100)       // "MDAw…": no '+' anywhere
	def := DefaultLimits().MaxBytes

	tests := []struct {
		name   string
		in     string
		max    int
		want   []byte // nil when an error is expected
		reason string
	}{
		{"std padded", std, def, photo, ""},
		{"std raw", base64.RawStdEncoding.EncodeToString(photo), def, photo, ""},
		{"url padded", base64.URLEncoding.EncodeToString(photo), def, photo, ""},
		{"url raw", base64.RawURLEncoding.EncodeToString(photo), def, photo, ""},
		{"short std", base64.StdEncoding.EncodeToString(short), def, short, ""},
		{"short url raw", base64.RawURLEncoding.EncodeToString(short), def, short, ""},
		{"data uri", "data:image/jpeg;base64," + std, def, photo, ""},
		{"data uri upper case", "DATA:image/JPEG;BASE64," + std, def, photo, ""},
		{"data uri mislabelled", "data:image/png;base64," + std, def, photo, ""},
		{"data uri with parameters", "data:image/jpeg;name=a.jpg;base64," + std, def, photo, ""},
		{"data uri no media type", "data:;base64," + std, def, photo, ""},
		{"data uri url alphabet", "data:image/jpeg;base64," + base64.RawURLEncoding.EncodeToString(photo), def, photo, ""},
		{"data uri then whitespace", "  data:image/jpeg;base64,\r\n" + wrap(std, 64, "\n") + "\n", def, photo, ""},
		{"mime crlf", wrap(std, 76, "\r\n"), def, photo, ""},
		{"lf raw url", wrap(base64.RawURLEncoding.EncodeToString(photo), 60, "\n"), def, photo, ""},
		{"spaces and tabs", wrap(std, 7, " \t "), def, photo, ""},
		{"every kind of whitespace", "\t " + wrap(std, 3, "\r\n\t ") + " \n", def, photo, ""},
		{"whitespace inside padding", std[:len(std)-1] + "\n=", def, photo, ""},
		{"form-mangled plus", formMangle(std), def, photo, ""},
		{"form-mangled plus, line-wrapped", wrap(formMangle(std), 76, "\r\n"), def, photo, ""},
		{"form-mangled needs 1024 data characters", wrap(base64.StdEncoding.EncodeToString(zeros), 1, " \t"), def, zeros, ""},
		{"exactly max", std, len(photo), photo, ""},
		{"exactly max, whitespace between padding", wrap("MDAwMA==", 1, "\r\n \t"), 4, []byte("0000"), ""},
		{"exactly max, whitespace-inflated", wrap(std, 1, "\n\n"), len(photo), photo, ""},

		{"empty", "", def, nil, reasonMissing},
		{"whitespace only", " \r\n\t", def, nil, reasonMissing},
		{"empty data uri", "data:image/jpeg;base64,", def, nil, reasonMissing},
		{"one byte over max", std, len(photo) - 1, nil, reasonTooLarge},
		{"one byte over max, raw", base64.RawStdEncoding.EncodeToString(photo), len(photo) - 1, nil, reasonTooLarge},
		{"over max, whitespace", wrap(std, 76, "\r\n"), len(photo) - 1, nil, reasonTooLarge},
		{"mixed alphabets", "ab+c-d/_" + std, def, nil, reasonBase64},
		{"url char in std text", std[:100] + "-" + std[101:], def, nil, reasonBase64},
		{"junk", "!!!!", def, nil, reasonBase64},
		{"non-ascii", "QUJD5Lit", def, []byte("ABC中"), ""},
		{"non-ascii junk", "QUJD中文", def, nil, reasonBase64},
		{"length 4n+1", std + "A", def, nil, reasonBase64},
		{"padding in the middle", "QQ==QQ==", def, nil, reasonBase64},
		{"too much padding", "QQ===", def, nil, reasonBase64},
		{"padding only", "====", def, nil, reasonBase64},
		{"data uri not base64", "data:image/jpeg," + std, def, nil, reasonBase64},
		{"data uri without comma", "data:image/jpeg;base64" + std, def, nil, reasonBase64},
		{"data uri percent-encoded", "data:image/jpeg;charset=utf-8,%FF%D8", def, nil, reasonBase64},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeBase64(tc.in, tc.max)
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
	_, err := decodeBase64("!!!!", 0)
	if ie := wantReason(t, err, reasonBase64); ie.Error() != "入参错误,图片[image]base64编码错误" {
		t.Errorf("Error() = %q", ie.Error())
	}
	_, err = decodeBase64(strings.Repeat("QUFB", 1<<20+1), 0) // 3 MB + 3 bytes with the default limit
	if ie := wantReason(t, err, reasonTooLarge); ie.Error() != "入参错误,图片[image]大小超过3MB" {
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
		_, err := decodeBase64(s, 3<<20)
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
	got, err := decodeBase64(s, 4096)
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
		if n := testing.AllocsPerRun(5, func() { _, _ = decodeBase64(tc.in, 0) }); n != tc.want {
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

// TestCompact checks the word-at-a-time whitespace removal against the
// obvious byte loop, on text dense with every byte class it distinguishes.
func TestCompact(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	alphabet := []byte("AZaz09+/-_= \t\r\n\x00\x1f!\x7f\x80\xff")
	for range 2000 {
		s := make([]byte, r.IntN(80))
		for i := range s {
			if r.IntN(3) == 0 {
				s[i] = alphabet[r.IntN(len(alphabet))]
			} else {
				s[i] = 'A' + byte(r.IntN(26))
			}
		}
		for _, plus := range []bool{false, true} {
			var want []byte
			for _, c := range s {
				switch {
				case c == ' ' && plus:
					want = append(want, '+')
				case !isSpace(c):
					want = append(want, c)
				}
			}
			if got := compact(s, 0, plus); !bytes.Equal(got, want) {
				t.Fatalf("compact(%q, %v) = %q, want %q", s, plus, got, want)
			}
		}
	}
}
