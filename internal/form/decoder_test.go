package form

import (
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// chunked reads s a few bytes at a time, as a body arrives in TLS records
// and network reads, at most max bytes per Read (drawn from r).
type chunked struct {
	s   string
	r   *rand.Rand
	max int
	// seen, when set, is called before each Read.
	seen func()
}

func (c *chunked) Read(p []byte) (int, error) {
	if c.seen != nil {
		c.seen()
	}
	if c.s == "" {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), 1+c.r.IntN(c.max))], c.s)
	c.s = c.s[n:]
	return n, nil
}

// decodeLike fails unless a Decoder reading body in chunks, with the
// given size hint, gives the body back and answers what url.ParseQuery
// answers.
func decodeLike(t *testing.T, body string, size, maxRead int, r *rand.Rand) {
	t.Helper()
	d := NewDecoder(size)
	n, err := d.ReadFrom(&chunked{s: body, r: r, max: maxRead})
	if err != nil || n != int64(len(body)) || d.Body() != body {
		t.Fatalf("%.60q: ReadFrom = %d, %v; body %.60q", body, n, err, d.Body())
	}
	want, werr := url.ParseQuery(body)
	got, gerr := d.Values()
	if fmt.Sprint(werr) != fmt.Sprint(gerr) || !reflect.DeepEqual(got, want) {
		t.Fatalf("%.60q (size %d, reads ≤ %d): %v (%v), url.ParseQuery %v (%v)", body, size, maxRead, got, gerr, want, werr)
	}
}

func TestDecoderMatchesNetURL(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	bodies := append([]string{}, cases...)
	for range 3000 {
		b := make([]byte, r.IntN(80))
		for i := range b {
			const alphabet = "ab=&%+2F;\xe5"
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		bodies = append(bodies, string(b))
	}
	for _, body := range bodies {
		for _, size := range []int{len(body), 0, len(body) / 2, len(body) + 100} {
			for _, maxRead := range []int{1, 3, 7, 64} {
				decodeLike(t, body, size, maxRead, r)
			}
		}
	}
	photo := largeBody(200_000)
	for _, maxRead := range []int{1 << 10, 16 << 10, 64 << 10} {
		decodeLike(t, photo, len(photo), maxRead, r)
		decodeLike(t, photo, 0, maxRead, r)
	}
}

// The point of a Decoder: by the last read, all but the last read's bytes
// have been parsed.
func TestDecoderParsesAsItReads(t *testing.T) {
	body := largeBody(200_000)
	d := NewDecoder(len(body))
	const maxRead = 4 << 10
	c := &chunked{s: body, r: rand.New(rand.NewPCG(5, 6)), max: maxRead}
	behind := 0
	c.seen = func() {
		read := len(body) - len(c.s)
		behind = max(behind, read-d.pos)
	}
	if _, err := d.ReadFrom(c); err != nil {
		t.Fatal(err)
	}
	// At most one read's bytes, plus an escape cut short, wait.
	if behind > maxRead+2 {
		t.Fatalf("the parse fell %d bytes behind the reads", behind)
	}
	if v, err := d.Values(); err != nil || len(v.Get("image")) < 100_000 {
		t.Fatalf("Values = %d-byte image, %v", len(v.Get("image")), err)
	}
}

// A body that opens like JSON is read, not parsed: the sandbox reads it as
// JSON. Values still answers as Parse.
func TestDecoderLeavesJSONAlone(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, body := range []string{`{"idcard":"1","image":"a+b%2F"}`, " \n{a=1&b=%41", "{"} {
		decodeLike(t, body, len(body), 4, r)
		d := NewDecoder(len(body))
		if _, err := d.ReadFrom(strings.NewReader(body)); err != nil || d.out != nil {
			t.Errorf("%q: ReadFrom = %v; unescaped %d bytes", body, err, len(d.out))
		}
	}
}

func TestDecoderReadError(t *testing.T) {
	boom := errors.New("connection reset")
	d := NewDecoder(0)
	_, err := d.ReadFrom(io.MultiReader(strings.NewReader("a=1&b="), iotest.ErrReader(boom)))
	if !errors.Is(err, boom) || d.Body() != "a=1&b=" {
		t.Fatalf("ReadFrom = %v, body %q; want the read error and the body so far", err, d.Body())
	}
}

func FuzzDecoder(f *testing.F) {
	for _, c := range cases {
		f.Add(c, uint8(3), uint64(1))
	}
	f.Fuzz(func(t *testing.T, body string, maxRead uint8, seed uint64) {
		r := rand.New(rand.NewPCG(seed, 7))
		decodeLike(t, body, len(body), int(maxRead)+1, r)
		decodeLike(t, body, 0, int(maxRead)+1, r)
	})
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

// BenchmarkDecoder reads the 500 KB photo's body in 16 KB reads (a TLS
// record each), against reading it whole and then calling Parse.
func BenchmarkDecoder(b *testing.B) {
	body := largeBody(500_000)
	b.Run("decoder/500KB", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		r := rand.New(rand.NewPCG(1, 2))
		for b.Loop() {
			d := NewDecoder(len(body))
			if _, err := d.ReadFrom(&chunked{s: body, r: r, max: 16 << 10}); err != nil {
				b.Fatal(err)
			}
			if _, err := d.Values(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("read-then-parse/500KB", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		r := rand.New(rand.NewPCG(1, 2))
		for b.Loop() {
			var sb strings.Builder
			sb.Grow(len(body))
			if _, err := io.Copy(&sb, &chunked{s: body, r: r, max: 16 << 10}); err != nil {
				b.Fatal(err)
			}
			if _, err := Parse(sb.String()); err != nil {
				b.Fatal(err)
			}
		}
	})
}
