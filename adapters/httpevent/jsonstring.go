package httpevent

import (
	"bytes"
	"errors"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// JSONString decodes a JSON string exactly as encoding/json decodes one
// into a string, but builds the result in one allocation of its final
// size: encoding/json unquotes an escaped string into a scratch buffer
// and then copies it, so an event carrying a photo-sized body would
// briefly hold it three times (the payload, the scratch, the string).
// The adapters decode event bodies with it.
type JSONString string

var errNotString = errors.New("httpevent: body is not a JSON string")

// UnmarshalJSON implements json.Unmarshaler. encoding/json has checked
// that data is one valid JSON value before calling it.
func (s *JSONString) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil // as encoding/json leaves a string alone for null
	}
	v, ok := unquote(data)
	if !ok {
		return errNotString
	}
	*s = JSONString(v)
	return nil
}

// unquote decodes a JSON string literal with encoding/json's rules:
// escapes decoded, a lone surrogate and each byte of invalid UTF-8
// replaced by U+FFFD.
func unquote(data []byte) (string, bool) {
	if len(data) < 2 || data[0] != '"' || data[len(data)-1] != '"' {
		return "", false
	}
	data = data[1 : len(data)-1]
	var b strings.Builder
	b.Grow(len(data)) // decoding never lengthens the text, bar U+FFFD for bad bytes
	for len(data) > 0 {
		j := bytes.IndexByte(data, '\\')
		if j < 0 {
			j = len(data)
		}
		writeValid(&b, data[:j])
		data = data[j:]
		if len(data) == 0 {
			break
		}
		if len(data) < 2 {
			return "", false
		}
		switch c := data[1]; c {
		case '"', '\\', '/', '\'':
			b.WriteByte(c)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r := hex4(data[2:])
			if r < 0 {
				return "", false
			}
			data = data[6:]
			if utf16.IsSurrogate(r) {
				if len(data) >= 6 && data[0] == '\\' && data[1] == 'u' {
					if d := utf16.DecodeRune(r, hex4(data[2:])); d != utf8.RuneError {
						b.WriteRune(d)
						data = data[6:]
						continue
					}
				}
				r = utf8.RuneError
			}
			b.WriteRune(r)
			continue
		default:
			return "", false
		}
		data = data[2:]
	}
	return b.String(), true
}

// writeValid writes p, each byte of invalid UTF-8 as U+FFFD.
func writeValid(b *strings.Builder, p []byte) {
	for len(p) > 0 {
		if utf8.Valid(p) {
			b.Write(p)
			return
		}
		i := 0
		for i < len(p) {
			r, size := utf8.DecodeRune(p[i:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			i += size
		}
		b.Write(p[:i])
		if i < len(p) {
			b.WriteRune(utf8.RuneError)
			i++
		}
		p = p[i:]
	}
}

// hex4 reads four hex digits, or returns -1.
func hex4(p []byte) rune {
	if len(p) < 4 {
		return -1
	}
	var r rune
	for _, c := range p[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}
