// Package form parses application/x-www-form-urlencoded bodies exactly as
// net/url.ParseQuery does, several times faster on the bodies this project
// sees: megabytes of percent-escaped base64. url.ParseQuery unescapes a
// byte at a time through a strings.Builder; here text is copied in blocks
// up to each escape (unescapeInto), and a value with nothing to unescape
// is returned as a piece of the body. Anything unusual (a ';', more
// parameters than net/url allows by default) is handed to url.ParseQuery,
// so under the default GODEBUG the two cannot disagree; FuzzParse
// compares them. (GODEBUG=urlmaxqueryparams below 10000 makes net/url
// refuse bodies this still parses.) A Decoder parses a body while it is
// read.
package form

import (
	"encoding/binary"
	"math/bits"
	"net/url"
	"strings"
	"unsafe"

	"github.com/faceid-verify/faceid/internal/swar"
)

// maxParams is net/url's default limit on the number of parameters.
const maxParams = 10000

// Parse is url.ParseQuery.
func Parse(body string) (url.Values, error) {
	if strings.IndexByte(body, ';') >= 0 || strings.Count(body, "&") >= maxParams {
		return url.ParseQuery(body)
	}
	m := make(url.Values)
	var err error
	for body != "" {
		var pair string
		pair, body, _ = strings.Cut(body, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, err1 := unescape(k)
		if err1 != nil {
			if err == nil {
				err = err1
			}
			continue
		}
		v, err1 = unescape(v)
		if err1 != nil {
			if err == nil {
				err = err1
			}
			continue
		}
		m[k] = append(m[k], v)
	}
	return m, err
}

// unescape is url.QueryUnescape. Text with nothing to unescape is returned
// as it is; other text is unescaped into a new buffer (unescapeInto).
func unescape(s string) (string, error) {
	i := special(s)
	if i == len(s) {
		return s, nil
	}
	out := make([]byte, len(s)+unescapeSlack)
	n, used := unescapeInto(out, 0, s)
	if used < len(s) {
		return "", url.EscapeError(s[used:min(len(s), used+3)])
	}
	// out is not written again, so the string may share its storage.
	return unsafe.String(unsafe.SliceData(out), n), nil
}

// unescapeSlack is the room past the unescaped text unescapeInto needs:
// its stores are whole words.
const unescapeSlack = 64

// unescapeInto unescapes s into out[n:], which must have room for
// len(s)+unescapeSlack bytes, and returns the new end of out and how much
// of s it read: all of it, or up to a '%' not followed by two hex digits.
//
// Text is copied eight bytes at a time: each word is stored whole and the
// output moves on only past the bytes before its first escape, which is
// then decoded in place of the rest. Form-encoded base64 has an escape
// every 32 characters or so, so copying the runs between them with a call
// each would cost more than the escapes.
func unescapeInto(out []byte, n int, s string) (int, int) {
	i := 0
	for i < len(s) {
		for i+8 <= len(s) {
			x := swar.Load8(s[i : i+8])
			binary.LittleEndian.PutUint64(out[n:n+8], x)
			m := specialBytes(x)
			if m == 0 {
				n, i = n+8, i+8
				continue
			}
			k := bits.TrailingZeros64(m) >> 3
			n, i = n+k, i+k
			break
		}
		if i+8 > len(s) {
			k := special(s[i:])
			n += copy(out[n:], s[i:i+k])
			if i += k; i == len(s) {
				break
			}
		}
		if s[i] == '+' {
			out[n] = ' '
			n, i = n+1, i+1
			continue
		}
		if i+3 > len(s) || hexValue[s[i+1]]|hexValue[s[i+2]] > 15 {
			return n, i
		}
		out[n] = hexValue[s[i+1]]<<4 | hexValue[s[i+2]]
		n, i = n+1, i+3
	}
	return n, i
}

// specialBytes has the high bit of each '%' or '+' byte of x set.
func specialBytes(x uint64) uint64 {
	const ones = 0x0101010101010101
	return swar.ZeroBytes(x^ones*'%') | swar.ZeroBytes(x^ones*'+')
}

// special returns the index of the first '%' or '+' in s, or len(s).
func special(s string) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if m := specialBytes(swar.Load8(s[i : i+8])); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(s); i++ {
		if s[i] == '%' || s[i] == '+' {
			return i
		}
	}
	return i
}

// hexValue maps a hex digit to its value and anything else to 0xFF.
var hexValue = func() (t [256]byte) {
	for c := range t {
		switch {
		case '0' <= c && c <= '9':
			t[c] = byte(c - '0')
		case 'a' <= c && c <= 'f':
			t[c] = byte(c - 'a' + 10)
		case 'A' <= c && c <= 'F':
			t[c] = byte(c - 'A' + 10)
		default:
			t[c] = 0xFF
		}
	}
	return t
}()
