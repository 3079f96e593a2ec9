// Package jsonstr holds the decoder of JSON string literals that the
// adapters share: it decodes one exactly as json.Unmarshal decodes it into
// a string, from a string or a []byte without copying it, into a string
// of its final size in one allocation. encoding/json unquotes an escaped
// string into a scratch buffer and then copies it, so a photo-sized
// string would briefly be held three times (the input, the scratch, the
// string). It also holds the scan for the end of a literal's plain text,
// which the JSON body parser uses to find strings.
package jsonstr

import (
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Unquote decodes the JSON string literal data, quotes included, as
// json.Unmarshal decodes it into a string: escapes decoded, a lone
// surrogate and each byte of invalid UTF-8 replaced by U+FFFD. It reports
// false for anything encoding/json would refuse (a bad or cut escape, a
// raw quote or control character) and for anything but one literal (a
// value of another kind, white space around it).
func Unquote[T ~string | ~[]byte](data T) (string, bool) {
	n := len(data)
	if n < 2 || data[0] != '"' || data[n-1] != '"' {
		return "", false
	}
	// The conversion of a string does not copy it: decode neither keeps
	// nor writes p, so the compiler lets p share the string's bytes
	// (TestUnquoteAllocatesOnce). That is also why decode scans with
	// PlainLen, not bytes.IndexByte: the compiler assumes assembly writes
	// what it is passed, and would copy.
	return decode([]byte(data[1 : n-1]))
}

// decode decodes the text between a literal's quotes.
func decode(p []byte) (string, bool) {
	var b strings.Builder
	b.Grow(len(p)) // decoding never lengthens the text, bar U+FFFD for bad bytes
	// Escapes, quotes and control characters are ASCII, so they never cut
	// a rune in two: if p is valid UTF-8, so is every run between them,
	// and one check here spares a check of each run.
	valid := utf8.Valid(p)
	for {
		i := PlainLen(p)
		if valid {
			b.Write(p[:i])
		} else {
			writeValid(&b, p[:i])
		}
		p = p[i:]
		if len(p) == 0 {
			return b.String(), true
		}
		// A quote or control character, which JSON requires escaped, or
		// an escape cut short.
		if p[0] != '\\' || len(p) < 2 {
			return "", false
		}
		size := 2
		switch c := p[1]; c {
		case '"', '\\', '/':
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
			r := hex4(p[2:])
			if r < 0 {
				return "", false
			}
			size = 6
			if utf16.IsSurrogate(r) {
				// Half a pair stands for U+FFFD unless the next escape is
				// the other half; if not, that escape is read on its own.
				low := rune(-1)
				if len(p) >= 12 && p[6] == '\\' && p[7] == 'u' {
					low = hex4(p[8:12])
				}
				if r = utf16.DecodeRune(r, low); r != utf8.RuneError {
					size = 12
				}
			}
			b.WriteRune(r)
		default:
			return "", false
		}
		p = p[size:]
	}
}

// PlainLen returns how many leading bytes of s stand for themselves
// inside a JSON string literal: none is '"', '\\' or a control character.
func PlainLen[T ~string | ~[]byte](s T) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '"' || c == '\\' || c < 0x20 {
			return i
		}
	}
	return len(s)
}

// writeValid writes p, each byte of invalid UTF-8 as U+FFFD, as
// encoding/json does.
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
