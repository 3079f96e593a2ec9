package form

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

var cases = []string{
	"", "a=1", "a=1&b=2&a=3", "a", "a=", "=1", "&&a=1&&", "a=%41%42", "a=%4", "a=%", "a=%zz&b=2", "a=%zz&b=%yy",
	"a+b=c+d", "a=1;b=2", "a=%2B%2F%3D", "%=1", "a=%E5%BC%A0%E4%B8%89", "a=\xff", "a=b=c", "idcard=1&image=QUJD%2B%2F%3D%3D&name=&url=",
	strings.Repeat("a=1&", 10001), strings.Repeat("&", 9999) + "a=1",
}

// same fails unless Parse answers what url.ParseQuery answers.
func same(t *testing.T, body string) {
	t.Helper()
	want, werr := url.ParseQuery(body)
	got, gerr := Parse(body)
	if fmt.Sprint(werr) != fmt.Sprint(gerr) || !reflect.DeepEqual(got, want) {
		t.Fatalf("%.60q: %v (%v), url.ParseQuery %v (%v)", body, got, gerr, want, werr)
	}
}

func TestParseMatchesNetURL(t *testing.T) {
	for _, c := range cases {
		same(t, c)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		b := make([]byte, r.IntN(60))
		for i := range b {
			const alphabet = "ab=&%+2F;\xe5"
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		same(t, string(b))
	}
}

func TestUnescapeNoCopy(t *testing.T) {
	s := "QUJDRA"
	if got, _ := unescape(s); got != s || testing.AllocsPerRun(10, func() { unescape(s) }) != 0 {
		t.Fatal("text without escapes was copied")
	}
}

func FuzzParse(f *testing.F) {
	for _, c := range cases {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, body string) { same(t, body) })
}

func BenchmarkParse(b *testing.B) {
	body := largeBody(500_000)
	for _, v := range []struct {
		name string
		fn   func(string) (url.Values, error)
	}{{"form", Parse}, {"net-url", url.ParseQuery}} {
		b.Run(v.name+"/500KB", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.fn(body); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// randomEscaped is form-encoded text of about n characters: base64 with
// its escapes, '+', escapes of every byte value, and, when bad is set, one
// broken escape somewhere.
func randomEscaped(r *rand.Rand, n int, bad bool) string {
	const plain = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	var b strings.Builder
	for b.Len() < n {
		switch k := r.IntN(40); {
		case k < 3:
			b.WriteString([]string{"%2B", "%2F", "%3D"}[k])
		case k == 3:
			b.WriteByte('+')
		case k == 4:
			fmt.Fprintf(&b, "%%%02X", r.IntN(256))
		case k == 5:
			fmt.Fprintf(&b, "%%%02x", r.IntN(256))
		default:
			b.WriteByte(plain[r.IntN(len(plain))])
		}
	}
	s := b.String()
	if bad {
		i := r.IntN(len(s) + 1)
		s = s[:i] + []string{"%zz", "%4g", "%g4", "%", "%4", "%%41", "%+1"}[r.IntN(7)] + s[i:]
	}
	return s
}

// Long text, with escapes at every length and offset, is held to
// url.QueryUnescape.
func TestUnescapeLong(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for trial := range 20000 {
		s := randomEscaped(r, 100+r.IntN(600), trial%3 == 0)
		want, werr := url.QueryUnescape(s)
		got, gerr := unescape(s)
		if got != want || fmt.Sprint(gerr) != fmt.Sprint(werr) {
			t.Fatalf("unescape(%q)\n = %q, %v\nwant %q, %v", s, got, gerr, want, werr)
		}
	}
}

// unescapeInto stays within the room it asks for, wherever in out it
// starts.
func TestUnescapeIntoBounds(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for range 2000 {
		s := randomEscaped(r, 136+r.IntN(400), false)
		n := r.IntN(20)
		buf := make([]byte, n+len(s)+32)
		for i := range buf {
			buf[i] = 0xA5
		}
		out := buf[:n+len(s)]
		end, used := unescapeInto(out, n, s)
		want, _ := url.QueryUnescape(s)
		if used != len(s) || string(out[n:end]) != want {
			t.Fatalf("unescapeInto(%q) at %d = %q (read %d)", s, n, out[n:end], used)
		}
		for i, c := range buf[len(out):] {
			if c != 0xA5 {
				t.Fatalf("unescapeInto wrote %d bytes past its room", i+1)
			}
		}
		for i, c := range buf[:n] {
			if c != 0xA5 {
				t.Fatalf("unescapeInto wrote byte %d, before its start %d", i, n)
			}
		}
	}
}

// largeBody is a form body as the samples send it, with a photo of n
// random bytes.
func largeBody(n int) string {
	data := make([]byte, n)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	return url.Values{"idcard": {"110101199003070011"}, "image": {base64.StdEncoding.EncodeToString(data)}, "name": {"张三"}, "url": {""}}.Encode()
}
