package httphandler

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
	// Escaped strings, which jsonstr.Unquote decodes: PHP's "\/" in a long
	// value, \u escapes, surrogates, and escapes encoding/json refuses.
	`{"image":"` + strings.Repeat(`QUJD\/+/9j\/4AAQ`, 300) + `","name":"n"}`, `{"image":"\/` + strings.Repeat("QUJD", 300) + `\/"}`,
	`{"name":"a\"b\\c\/d\b\f\n\r\t"}`, `{"name":"\u00e9\u00E9\u5F20"}`, `{"name":"\ud83d\ude00"}`, `{"name":"\ud83d"}`,
	`{"name":"\ud83dx"}`, `{"name":"\ude00\ud83d"}`, `{"name":"\ud83d\u0041"}`, `{"name":"\ud83d\ud83d\ude00"}`,
	`{"name":"\ud83d\uzzzz"}`, `{"name":"\ud83d\u12"}`, `{"name":"\ud83d\\"}`, `{"name":"a\'b"}`, `{"name":"\U00e9"}`,
	`{"name":"\u00g0"}`, `{"name":"\u"}`, `{"name":"\张"}`, `{"\"":"x","name":"\/"}`, "{\"name\":\"\\u00e9\x01\"}",
	`{"image":"QUJD\/` + strings.Repeat("QUJD", 30) + "\x1f" + `QUJD"}`, "{\"name\":\"\\n\xff\"}",
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
	f.Add(`QUJD\/+/9j\/4AAQ\u00e9\ud83d\ude00`)
	f.Fuzz(func(t *testing.T, body string) {
		sameAnswer(t, body)
		// The input again as the text of a string field, so that most
		// mutations land in a string: escapes, surrogates, bad bytes.
		sameAnswer(t, `{"idcard":"1","image":"`+body+`"}`)
	})
}

// BenchmarkParseJSON parses a body carrying a 4 MB base64 photo, as most
// clients send it and as PHP's json_encode does, writing each '/' as
// "\/" (about one in 64 characters of base64).
func BenchmarkParseJSON(b *testing.B) {
	data := make([]byte, 3_000_000)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	img := base64.StdEncoding.EncodeToString(data)
	for _, photo := range []struct{ name, text string }{
		{"3MB", img},
		{"3MB-escaped", strings.ReplaceAll(img, "/", `\/`)},
	} {
		body := `{"idcard":"110101199003070011","name":"张三","image":"` + photo.text + `"}`
		for _, v := range []struct {
			name string
			fn   func() error
		}{
			{"single-pass", func() error { _, err := parseJSON(body); return err }},
			{"reference", func() error { _, err := parseJSONReference([]byte(body)); return err }},
		} {
			b.Run(v.name+"/"+photo.name, func(b *testing.B) {
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
}
