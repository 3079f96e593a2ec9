// Package form parses application/x-www-form-urlencoded bodies exactly as
// net/url.ParseQuery does, with less copying of what this project's bodies
// mostly are: megabytes of percent-escaped base64. url.ParseQuery
// unescapes a byte at a time through a strings.Builder; here text is
// unescaped into one buffer of its final size (unescapeInto), and a value
// with nothing to unescape is returned as a piece of the body
// (BenchmarkParse). Anything unusual (a ';', more parameters than net/url
// allows by default) is handed to url.ParseQuery, so under the default
// GODEBUG the two cannot disagree; FuzzParse compares them.
// (GODEBUG=urlmaxqueryparams below 10000 makes net/url refuse bodies this
// still parses.)
package form

import (
	"net/url"
	"strings"
	"unsafe"
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
	if !strings.ContainsAny(s, "%+") {
		return s, nil
	}
	out := make([]byte, len(s))
	n, used := unescapeInto(out, 0, s)
	if used < len(s) {
		return "", url.EscapeError(s[used:min(len(s), used+3)])
	}
	// out is not written again, so the string may share its storage.
	return unsafe.String(unsafe.SliceData(out), n), nil
}

// unescapeInto unescapes s into out[n:], which must have room for len(s)
// bytes, and returns the new end of out and how much of s it read: all of
// it, or up to a '%' not followed by two hex digits.
func unescapeInto(out []byte, n int, s string) (int, int) {
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		switch c {
		case '+':
			c = ' '
		case '%':
			if i+3 > len(s) || hexValue[s[i+1]]|hexValue[s[i+2]] > 15 {
				return n, i
			}
			c = hexValue[s[i+1]]<<4 | hexValue[s[i+2]]
			i += 2
		}
		out[n] = c
		n++
	}
	return n, i
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
