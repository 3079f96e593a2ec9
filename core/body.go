package core

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/url"
	"sync"
	"sync/atomic"
)

// Canonical base64 text is sent as it is, escaped while the transport reads
// it (streamBody, in stream.go). Otherwise the form body is the one buffer
// a call needs in proportion to the photo, written in one pass: the
// photo's bytes base64-encoded a chunk at a time into a small stack buffer
// and percent-escaped from there (escape.go). base64.EncodeToString
// followed by url.Values.Encode would build several full-size strings
// instead, at several times the cost (docs/benchmarks.md, section 1).

// encodeForm writes the body the market's sample clients send: all four
// fields in their order, the unused photo source left empty.
func encodeForm(buf *bytes.Buffer, c Checked) {
	n := base64.StdEncoding.EncodedLen(len(c.Image))
	head, tail := formParts(c)
	// Random data escapes 2 of 64 characters, adding n/16; n/8 leaves room
	// so that a typical photo never regrows the buffer.
	buf.Grow(len(head) + len(tail) + n + n/8 + escapeSlack)
	buf.WriteString(head)
	if text, _, ok := c.imageText(); ok {
		appendEscaped(buf, text)
	} else {
		appendBase64Escaped(buf, c.Image)
	}
	buf.WriteString(tail)
}

// formParts are the body before and after the photo's text.
func formParts(c Checked) (head, tail string) {
	return "idcard=" + c.ID.String() + "&image=",
		"&name=" + url.QueryEscape(c.Name) + "&url=" + url.QueryEscape(c.URL)
}

// appendBase64Escaped writes std base64 of src with '+', '/' and '='
// percent-escaped as application/x-www-form-urlencoded requires.
func appendBase64Escaped(buf *bytes.Buffer, src []byte) {
	var enc [4 * 1024]byte
	for len(src) > 0 {
		// A multiple of 3 bytes until the last chunk: no padding before it.
		n := min(len(src), 3*len(enc)/4, roomFor(buf, len(src)*4/3+4)/4*3)
		if n == 0 {
			n = min(len(src), 3*len(enc)/4)
			buf.Grow(3*base64.StdEncoding.EncodedLen(n) + escapeSlack)
		}
		m := base64.StdEncoding.EncodedLen(n)
		base64.StdEncoding.Encode(enc[:m], src[:n])
		out := spare(buf)
		buf.Write(out[:escapeBytes(out, enc[:m])])
		src = src[n:]
	}
}

// appendEscaped writes base64 text with '+', '/' and '=' percent-escaped.
func appendEscaped(buf *bytes.Buffer, text string) {
	for len(text) > 0 {
		n := roomFor(buf, len(text))
		if n == 0 {
			n = min(len(text), 4096)
			buf.Grow(3*n + escapeSlack)
		}
		out := spare(buf)
		buf.Write(out[:escapeText(out, text[:n])])
		text = text[n:]
	}
}

// roomFor is how many of want characters surely fit in buf's spare
// capacity once escaped: each takes at most 3 bytes. As the spare room
// shrinks the chunks do too, so a buffer grown for the typical escaped
// size is filled without reallocating.
func roomFor(buf *bytes.Buffer, want int) int {
	return min(want, max(0, buf.Available()-escapeSlack)/3)
}

// spare is buf's spare capacity, which escapeText and escapeBytes write
// straight into: bytes.Buffer.Write of its own AvailableBuffer copies
// nothing.
func spare(buf *bytes.Buffer) []byte {
	out := buf.AvailableBuffer()
	return out[:cap(out)]
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

// photoPool recycles the buffers inbound base64 photos are decoded into.
// Verify holds one only until the body is encoded and the call is done.
type photoPool struct{ p sync.Pool }

func (pp *photoPool) get() *[]byte {
	if b, ok := pp.p.Get().(*[]byte); ok {
		return b
	}
	return new([]byte)
}

func (pp *photoPool) put(b *[]byte) {
	// Keep buffers up to the size of a photo at the intake limit.
	if cap(*b) <= 16<<20 {
		pp.p.Put(b)
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

func (b *sharedBody) size() int64 { return int64(b.buf.Len()) }

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
