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
	data := make([]byte, 500_000)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	body := url.Values{"idcard": {"110101199003070011"}, "image": {base64.StdEncoding.EncodeToString(data)}, "name": {"张三"}, "url": {""}}.Encode()
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
