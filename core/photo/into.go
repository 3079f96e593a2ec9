package photo

import (
	"encoding/base64"
	"strings"
)

// DecodeBase64Into is decodeBase64 writing into dst's storage when it is
// large enough, so a caller that keeps a buffer across calls decodes
// without allocating. It returns exactly what decodeBase64(s, maxBytes)
// returns, except that out may share dst's backing array.
//
// canonical reports that s is exactly base64.StdEncoding's text of out:
// padded standard alphabet, no whitespace, no data: prefix, zero unused
// bits. Such text can be sent on as it is instead of being encoded again.
//
// Only clean standard text, the form clients send, takes the fast path:
// one decode into dst. Anything else, or any failure, is handed to
// decodeBase64, so the two can never disagree on what is accepted.
func DecodeBase64Into(dst []byte, s string, maxBytes int) (out []byte, canonical bool, err error) {
	if maxBytes <= 0 {
		maxBytes = DefaultLimits().MaxBytes
	}
	if s == "" || isSpace(s[0]) || isSpace(s[len(s)-1]) ||
		(len(s) >= 5 && strings.EqualFold(s[:5], "data:")) {
		out, err = decodeBase64(s, maxBytes)
		return out, false, err
	}
	pad := 0
	if len(s)%4 == 0 {
		pad = trailingPad(s)
	}
	// At least the decoded size: skipped line breaks only make it smaller.
	if n := decodedLen(len(s) - pad); n > maxBytes || n == 0 {
		out, err = decodeBase64(s, maxBytes)
		return out, false, err
	}
	if need := base64.RawStdEncoding.DecodedLen(len(s)); cap(dst) < need {
		dst = make([]byte, need)
	}
	dst = dst[:cap(dst)]
	n, derr := encoding(false, s[len(s)-1] == '=').Decode(dst, []byte(s))
	if derr != nil || n == 0 || n > maxBytes {
		out, err = decodeBase64(s, maxBytes)
		return out, false, err
	}
	return dst[:n], isCanonical(s, dst[:n], pad), nil
}

// isCanonical reports whether s, which decoded to out, is what
// base64.StdEncoding.EncodeToString(out) would write. Decoding skips line
// breaks, which the length catches; the alphabet and padding were checked
// by the decoder; what remains is the unused low bits of the last
// character, which a lenient decoder ignores and the encoder zeroes.
func isCanonical(s string, out []byte, pad int) bool {
	if len(s)%4 != 0 || len(out) != len(s)/4*3-pad {
		return false
	}
	tail := out[len(out)-(len(out)-1)%3-1:] // the last 1-3 bytes: one quantum
	var q [4]byte
	base64.StdEncoding.Encode(q[:], tail)
	return string(q[:]) == s[len(s)-4:]
}
