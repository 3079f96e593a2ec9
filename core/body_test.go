package core

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"io"
	mrand "math/rand/v2"
	"net/url"
	"strings"
	"testing"
)

// The fused encoder must produce exactly what url.Values would.
func TestEncodeFormMatchesURLValues(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 4, 3071, 3072, 3073, 100_000} {
		img := make([]byte, n)
		rand.Read(img)
		c := Checked{Name: "欧阳 娜娜&=", Image: img, URL: ""}
		var buf bytes.Buffer
		encodeForm(&buf, c)
		got, err := url.ParseQuery(buf.String())
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		if got.Get("image") != base64.StdEncoding.EncodeToString(img) {
			t.Fatalf("n=%d: image does not round-trip", n)
		}
		if got.Get("name") != c.Name || !got.Has("url") || !got.Has("idcard") {
			t.Fatalf("n=%d: fields %v", n, got)
		}
		if n > 0 {
			want := url.Values{"image": {base64.StdEncoding.EncodeToString(img)}}.Encode()
			if !bytes.Contains(buf.Bytes(), []byte(want)) {
				t.Fatalf("n=%d: escaping differs from url.Values", n)
			}
		}
	}
}

// The streaming body is byte for byte the buffered one, whatever room
// each Read gives it.
func TestStreamBodyMatchesEncodeForm(t *testing.T) {
	r := mrand.New(mrand.NewPCG(11, 12))
	for _, n := range []int{0, 1, 2, 3, 47, 48, 49, 95, 96, 97, 200, 3072, 100_000} {
		img := make([]byte, n)
		rand.Read(img)
		c := Checked{ID: mustID(t), Name: "欧阳 娜娜&=", Image: img}
		var want bytes.Buffer
		encodeForm(&want, c)
		text := base64.StdEncoding.EncodeToString(img)
		escapes := strings.Count(text, "+") + strings.Count(text, "/") + strings.Count(text, "=")
		for _, maxRead := range []int{1, 7, 100, 1000, 70_000} {
			b := newStreamBody(c, text, escapes)
			var got bytes.Buffer
			rd := b.reader()
			p := make([]byte, maxRead)
			for {
				k, err := rd.Read(p[:1+r.IntN(maxRead)])
				got.Write(p[:k])
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) || b.size() != int64(got.Len()) {
				t.Fatalf("n=%d, reads ≤ %d: %d bytes (size %d) differ from the %d-byte buffered body", n, maxRead, got.Len(), b.size(), want.Len())
			}
		}
	}
}

// BenchmarkStreamBody reads the 500 KB photo's streaming body as the
// transport does: bufio.Writer's ReadFrom into its 64 KiB buffer.
func BenchmarkStreamBody(b *testing.B) {
	img := benchPhoto(b, 500_000)
	text := base64.StdEncoding.EncodeToString(img)
	escapes := strings.Count(text, "+") + strings.Count(text, "/") + strings.Count(text, "=")
	c := Checked{ID: mustID(b), Name: "张三", Image: img}
	w := bufio.NewWriterSize(io.Discard, 64<<10)
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if _, err := w.ReadFrom(newStreamBody(c, text, escapes).reader()); err != nil {
			b.Fatal(err)
		}
	}
}
