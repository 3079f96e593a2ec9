package httpapi

import (
	"encoding/base64"
	"errors"
	"maps"
	"math/rand/v2"
	"strings"
	"testing"
	"unsafe"

	"github.com/faceid-verify/faceid/core/invalid"
)

// jsonCases are bodies on which the single-pass parser must answer what
// encoding/json's tokenizer answered.
var jsonCases = []string{
	`{"idcard":"110101199003070011","name":"张三","image":"AAAA"}`,
	` { "idcard" : "1" , "name":"a" } `, `{}`, `{ }`, ``, ` `, `[]`, `"x"`, `null`, `1`, `{`, `}`, `{"a"}`,
	`{"a":1,}`, `{,}`, `{"a":1 "b":2}`, `{"a" 1}`, `{"a":}`, `{"a":1}}`, `{"a":1} {}`, `{"a":1} x`, `{"a":1}` + "\n\t",
	`{"idcard":1}`, `{"idcard":null}`, `{"idcard":true}`, `{"idcard":[]}`, `{"idcard":{}}`, `{"idcard":"1","idcard":"2"}`,
	`{"x":1,"x":2}`, `{"x":{"a":[1,{"b":"}"}]},"name":"n"}`, `{"x":[1,2,3]],"name":"n"}`, `{"x":[1,2,3}`, `{"x":{"a":1]}`,
	`{"x":tru}`, `{"x":truex}`, `{"x":01}`, `{"x":-}`, `{"x":1.5e3}`, `{"x":"\u00"}`, `{"name":"\u5f20\u4e09"}`,
	`{"name":"a\"b"}`, `{"name":"a\\"}`, `{"name":"a\\\"}`, `{"name":"\ud800"}`, `{"name":"a\/b"}`, `{"name":"\x"}`,
	"{\"name\":\"a\nb\"}", "{\"name\":\"a\x00b\"}", "{\"name\":\"\xff\"}", `{"name":"a\u0000b"}`, `{"\u006eame":"x","name":"y"}`,
	`{"image":"` + strings.Repeat("QUJD", 100) + `","url":""}`, `{"image":"QUJD\/QUJD"}`, `{"image":"QUJD"`, `{"image":"QUJD`,
	`{"a":[` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + `]}`, `{"a":"\`, `{"a":"\"`, `{"a":"b"\`,
	"\xef\xbb\xbf{}", `{"a":1e999}`, `{"a":-0}`, `{"name":00`, `{"name":0 0}`, `{"x":00,"name":1}`, `{"x":[1]]}`, `{"x":nul}`, `{"idcard":"1" , "name" : "2" ,"image":"3", "url":"4","other":"5"}`,
}

// sameAnswer fails unless both parsers decode body alike: the same
// values, or errors naming the same field and reason.
func sameAnswer(t *testing.T, body string) {
	t.Helper()
	want, werr := parseJSONReference([]byte(body))
	got, gerr := parseJSON(body)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("%.80q: error %v, reference %v", body, gerr, werr)
	}
	if werr != nil {
		var we, ge *invalid.Error
		if !errors.As(werr, &we) || !errors.As(gerr, &ge) || we.Field != ge.Field || we.Reason != ge.Reason {
			t.Fatalf("%.80q: error %v, reference %v", body, gerr, werr)
		}
		return
	}
	if !maps.Equal(got, want) {
		t.Fatalf("%.80q: decoded %q, reference %q", body, got, want)
	}
}

func TestParseJSONMatchesReference(t *testing.T) {
	for _, body := range jsonCases {
		sameAnswer(t, body)
	}
}

// TestParseJSONNoCopy checks that an unescaped photo is handed on as a
// piece of the body, not copied.
func TestParseJSONNoCopy(t *testing.T) {
	img := base64.StdEncoding.EncodeToString(make([]byte, 1<<20))
	body := `{"idcard":"110101199003070011","image":"` + img + `"}`
	allocs := testing.AllocsPerRun(10, func() {
		v, err := parseJSON(body)
		if err != nil || v["image"] != img {
			t.Fatal("photo not decoded")
		}
	})
	if allocs > 4 { // the two maps, their storage
		t.Errorf("%v allocations per parse, want a few small ones", allocs)
	}
	v, _ := parseJSON(body)
	if i := strings.Index(body, img); i < 0 || unsafe.StringData(v["image"]) != unsafe.StringData(body[i:]) {
		t.Fatal("photo is not the body's own text")
	}
}

func FuzzParseJSON(f *testing.F) {
	for _, body := range jsonCases {
		f.Add(body)
	}
	f.Fuzz(func(t *testing.T, body string) {
		sameAnswer(t, body)
	})
}

func BenchmarkParseJSON(b *testing.B) {
	data := make([]byte, 3_000_000)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	body := `{"idcard":"110101199003070011","name":"张三","image":"` + base64.StdEncoding.EncodeToString(data) + `"}`
	for _, v := range []struct {
		name string
		fn   func() error
	}{
		{"single-pass", func() error { _, err := parseJSON(body); return err }},
		{"reference", func() error { _, err := parseJSONReference([]byte(body)); return err }},
	} {
		b.Run(v.name+"/3MB", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				if err := v.fn(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
