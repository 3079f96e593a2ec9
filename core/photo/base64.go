package photo

import (
	"encoding/base64"
	"encoding/binary"
	"math/bits"
	"strings"
)

// EncodedLen returns the length of the padded standard base64 text of n
// bytes, without whitespace or a data: prefix: what a request body must
// allow for a photo of n bytes.
func EncodedLen(n int) int {
	if n <= 0 {
		return 0
	}
	return base64.StdEncoding.EncodedLen(n)
}

// plusLostMin is the number of base64 characters from which those of image
// data all but certainly include a '+' (each is one with probability 1/64,
// so 1024 of them lack one with probability ~1e-7).
const plusLostMin = 1024

// decodeBase64 decodes a photo sent as base64 text: standard or URL-safe
// alphabet, padded or not, optionally behind a data: URI prefix such as
// "data:image/jpeg;base64,", with spaces, tabs and line breaks anywhere.
//
// Text whose decoded size would exceed maxBytes is refused before the output
// is allocated (reason "too_large"); a zero or negative maxBytes means the
// default 3 MB. Invalid text, including a mix of the two alphabets, gets
// reason "base64"; empty text gets "missing".
//
// One case is repaired instead of ignored: long text with spaces but no '+'
// at all has had its '+' turned into spaces by form-URL decoding (a client
// posting application/x-www-form-urlencoded without escaping), so the spaces
// are read back as '+' rather than dropped into garbage.
func decodeBase64(s string, maxBytes int) ([]byte, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultLimits().MaxBytes
	}
	s = trimSpace(s)
	if len(s) >= 5 && strings.EqualFold(s[:5], "data:") {
		rest, ok := cutDataURI(s)
		if !ok {
			return nil, errBase64("data: URI without ;base64,")
		}
		s = trimSpace(rest)
	}
	if s == "" {
		return nil, errMissing()
	}

	src := []byte(s) // not copied: the compiler sees that Decode only reads it
	compacted := false
	// Refuse oversized text before allocating. len(s) bounds the data
	// length; only when that bound is too high is whitespace counted for
	// the exact figure.
	if decodedLen(len(s)) > maxBytes {
		plus := plusLost(s)
		data := len(s) - countSpace(s, plus)
		if decodedLen(data-trailingPad(s)) > maxBytes {
			return nil, errTooLarge(maxBytes)
		}
		// Decode skips line breaks itself, and a few percent of them only
		// oversize the output buffer a little; text that is mostly
		// whitespace is compacted so that buffer stays near maxBytes.
		if decodedLen(len(s)) > maxBytes+maxBytes/4 {
			src, compacted = compact(src, data, plus), true
		}
	}

	// Padding is visible at the end; the alphabet and spaces are not, and
	// scanning for them would cost clean text several passes. So decode as
	// standard base64 and, only if that fails, look for why and retry: each
	// retry sets a flag for good, so there are at most three attempts, and
	// a failed one stops at the first character it cannot read.
	padded := s[len(s)-1] == '='
	url := false
	out := make([]byte, base64.RawStdEncoding.DecodedLen(len(src)))
	for {
		n, err := encoding(url, padded).Decode(out, src)
		if err == nil {
			if n == 0 {
				return nil, errMissing()
			}
			if n > maxBytes { // unreachable given the check above; a guard
				return nil, errTooLarge(maxBytes)
			}
			return out[:n], nil
		}
		// The character Decode stopped at usually tells why; padding errors
		// point elsewhere, hence the scans as a fallback.
		var bad byte
		if at, ok := err.(base64.CorruptInputError); ok && at >= 0 && int(at) < len(src) {
			bad = src[at] // a type assertion, unlike errors.As, does not allocate
		}
		switch {
		case !url && (bad == '-' || bad == '_'):
			url = true
		case !compacted && (bad == ' ' || bad == '\t' || strings.IndexByte(s, ' ') >= 0 || strings.IndexByte(s, '\t') >= 0):
			// encoding/base64 skips '\r' and '\n' but not these. The size
			// check above bounds len(s), so it can size the buffer.
			src, compacted = compact(src, len(s), plusLost(s)), true
		case !url && (strings.IndexByte(s, '-') >= 0 || strings.IndexByte(s, '_') >= 0):
			url = true
		case url && (strings.IndexByte(s, '+') >= 0 || strings.IndexByte(s, '/') >= 0):
			return nil, errBase64("mixes the standard and URL-safe alphabets")
		default:
			return nil, errBase64("invalid character, length or padding")
		}
	}
}

