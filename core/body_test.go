package core

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"net/url"
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
