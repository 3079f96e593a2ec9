package core

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"testing"
	"testing/iotest"
	"time"

	"github.com/faceid-verify/faceid/core/hmacauth"
	"github.com/faceid-verify/faceid/core/idcard"
	"github.com/faceid-verify/faceid/core/photo/decode"
)

// benchPhoto is the test JPEG padded to n bytes with random bytes, which
// encode and escape like compressed image data (one base64 character in 32
// is '+' or '/'). Decoders stop at the end marker and every local check
// reads only headers, so the padding costs what real photo bytes would.
func benchPhoto(b testing.TB, n int) []byte {
	b.Helper()
	img := testPhoto(b)
	out := make([]byte, n)
	copy(out, img)
	r := rand.New(rand.NewPCG(uint64(n), 7))
	for i := len(img); i < n; i++ {
		out[i] = byte(r.Uint32())
	}
	return out
}

var benchSizes = []struct {
	name string
	n    int
}{{"50KB", 50_000}, {"500KB", 500_000}, {"3MB", 3_000_000}}

const benchAnswer = `{"msg":"成功","success":true,"code":200,"data":{"order_no":"568753443590770688","score":0.82,"msg":"系统判断为同一人","incorrect":100}}`

// BenchmarkCoreOverhead is one verification's local work, the upstream's
// time excluded, as Verify does it: checking the inbound base64 photo
// (scanning the text, decoding its header, validating), producing the form
// body as the transport reads it (io.Copy's 32 KiB buffer), the signature, and
// decoding the answer. BenchmarkFloor runs in the same process, so their
// ratios are measured under the same load.
func BenchmarkCoreOverhead(b *testing.B) {
	c := &Client{cfg: Config{}.WithDefaults(), now: time.Now}
	creds := hmacauth.Credentials{SecretID: "id", SecretKey: "key", Source: "market", Variant: hmacauth.XDate}
	resp := &http.Response{StatusCode: 200, Header: http.Header{}}
	lim := c.cfg.Limits()
	wire := make([]byte, 32<<10) // the transport's copy buffer
	for _, sz := range benchSizes {
		b64 := base64.StdEncoding.EncodeToString(benchPhoto(b, sz.n))
		b.Run(sz.name, func(b *testing.B) {
			b.SetBytes(int64(sz.n))
			b.ReportAllocs()
			for b.Loop() {
				req := Request{Name: "张三", IDCard: testID, ImageBase64: b64}
				scratch := c.photos.get()
				checked, err := req.validate(context.Background(), lim, time.Now(), scratch, true)
				if err != nil {
					b.Fatal(err)
				}
				// Read as the transport reads it, into io.Copy's buffer.
				body := c.newBody(checked)
				r := body.reader()
				for {
					if _, err := r.Read(wire); err != nil {
						break
					}
				}
				body.release()
				h := make(http.Header, 4)
				hmacauth.Sign(h, creds, time.Now())
				if _, err := c.decode(resp, []byte(benchAnswer), ""); err != nil {
					b.Fatal(err)
				}
				c.photos.put(scratch)
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

// encodeFormBytewise and appendBase64EscapedBytewise are the encoder as
// it was before the word-at-a-time escaping, kept as a reference the
// tests compare against.
func encodeFormBytewise(buf *bytes.Buffer, c Checked) {
	n := base64.StdEncoding.EncodedLen(len(c.Image))
	buf.Grow(64 + len(c.URL)*3 + len(c.Name)*3 + n + n/8)
	buf.WriteString("idcard=")
	buf.WriteString(c.ID.String())
	buf.WriteString("&image=")
	appendBase64EscapedBytewise(buf, c.Image)
	buf.WriteString("&name=")
	buf.WriteString(url.QueryEscape(c.Name))
	buf.WriteString("&url=")
	buf.WriteString(url.QueryEscape(c.URL))
}

func appendBase64EscapedBytewise(buf *bytes.Buffer, src []byte) {
	const chunk = 3 * 1024
	var enc [4 * 1024]byte
	var out [3 * 4 * 1024]byte
	for len(src) > 0 {
		n := min(chunk, len(src))
		m := base64.StdEncoding.EncodedLen(n)
		base64.StdEncoding.Encode(enc[:m], src[:n])
		w := 0
		for _, ch := range enc[:m] {
			switch ch {
			case '+':
				out[w], out[w+1], out[w+2] = '%', '2', 'B'
				w += 3
			case '/':
				out[w], out[w+1], out[w+2] = '%', '2', 'F'
				w += 3
			case '=':
				out[w], out[w+1], out[w+2] = '%', '3', 'D'
				w += 3
			default:
				out[w] = ch
				w++
			}
		}
		buf.Write(out[:w])
		src = src[n:]
	}
}

// The fast paths must write what their references do. These tests sit
// here, beside the references.

// TestEncodeFormChunks checks the body against url.Values for photos
// whose base64 is all escapes (three times the typical room: the buffer
// must grow mid-way) and for sizes around the chunk boundaries, given as
// bytes and as the canonical text that is sent as it is.
func TestEncodeFormChunks(t *testing.T) {
	allSlash := bytes.Repeat([]byte{0xFF}, 30_000) // "////…"
	allPlus := bytes.Repeat([]byte{0xFB, 0xEF, 0xBE}, 10_000)
	cases := map[string][]byte{"all /": allSlash, "all +": allPlus}
	for _, n := range []int{1, 2, 3, 3071, 3072, 3073, 4096, 65_537, 500_000} {
		img := make([]byte, n)
		r := rand.New(rand.NewPCG(uint64(n), 1))
		for i := range img {
			img[i] = byte(r.Uint32())
		}
		cases[strconv.Itoa(n)] = img
	}
	for name, img := range cases {
		text := base64.StdEncoding.EncodeToString(img)
		want := "idcard=" + "&image=" + url.QueryEscape(text) + "&name=" + "&url="
		for _, c := range []Checked{
			{Image: img},
			{Image: img, text: text, textOf: &img[0]},
		} {
			var buf bytes.Buffer
			encodeForm(&buf, c)
			if got := buf.String(); got != want {
				t.Fatalf("%s (%d bytes, text %v): body differs from url.Values escaping", name, len(img), c.text != "")
			}
		}
	}
}

// TestValidatePassesCanonicalTextThrough checks which inbound base64 is
// sent as it is (only text equal to the canonical encoding) and that the
// body is the same either way.
func TestValidatePassesCanonicalTextThrough(t *testing.T) {
	photo := testPhoto(t)
	std := base64.StdEncoding.EncodeToString(photo)
	lim := Config{}.WithDefaults().Limits()
	for _, tc := range []struct {
		name    string
		in      string
		through bool
	}{
		{"canonical", std, true},
		{"unpadded", base64.RawStdEncoding.EncodeToString(photo), false},
		{"url-safe", base64.URLEncoding.EncodeToString(photo), false},
		{"line-wrapped", std[:76] + "\r\n" + std[76:], false},
		{"data uri", "data:image/jpeg;base64," + std, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := bodyBytewise(Checked{Name: "张三", ID: mustID(t), Image: photo})
			big := make([]byte, 0, len(photo)+8)
			for _, scratch := range []*[]byte{nil, new([]byte), &big} {
				for _, headOnly := range []bool{false, true} {
					c, err := Request{Name: "张三", IDCard: testID, ImageBase64: tc.in}.validate(context.Background(), lim, time.Now(), scratch, headOnly)
					if err != nil {
						t.Fatal(err)
					}
					if _, _, ok := c.imageText(); ok != tc.through {
						t.Fatalf("sent as it is: %v, want %v", ok, tc.through)
					}
					if headOnly && tc.through != (c.Image == nil) {
						t.Fatalf("head only: photo decoded whole: %v, want %v", c.Image != nil, !tc.through)
					}
					var got bytes.Buffer
					encodeForm(&got, c)
					if got.String() != want {
						t.Fatal("body differs from the photo's own encoding")
					}
					if s := sendBody(t, c); s != want {
						t.Fatal("sent body differs from the photo's own encoding")
					}
					if c.Image == nil {
						continue
					}
					// A caller that swaps the photo gets the new one sent.
					c.Image = bytes.Clone(c.Image)
					c.Image[len(c.Image)-1] ^= 1
					got.Reset()
					encodeForm(&got, c)
					if got.String() != bodyBytewise(c) || sendBody(t, c) != got.String() {
						t.Fatal("stale text sent for a swapped photo")
					}
				}
			}
		})
	}
}

func bodyBytewise(c Checked) string {
	var b bytes.Buffer
	encodeFormBytewise(&b, c)
	return b.String()
}

// sendBody reads what Send would send for c, checking the reader against
// testing/iotest's rules and the declared length.
func sendBody(t testing.TB, c Checked) string {
	t.Helper()
	b := (&Client{}).newBody(c)
	defer b.release()
	r := b.reader()
	defer r.Close()
	got, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(got)) != b.size() {
		t.Fatalf("body is %d bytes, Content-Length says %d", len(got), b.size())
	}
	if err := iotest.TestReader(b.reader(), got); err != nil {
		t.Fatal(err)
	}
	return string(got)
}

func mustID(t testing.TB) idcard.Number {
	t.Helper()
	id, err := idcard.Parse(testID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// TestVerifyPathAllocations bounds what the local work of a verification
// allocates for a 3 MB photo: a few kilobytes besides the decoded pixels
// of the integrity check (decode.Estimate), not the photo's size. Verify
// decodes only the header of canonical text and streams the body (the
// integrity check decodes the text as it reads it); whole decoding
// (Validate's way, or text that is not canonical) reuses two pooled
// buffers (reused here directly: the race detector makes sync.Pool drop
// items). It counts bytes, not time.
func TestVerifyPathAllocations(t *testing.T) {
	lim := Config{}.WithDefaults().Limits()
	img := benchPhoto(t, 3_000_000)
	b64 := base64.StdEncoding.EncodeToString(img)
	est, err := decode.EstimateOf(img)
	if err != nil {
		t.Fatal(err)
	}
	wire := make([]byte, 32<<10) // the transport's copy buffer
	for _, tc := range []struct {
		name     string
		headOnly bool
		max      uint64
	}{
		{"head and stream", true, 16 << 10},
		{"whole and buffer", false, 1 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			scratch, buf := new([]byte), new(bytes.Buffer)
			call := func() {
				checked, err := Request{Name: "张三", IDCard: testID, ImageBase64: b64}.validate(context.Background(), lim, time.Now(), scratch, tc.headOnly)
				if err != nil {
					t.Fatal(err)
				}
				if !tc.headOnly {
					buf.Reset()
					encodeForm(buf, checked)
					return
				}
				r := newStreamBody(checked, checked.text, checked.escapes).reader()
				for {
					if _, err := r.Read(wire); err != nil {
						break
					}
				}
			}
			call() // sizes the buffers
			const runs = 10
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			for range runs {
				call()
			}
			runtime.ReadMemStats(&after)
			if per := (after.TotalAlloc - before.TotalAlloc) / runs; per > tc.max+uint64(est.Bytes) {
				t.Errorf("%d bytes allocated per call for a 3 MB photo, want under %d and the %d decoded",
					per, tc.max, est.Bytes)
			}
		})
	}
}