func encoding(url, padded bool) *base64.Encoding {
	switch {
	case url && padded:
		return base64.URLEncoding
	case url:
		return base64.RawURLEncoding
	case padded:
		return base64.StdEncoding
	}
	return base64.RawStdEncoding
}

// plusLost reports whether s is base64 whose '+' characters became spaces:
// it has spaces but no '+', and enough other characters that real base64
// would have one. URL-safe text never has '+', so it is excluded. Only
// text with spaces and no '+' pays for the count.
func plusLost(s string) bool {
	return len(s) >= plusLostMin && strings.IndexByte(s, ' ') >= 0 &&
		strings.IndexByte(s, '+') < 0 && strings.IndexByte(s, '-') < 0 && strings.IndexByte(s, '_') < 0 &&
		len(s)-countSpace(s, false) >= plusLostMin
}

// decodedLen is the number of bytes n base64 data characters (no padding)
// decode to.
func decodedLen(n int) int {
	return n/4*3 + n%4*3/4
}

// trailingPad counts the padding at the end of s, which may be interleaved
// with whitespace, up to the two a valid encoding can have so that a run of
// '=' cannot hide data from the size check.
func trailingPad(s string) int {
	p := 0
	for i := len(s) - 1; i >= 0 && p < 2; i-- {
		switch {
		case s[i] == '=':
			p++
		case !isSpace(s[i]):
			return p
		}
	}
	return p
}

// countSpace counts the whitespace characters that decoding drops; spaces
// are data when they stand for lost '+' characters.
func countSpace(s string, plus bool) int {
	n := strings.Count(s, "\n") + strings.Count(s, "\r") + strings.Count(s, "\t")
	if !plus {
		n += strings.Count(s, " ")
	}
	return n
}

// compact copies s without its whitespace into one buffer of size hint,
// turning spaces into '+' if plus is set. It tests eight bytes at a time
// for any byte <= ' ' (no base64 character is) and copies the runs between
// whitespace whole.
func compact(s []byte, hint int, plus bool) []byte {
	const (
		ones = 0x0101010101010101
		low  = ones * (' ' + 1)
		high = ones * 0x80
	)
	dst := make([]byte, 0, hint)
	start := 0 // of the run not yet copied
	for i := 0; i < len(s); {
		if len(s)-i >= 8 {
			x := binary.LittleEndian.Uint64(s[i:])
			// Sets the high bit of each byte below ' '+1, exactly for the
			// lowest one (borrows only corrupt the bytes above it).
			m := (x - low) &^ x & high
			if m == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(m) / 8
		}
		c := s[i]
		i++
		if !isSpace(c) {
			continue // data, or a control character left for Decode to reject
		}
		dst = append(dst, s[start:i-1]...)
		if c == ' ' && plus {
			dst = append(dst, '+')
		}
		start = i
	}
	return append(dst, s[start:]...)
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}

func trimSpace(s string) string {
	for len(s) > 0 && isSpace(s[0]) {
		s = s[1:]
	}
	for len(s) > 0 && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	return s
}

// cutDataURI returns what follows "data:<media type>;base64,". The media
// type is not checked: the bytes decide the format, and clients mislabel
// (image/jpg, application/octet-stream). Only the first 256 bytes are
// searched so text without a comma costs nothing.
func cutDataURI(s string) (string, bool) {
	head := s[:min(len(s), 256)]
	comma := strings.IndexByte(head, ',')
	if comma < 0 {
		return "", false
	}
	const marker = ";base64"
	meta := head[:comma]
	if len(meta) < len(marker) || !strings.EqualFold(meta[len(meta)-len(marker):], marker) {
		return "", false
	}
	return s[comma+1:], true
}
