package form

import (
	"bytes"
	"io"
	"net/url"
	"strings"
	"unsafe"
)

// Decoder reads a form body and parses it while it arrives, so that a
// server whose client is still sending is not left with the whole body to
// unescape once the last byte is in. Values answers exactly what Parse of
// the whole body answers: the usual body (pairs of valid escapes, no ';',
// fewer '&' than net/url's limit) is parsed as it is read, and any other
// is handed to Parse once read.
type Decoder struct {
	raw []byte // the body so far
	// out holds the keys and values unescaped, one after the other; the
	// Values' strings share its storage, so what is written is never
	// written again.
	out  []byte
	n    int // bytes of out in use
	pos  int // raw[:pos] is parsed
	amps int // '&' parsed so far
	size int // the size given, which out is made for once needed

	inValue bool // past the current pair's '='
	key     int  // where the current pair's key starts in out
	val     int  // where its value starts in out, once inValue
	empty   bool // the current pair has no text yet

	vals url.Values
	// odd is set by anything the parse as it arrives leaves to Parse: a
	// ';', a bad escape, too many pairs, or a body that opens like JSON,
	// which its reader will likely not parse as a form at all.
	odd bool
}

// readChunk is the least room added when a body outgrows its buffer or
// came with no size.
const readChunk = 32 << 10

// NewDecoder returns a Decoder for a body of about size bytes (its
// Content-Length; 0 or less when unknown).
func NewDecoder(size int) *Decoder {
	d := &Decoder{vals: make(url.Values), empty: true, size: max(size, 0)}
	if size > 0 {
		// One byte more, so the read that finds the end needs no room.
		d.raw = make([]byte, 0, size+1)
	}
	return d
}

// ReadFrom reads r to its end, parsing as it goes. It returns the bytes
// read and the first error other than io.EOF; on an error the body read so
// far stays available, unparsed or not.
func (d *Decoder) ReadFrom(r io.Reader) (int64, error) {
	var total int64
	for {
		if len(d.raw) == cap(d.raw) {
			// Past the size given (or none was): grow, copying once per
			// doubling. A declared size leaves one byte for the last read.
			d.raw = append(d.raw, make([]byte, max(readChunk, len(d.raw)))...)[:len(d.raw)]
		}
		n, err := r.Read(d.raw[len(d.raw):cap(d.raw)])
		total += int64(n)
		if n > 0 {
			d.add(n)
		}
		if err == io.EOF {
			d.parse(true)
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// Body is the body read so far, as a string sharing the Decoder's
// storage, which later reads only ever add to.
func (d *Decoder) Body() string {
	if len(d.raw) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(d.raw), len(d.raw))
}

// Values is Parse(d.Body()), once ReadFrom has returned.
func (d *Decoder) Values() (url.Values, error) {
	if d.odd || d.pos != len(d.raw) {
		return Parse(d.Body())
	}
	return d.vals, nil
}

// add takes in the n bytes just read after raw and parses what it can.
func (d *Decoder) add(n int) {
	chunk := d.raw[len(d.raw) : len(d.raw)+n]
	d.raw = d.raw[:len(d.raw)+n]
	if d.odd {
		return
	}
	opensLikeJSON := len(d.raw) == n && bytes.HasPrefix(bytes.TrimLeft(chunk, " \t\r\n"), []byte("{"))
	if opensLikeJSON || bytes.IndexByte(chunk, ';') >= 0 {
		d.odd = true
		return
	}
	d.parse(false)
}

// parse parses raw[pos:]. Unless final, an escape cut short by the end of
// what has arrived waits for the next read.
func (d *Decoder) parse(final bool) {
	body := d.Body() // raw is never written where it has been read
	for !d.odd && d.pos < len(body) {
		rest := body[d.pos:]
		end, amp := len(rest), false
		if i := strings.IndexByte(rest, '&'); i >= 0 {
			end, amp = i, true
		}
		part := rest[:end]
		d.empty = d.empty && end == 0
		if !d.inValue {
			if i := strings.IndexByte(part, '='); i >= 0 {
				if !d.unescape(part[:i], true) {
					return
				}
				d.pos++ // the '='
				d.inValue, d.val, d.empty = true, d.n, false
				continue
			}
		}
		if !d.unescape(part, final || amp) {
			return
		}
		if !amp {
			break
		}
		d.pos++ // the '&'
		d.endPair()
		// Every '&' of the body passes here once unless the parse gives
		// up first, so this counts them as Parse does.
		if d.amps++; d.amps >= maxParams {
			d.odd = true
		}
	}
	if final && !d.odd {
		d.endPair()
	}
}

// unescape appends part, unescaped, to out and moves pos past what it
// read. ok is false if it stopped short: at a bad escape, or at one cut
// short by the end of part when whole says nothing follows (both set
// odd), or else at one the next read may complete.
func (d *Decoder) unescape(part string, whole bool) (ok bool) {
	if need := d.n + len(part); need > len(d.out) {
		d.out = append(d.out[:len(d.out):len(d.out)], make([]byte, max(need, 2*len(d.out), d.size)-len(d.out))...)
	}
	n, used := unescapeInto(d.out, d.n, part)
	d.n, d.pos = n, d.pos+used
	if used == len(part) {
		return true
	}
	if whole || len(part)-used >= 3 {
		d.odd = true // a bad escape, which Parse reports
	}
	return false
}

// endPair records the pair that ends at out[:n], unless it had no text
// at all (Parse skips empty pairs).
func (d *Decoder) endPair() {
	if !d.empty {
		k, v := d.text(d.key, d.n), ""
		if d.inValue {
			k, v = d.text(d.key, d.val), d.text(d.val, d.n)
		}
		d.vals[k] = append(d.vals[k], v)
	}
	d.inValue, d.key, d.empty = false, d.n, true
}

// text is out[i:j] as a string sharing out's storage.
func (d *Decoder) text(i, j int) string {
	if i == j {
		return ""
	}
	return unsafe.String(&d.out[i], j-i)
}
