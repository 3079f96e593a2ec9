package jsonstr

import (
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

// photo is base64 as PHP's json_encode writes it, each '/' as "\/".
var photo = `"` + strings.Repeat(`QUJD\/+/9j\/4AAQSkZJRgABAQ==`, 40) + `"`

// literals are JSON string literals, and near misses, on which Unquote
// must answer what json.Unmarshal into a string answers.
var literals = []struct{ name, lit string }{
	{"empty", `""`},
	{"plain", `"abc"`},
	{"chinese", `"张三"`},
	{"short escapes", `"a\"b\\c\/d\b\f\n\r\t"`},
	{"escaped slash", `"QUJD\/+=="`},
	{"photo", photo},
	{"escaped json", `"{\"image\":\"QUJD\/+==\"}"`},
	{"backslashes", `"` + strings.Repeat(`\\`, 100) + `"`},
	{"u escape", `"\u00e9"`},
	{"u escape upper hex", `"\u00E9\u5F20"`},
	{"u escape nul", `"a\u0000b"`},
	{"surrogate pair", `"\ud83d\ude00"`},
	{"lone high surrogate", `"\ud83d"`},
	{"high surrogate then text", `"\ud83dx"`},
	{"high surrogate then backslash", `"\ud83d\\"`},
	{"reversed pair", `"\ude00\ud83d"`},
	{"high surrogate then bmp", `"\ud83d\u0041"`},
	{"two high surrogates", `"\ud83d\ud83d\ude00"`},
	{"high surrogate then bad hex", `"\ud83d\uzzzz"`},
	{"high surrogate then short hex", `"\ud83d\u12"`},
	{"invalid utf8", "\"\xff\xfeok\""},
	{"cut rune", "\"a\xe5\xbcb\""},
	{"cut rune before escape", "\"a\xe5\xbc\\nb\""},
	{"encoded surrogate", "\"\xed\xa0\x80\""},
	{"replacement char", "\"\xef\xbf\xbd\""},
	{"del", "\"\x7f\""},
	{"escaped apostrophe", `"\'"`},
	{"unknown escape", `"\x"`},
	{"upper u escape", `"\U00e9"`},
	{"escape of rune", `"\é"`},
	{"cut u escape", `"\u00"`},
	{"bare u escape", `"\u"`},
	{"bad hex", `"\u00g0"`},
	{"cut escape", `"\`},
	{"escaped closing quote", `"\"`},
	{"text then escaped quote", `"a\"`},
	{"raw quote", `"a"b"`},
	{"two literals", `"a""b"`},
	{"raw nul", "\"a\x00b\""},
	{"raw newline", "\"a\nb\""},
	{"raw unit separator", "\"\x1f\""},
	{"raw control in photo", photo[:100] + "\t" + photo[100:]},
	{"quote only", `"`},
	{"nothing", ``},
	{"no quotes", `a`},
	{"no closing quote", `"abc`},
	{"no opening quote", `abc"`},
	{"space before", ` "a"`},
	{"space after", `"a" `},
	{"null", `null`},
	{"number", `1`},
}

// sameAsEncodingJSON fails unless Unquote decodes lit as json.Unmarshal
// decodes it into a string, and refuses it where json.Unmarshal does.
func sameAsEncodingJSON[T ~string | ~[]byte](t *testing.T, lit T) {
	t.Helper()
	got, ok := Unquote(lit)
	var want string
	err := json.Unmarshal([]byte(lit), &want)
	// json.Unmarshal also takes white space around a literal, and leaves
	// a string alone for a value of another kind.
	n := len(lit)
	wantOK := err == nil && n > 0 && lit[0] == '"' && lit[n-1] == '"'
	if ok != wantOK || ok && got != want {
		t.Fatalf("%T %.60q: got %.60q, %v; encoding/json %.60q, %v", lit, lit, got, ok, want, err)
	}
}

func TestUnquoteMatchesEncodingJSON(t *testing.T) {
	for _, c := range literals {
		t.Run(c.name, func(t *testing.T) {
			sameAsEncodingJSON(t, c.lit)
			sameAsEncodingJSON(t, []byte(c.lit))
		})
	}
}

// TestUnquoteAllocatesOnce checks that the result is the one allocation:
// a string is not copied to be read as bytes, and the result is built at
// its final size.
func TestUnquoteAllocatesOnce(t *testing.T) {
	raw := []byte(photo)
	for _, f := range []struct {
		name string
		fn   func() (string, bool)
	}{
		{"string", func() (string, bool) { return Unquote(photo) }},
		{"bytes", func() (string, bool) { return Unquote(raw) }},
	} {
		if _, ok := f.fn(); !ok {
			t.Fatalf("%s: photo refused", f.name)
		}
		if n := testing.AllocsPerRun(20, func() { f.fn() }); n != 1 {
			t.Errorf("%s: %v allocations, want 1", f.name, n)
		}
	}
}

func TestPlainLen(t *testing.T) {
	for _, c := range []struct {
		s    string
		want int
	}{
		{"", 0},
		{"abc", 3},
		{`abc"`, 3},
		{`abcdefghij\`, 10},
		{"abcdefghijklmno\x1f", 15},
		{"张三\x7f\xff", 8},
		{strings.Repeat("QUJD", 100) + "\x00", 400},
		{`"`, 0},
	} {
		if got := PlainLen(c.s); got != c.want || PlainLen([]byte(c.s)) != c.want {
			t.Errorf("PlainLen(%.40q) = %d, want %d", c.s, got, c.want)
		}
	}
}

// plainLenByByte is PlainLen a byte at a time.
func plainLenByByte(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '"' || c == '\\' || c < 0x20 {
			return i
		}
	}
	return len(s)
}

func FuzzUnquote(f *testing.F) {
	for _, c := range literals {
		f.Add(c.lit)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, lit := range []string{s, `"` + s + `"`} {
			sameAsEncodingJSON(t, lit)
			sameAsEncodingJSON(t, []byte(lit))
		}
		if got, want := PlainLen(s), plainLenByByte(s); got != want || PlainLen([]byte(s)) != want {
			t.Fatalf("PlainLen(%.60q) = %d, want %d", s, got, want)
		}
	})
}

// BenchmarkUnquote decodes a 4 MB base64 photo as PHP writes it: a '/'
// is one in 64 characters of base64.
func BenchmarkUnquote(b *testing.B) {
	data := make([]byte, 3_000_000)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	lit := `"` + strings.ReplaceAll(base64.StdEncoding.EncodeToString(data), "/", `\/`) + `"`
	raw := []byte(lit)
	for _, v := range []struct {
		name string
		fn   func() bool
	}{
		{"string", func() bool { _, ok := Unquote(lit); return ok }},
		{"bytes", func() bool { _, ok := Unquote(raw); return ok }},
		{"encoding-json", func() bool { var s string; return json.Unmarshal(raw, &s) == nil }},
	} {
		b.Run(v.name, func(b *testing.B) {
			b.SetBytes(int64(len(lit)))
			b.ReportAllocs()
			for b.Loop() {
				if !v.fn() {
					b.Fatal("photo refused")
				}
			}
		})
	}
}
