package core

import (
	"io"
)

// A body is what one call sends, read afresh by each attempt.
type body interface {
	reader() io.ReadCloser
	size() int64
	release()
}

// streamBody sends a photo the caller gave as canonical base64 text
// without ever holding the body in memory: the text is percent-escaped as
// the transport reads it, straight into the transport's copy buffer.
// Its length is known beforehand from the count of characters to escape,
// so the request still carries a Content-Length. The text is an immutable
// string, so a transport that reads on after the call returns is harmless.
type streamBody struct {
	head, text, tail string
	n                int64
}

func newStreamBody(c Checked, text string, escapes int) *streamBody {
	head, tail := formParts(c)
	return &streamBody{head: head, text: text, tail: tail,
		n: int64(len(head) + len(text) + 2*escapes + len(tail))}
}

func (b *streamBody) reader() io.ReadCloser { return &streamReader{b: b} }
func (b *streamBody) size() int64           { return b.n }
func (b *streamBody) release()              {}

type streamReader struct {
	b    *streamBody
	part int // 0 head, 1 text, 2 tail, 3 done
	off  int // within the part
	// pend holds escaped bytes that did not fit a small read.
	pend    []byte
	pendBuf [8*3 + escapeSlack]byte
}

func (r *streamReader) Read(p []byte) (n int, err error) {
	for n < len(p) {
		if len(r.pend) > 0 {
			c := copy(p[n:], r.pend)
			r.pend = r.pend[c:]
			n += c
			continue
		}
		switch r.part {
		case 0, 2:
			s := r.b.head
			if r.part == 2 {
				s = r.b.tail
			}
			c := copy(p[n:], s[r.off:])
			n += c
			r.off += c
			if r.off == len(s) {
				r.part, r.off = r.part+1, 0
			}
		case 1:
			rest := r.b.text[r.off:]
			if len(rest) == 0 {
				r.part, r.off = 2, 0
				continue
			}
			// Each character takes at most three bytes escaped.
			k := min(len(rest), (len(p)-n-escapeSlack)/3)
			// Whole blocks while the room surely holds them: what they leave
			// (the last block or two of k) waits for the next pass rather
			// than being escaped a word at a time at every pass (the room
			// shrinks by a third or so each time: BenchmarkStreamBody).
			if k >= 2*64 {
				if read, w := escapeBlocks(p[n:], rest[:k]); read > 0 {
					n += w
					r.off += read
					continue
				}
			}
			if k >= 8 {
				n += escapeText(p[n:], rest[:k])
				r.off += k
				continue
			}
			if n > 0 {
				return n, nil // the rest goes in the next read's larger room
			}
			k = min(len(rest), 8)
			r.pend = r.pendBuf[:escapeText(r.pendBuf[:], rest[:k])]
			r.off += k
		default:
			return n, io.EOF
		}
	}
	return n, nil
}

func (r *streamReader) Close() error { return nil }
