package photo

import (
	"encoding/base64"
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

// plusLostMin is the text length from which base64 of image data all but
// certainly contains a '+' (each character is one with probability 1/64, so
// 1024 characters lack one with probability ~1e-7).
const plusLostMin = 1024

// DecodeBase64 decodes a photo sent as base64 text: standard or URL-safe
// alphabet, padded or not, optionally behind a data: URI prefix such as
// "data:image/jpeg;base64,", with spaces, tabs and line breaks anywhere.
//
// Text whose decoded size would exceed maxBytes is refused before the output
// is allocated (reason "too_large"); a zero or negative maxBytes means the
// default 3 MB. Invalid text, including a mix of the two alphabets, gets
// reason "base64"; empty text gets "missing".
//
// One case is repaired instead of ignored: text with spaces but no '+' at
// all has had its '+' turned into spaces by form-URL decoding (a client
// posting application/x-www-form-urlencoded without escaping), so the spaces
// are read back as '+' rather than dropped into garbage.
func DecodeBase64(s string, maxBytes int) ([]byte, error) {
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

	// Inspect the text with a few vectorised byte searches, far cheaper than
	// the decoding that follows.
	url := strings.IndexByte(s, '-') >= 0 || strings.IndexByte(s, '_') >= 0
	if url && (strings.IndexByte(s, '+') >= 0 || strings.IndexByte(s, '/') >= 0) {
		return nil, errBase64("mixes the standard and URL-safe alphabets")
	}
	spaces := strings.IndexByte(s, ' ') >= 0
	plus := spaces && !url && len(s) >= plusLostMin && strings.IndexByte(s, '+') < 0
	// encoding/base64 skips '\r' and '\n' itself, so only spaces and tabs
	// force a copy.
	strip := spaces || strings.IndexByte(s, '\t') >= 0

	// Refuse oversized text before allocating. len(s) bounds the data
	// length; only when that bound is too high are the whitespace characters
	// counted for the exact figure.
	data := len(s)
	if strip || decodedLen(len(s)) > maxBytes {
		data = len(s) - countSpace(s, plus)
		if decodedLen(data-trailingPad(s)) > maxBytes {
			return nil, errTooLarge(maxBytes)
		}
		// Decoding skips line breaks itself, and a few percent of them only
		// oversize the output buffer a little; text that is mostly
		// whitespace is compacted so that buffer stays near maxBytes.
		strip = strip || decodedLen(len(s)) > maxBytes+maxBytes/4
	}
	var src []byte
	if strip {
		src = compact(s, data, plus)
	} else {
		src = []byte(s) // not copied: the compiler sees Decode only reads it
	}

	enc := base64.RawStdEncoding
	padded := s[len(s)-1] == '='
	switch {
	case url && padded:
		enc = base64.URLEncoding
	case url:
		enc = base64.RawURLEncoding
	case padded:
		enc = base64.StdEncoding
	}
	out := make([]byte, enc.DecodedLen(len(src)))
	n, err := enc.Decode(out, src)
	switch {
	case err != nil:
		return nil, errBase64("invalid character, length or padding")
	case n == 0:
		return nil, errMissing()
	case n > maxBytes: // unreachable given the check above; kept as a guard
		return nil, errTooLarge(maxBytes)
	}
	return out[:n], nil
}

// decodedLen is the number of bytes n base64 data characters (no padding)
// decode to.
func decodedLen(n int) int {
	return n/4*3 + n%4*3/4
}

// trailingPad counts the padding at the end of s, at most the two a valid
// encoding can have, so that a run of '=' cannot hide data from the size
// check.
func trailingPad(s string) int {
	p := 0
	for p < 2 && p < len(s) && s[len(s)-1-p] == '=' {
		p++
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
// turning spaces into '+' if plus is set. Base64 characters all lie above
// ' ', so one comparison per byte finds the runs to copy whole.
func compact(s string, hint int, plus bool) []byte {
	dst := make([]byte, 0, hint)
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] > ' ' {
			i++
		}
		dst = append(dst, s[:i]...)
		if i == len(s) {
			break
		}
		switch c := s[i]; {
		case c == ' ' && plus:
			dst = append(dst, '+')
		case !isSpace(c):
			dst = append(dst, c) // invalid: left for the decoder to reject
		}
		s = s[i+1:]
	}
	return dst
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
