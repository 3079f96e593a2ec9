package core

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/core/hmacauth"
)

// benchPhoto is the test JPEG padded to n bytes. Decoders stop at the end
// marker and every local check reads only headers, so the padding costs
// what real photo bytes would.
func benchPhoto(b *testing.B, n int) []byte {
	b.Helper()
	img := testPhoto(b)
	out := make([]byte, n)
	copy(out, img)
	for i := len(img); i < n; i++ {
		out[i] = byte(i * 131)
	}
	return out
}

var benchSizes = []struct {
	name string
	n    int
}{{"50KB", 50_000}, {"500KB", 500_000}, {"3MB", 3_000_000}}

const benchAnswer = `{"msg":"成功","success":true,"code":200,"data":{"order_no":"568753443590770688","score":0.82,"msg":"系统判断为同一人","incorrect":100}}`

// BenchmarkCoreOverhead is one verification's local work, the upstream's
// time excluded: base64 decoding and validation of the inbound photo, the
// form body, the signature, and decoding the answer.
func BenchmarkCoreOverhead(b *testing.B) {
	c := &Client{cfg: Config{}.WithDefaults(), now: time.Now}
	creds := hmacauth.Credentials{SecretID: "id", SecretKey: "key", Source: "market", Variant: hmacauth.XDate}
	resp := &http.Response{StatusCode: 200, Header: http.Header{}}
	lim := c.cfg.Limits()
	for _, sz := range benchSizes {
		b64 := base64.StdEncoding.EncodeToString(benchPhoto(b, sz.n))
		b.Run(sz.name, func(b *testing.B) {
			b.SetBytes(int64(sz.n))
			b.ReportAllocs()
			for b.Loop() {
				checked, err := Request{Name: "张三", IDCard: testID, ImageBase64: b64}.Validate(lim, time.Now())
				if err != nil {
					b.Fatal(err)
				}
				body := newSharedBody(&c.pool)
				encodeForm(body.buf, checked)
				h := make(http.Header, 4)
				hmacauth.Sign(h, creds, time.Now())
				if _, err := c.decode(resp, []byte(benchAnswer), ""); err != nil {
					b.Fatal(err)
				}
				body.release()
			}
		})
	}
}

// BenchmarkFloor is the irreducible work on the photo: base64-encoding it
// and AES-GCM-sealing the encoded bytes, as TLS does on the way out.
func BenchmarkFloor(b *testing.B) {
	block, _ := aes.NewCipher(make([]byte, 16))
	aead, _ := cipher.NewGCM(block)
	nonce := make([]byte, aead.NonceSize())
	for _, sz := range benchSizes {
		photo := benchPhoto(b, sz.n)
		enc := make([]byte, base64.StdEncoding.EncodedLen(len(photo)))
		sealed := make([]byte, 0, len(enc)+aead.Overhead())
		b.Run(sz.name, func(b *testing.B) {
			b.SetBytes(int64(sz.n))
			b.ReportAllocs()
			for b.Loop() {
				base64.StdEncoding.Encode(enc, photo)
				sealed = aead.Seal(sealed[:0], nonce, enc, nil)
			}
		})
	}
}

// BenchmarkFormEncoding compares the fused encoder with the obvious
// base64.EncodeToString + url.Values.Encode.
func BenchmarkFormEncoding(b *testing.B) {
	for _, sz := range benchSizes {
		photo := benchPhoto(b, sz.n)
		b.Run("fused/"+sz.name, func(b *testing.B) {
			var buf bytes.Buffer
			b.SetBytes(int64(sz.n))
			b.ReportAllocs()
			for b.Loop() {
				buf.Reset()
				appendBase64Escaped(&buf, photo)
			}
		})
		b.Run("url.Values/"+sz.name, func(b *testing.B) {
			b.SetBytes(int64(sz.n))
			b.ReportAllocs()
			for b.Loop() {
				s := urlValuesForm(photo)
				if len(s) == 0 {
					b.Fatal("empty")
				}
			}
		})
	}
}

func urlValuesForm(photo []byte) string {
	return url.Values{"image": {base64.StdEncoding.EncodeToString(photo)}}.Encode()
}
