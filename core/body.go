package core

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/url"
	"sync"
	"sync/atomic"
)

// The form body is the one buffer a call needs in proportion to the photo.
// Encoding base64 and percent-escaping in one pass avoids the several
// full-size strings that base64.EncodeToString + url.Values.Encode build.

// encodeForm writes the body the market's sample clients send: all four
// fields in their order, the unused photo source left empty.
func encodeForm(buf *bytes.Buffer, c Checked) {
	n := base64.StdEncoding.EncodedLen(len(c.Image))
	buf.Grow(64 + len(c.URL)*3 + len(c.Name)*3 + n + n/8)
	buf.WriteString("idcard=")
	buf.WriteString(c.ID.String())
	buf.WriteString("&image=")
	appendBase64Escaped(buf, c.Image)
	buf.WriteString("&name=")
	buf.WriteString(url.QueryEscape(c.Name))
	buf.WriteString("&url=")
	buf.WriteString(url.QueryEscape(c.URL))
}

// appendBase64Escaped writes std base64 of src with '+', '/' and '='
// percent-escaped as application/x-www-form-urlencoded requires.
func appendBase64Escaped(buf *bytes.Buffer, src []byte) {
	const chunk = 3 * 1024 // multiple of 3: no padding until the last chunk
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

// bodyPool recycles request bodies across warm invocations.
type bodyPool struct{ p sync.Pool }

func (bp *bodyPool) get() *bytes.Buffer {
	if b, ok := bp.p.Get().(*bytes.Buffer); ok {
		b.Reset()
		return b
	}
	return new(bytes.Buffer)
}

func (bp *bodyPool) put(b *bytes.Buffer) {
	// Keep buffers for typical photos; let outliers go to the GC.
	if b.Cap() <= 8<<20 {
		bp.p.Put(b)
	}
}

// sharedBody is one encoded body read by every attempt of a call. The
// transport may close a request body after Do returns, so the buffer goes
// back to the pool only when the call and every attempt's reader are done.
type sharedBody struct {
	buf  *bytes.Buffer
	pool *bodyPool
	refs atomic.Int32
}

func newSharedBody(p *bodyPool) *sharedBody {
	b := &sharedBody{buf: p.get(), pool: p}
	b.refs.Store(1)
	return b
}

func (b *sharedBody) release() {
	if b.refs.Add(-1) == 0 {
		b.pool.put(b.buf)
	}
}

// reader returns a fresh reader over the body, holding a reference until
// the transport closes it.
func (b *sharedBody) reader() io.ReadCloser {
	b.refs.Add(1)
	return &bodyReader{Reader: bytes.NewReader(b.buf.Bytes()), body: b}
}

type bodyReader struct {
	*bytes.Reader
	body *sharedBody
	once sync.Once
}

func (r *bodyReader) Close() error {
	r.once.Do(r.body.release)
	return nil
}
