package photo

import (
	"encoding/base64"
)

// Head is what the local checks need of a photo sent as canonical base64
// text: its decoded size and its leading bytes through the end of its
// header. Every check here (Sniff, Check, the EXIF orientation) reads only
// the header, so the rest of the photo need not be decoded: it only has
// to be valid base64, which a scan shows at a fraction of the cost
// of decoding (BenchmarkReadHead).
type Head struct {
	// Bytes are the leading decoded bytes: through a JPEG's first scan
	// marker, at least headMin bytes of other formats, or the whole photo.
	Bytes []byte
	// Size is the decoded size of the whole photo.
	Size int
	// Escapes counts the text's '+', '/' and '=', each of which takes two
	// more bytes once form-encoded.
	Escapes int
}

// headStart is the first prefix decoded, in characters; it doubles until
// the header is in. 8 KiB of text holds the header of most photos that
// carry no EXIF thumbnail.
const headStart = 8 << 10

// headMin bounds what the checks read of a format other than JPEG: the
// ISO brand list, the PNG IHDR chunk and the largest BMP header all end
// well within it.
const headMin = 512

// ReadHead decodes just the header of s into dst's storage (or a new
// buffer when dst is too small) if s is canonical: exactly what
// base64.StdEncoding.EncodeToString writes, padded standard alphabet with
// zero unused bits and nothing else. For any other text, ok is false and
// nothing is decided: the caller decodes s whole (DecodeBase64Into), which
// accepts and refuses exactly as before.
//
// For canonical s, Check(h.Bytes, …) with h.Size standing for the length
// gives what Check of the whole photo gives (CheckSized), and so does the
// EXIF orientation; FuzzReadHead holds the two to that.
func ReadHead(dst []byte, s string) (h Head, ok bool) {
	if len(s) < 4 || len(s)%4 != 0 {
		return Head{}, false
	}
	pad := 0
	if s[len(s)-1] == '=' {
		pad = 1
		if s[len(s)-2] == '=' {
			pad = 2
		}
	}
	esc, ok := scanStd(s[:len(s)-pad])
	if !ok {
		return Head{}, false
	}
	// A lenient decoder ignores the last character's unused low bits; the
	// encoder always zeroes them, so text with any set is not canonical.
	if last := stdValue[s[len(s)-pad-1]]; pad == 1 && last&3 != 0 || pad == 2 && last&15 != 0 {
		return Head{}, false
	}
	h.Size, h.Escapes = len(s)/4*3-pad, esc+pad
	// Each round decodes only the text the last one did not: the bounds
	// are multiples of 4, and only the last round meets the padding.
	done, m := 0, 0 // characters decoded, and the bytes they gave
	for n := min(len(s), headStart); ; n = min(len(s), 2*n) {
		if need := n / 4 * 3; cap(dst) < need {
			grown := make([]byte, need)
			copy(grown, dst[:m])
			dst = grown
		}
		k, err := base64.StdEncoding.Decode(dst[m:n/4*3], []byte(s[done:n])) // not copied: only read
		if err != nil {
			return Head{}, false // not reached: the scan accepted every character
		}
		done, m = n, m+k
		if n == len(s) || headerComplete(dst[:m]) {
			h.Bytes = dst[:m]
			return h, true
		}
	}
}

// headerComplete reports whether b, a prefix of a photo, holds everything
// the header checks read: for a JPEG, every segment before the first scan
// (SOS) or the end marker, walked as Sniff and the EXIF reader walk them
// (jpegSegment), or a length they stop at; for anything else, headMin
// bytes.
func headerComplete(b []byte) bool {
	if len(b) < 2 || b[0] != 0xFF || b[1] != 0xD8 {
		return len(b) >= headMin
	}
	for i := 2; ; {
		m, _, next, end := jpegSegment(b, i)
		switch {
		case end == segBadLength:
			return true // both readers stop here, whatever follows
		case end != segOK:
			return false
		case m == 0xDA, m == 0xD9:
			return true
		}
		i = next
	}
}

// stdValue maps a standard-alphabet character to its 6-bit value.
var stdValue = func() (t [256]byte) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := range len(alphabet) {
		t[alphabet[i]] = byte(i)
	}
	return t
}()

// badChar weighs a character outside the alphabet in scanStd's sum: more
// than the count of '+' and '/' in any text that fits in memory can reach.
const badChar = 1 << 32

// stdClass is 0 for a letter or digit, 1 for '+' and '/' (which
// form-encoding escapes) and badChar for anything else.
var stdClass = func() (t [256]uint64) {
	for c := range t {
		t[c] = badChar
		if v := stdValue[c]; v != 0 || c == 'A' {
			t[c] = uint64(v / 62) // 1 for '+' (62) and '/' (63)
		}
	}
	return t
}()

// scanStd reports whether every character of s is in the standard
// alphabet, and counts the '+' and '/' (0 when it is not). It runs over
// every photo's whole text on every call: summing table entries in four
// independent lanes runs at about 2.5 times the speed of decoding. The
// TestScanStd tests and FuzzScanStd hold it to a plain loop.
func scanStd(s string) (escapes int, ok bool) {
	var a0, a1, a2, a3 uint64
	i := 0
	for ; i+4 <= len(s); i += 4 {
		q := s[i : i+4]
		a0 += stdClass[q[0]]
		a1 += stdClass[q[1]]
		a2 += stdClass[q[2]]
		a3 += stdClass[q[3]]
	}
	for ; i < len(s); i++ {
		a0 += stdClass[s[i]]
	}
	if a := a0 + a1 + a2 + a3; a < badChar {
		return int(a), true
	}
	return 0, false
}
