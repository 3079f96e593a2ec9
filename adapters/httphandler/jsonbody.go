package httphandler

import (
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/faceid-verify/faceid/core/invalid"
	"github.com/faceid-verify/faceid/internal/jsonstr"
)

// parseJSON decodes one JSON object of string fields in a single pass,
// rejecting duplicate keys and trailing data that encoding/json would
// silently accept. A string without escapes, such as a base64 photo, is
// returned as a substring of body, not copied: a 4 MB photo costs no
// allocation here (BenchmarkParseJSON). A string with escapes, such as a
// photo from PHP, which writes '/' as "\/", is decoded by jsonstr.Unquote
// in one allocation, by encoding/json's rules; the values of other fields
// go to encoding/json itself. So what is accepted, and how it decodes, is
// encoding/json's (FuzzParseJSON compares the two).
func parseJSON(body string) (map[string]string, error) {
	if !utf8.ValidString(body) {
		// encoding/json would quietly turn bad bytes into U+FFFD.
		return nil, bodyErr("encoding", "包含非法UTF-8字符", "invalid UTF-8")
	}
	p := jsonParser{s: body}
	p.space()
	if !p.eat('{') {
		return nil, bodyErr("json", "必须是JSON对象", "body must be a JSON object")
	}
	out := make(map[string]string, len(fields))
	var seen map[string]bool
	p.space()
	for first := true; !p.eat('}'); first = false {
		if !first && !p.eat(',') {
			return nil, errJSON
		}
		p.space()
		key, ok := p.str()
		if !ok {
			return nil, errJSON
		}
		if len(seen) >= maxJSONKeys {
			return nil, errTooManyKeys
		}
		if seen == nil {
			seen = make(map[string]bool, len(fields))
		}
		if seen[key] {
			return nil, invalid.New(safeField(key), "duplicate", "重复出现", "duplicate JSON key")
		}
		seen[key] = true
		p.space()
		if !p.eat(':') {
			return nil, errJSON
		}
		p.space()
		// A valid value starting with 'n' can only be null.
		isString, isNull := p.peek() == '"', p.peek() == 'n'
		var v string
		if isString {
			v, ok = p.str()
		} else {
			ok = p.skipValue()
		}
		if !ok {
			return nil, errJSON
		}
		p.space()
		if !known(key) {
			continue
		}
		if !isString && !isNull {
			return nil, invalid.New(key, "type", "必须是字符串", "must be a string")
		}
		out[key] = v
	}
	p.space()
	if p.i < len(p.s) {
		return nil, bodyErr("json", "JSON后有多余内容", "trailing data after the JSON object")
	}
	return out, nil
}

// errJSON is worded as the seller words a body it cannot read.
var errJSON = bodyErr("json", "格式错误", "malformed JSON")

// maxJSONKeys bounds an object's keys as net/url bounds a form's
// parameters: each key the parser remembers (for duplicates) costs memory,
// and 500,000 unknown keys in a 6 MB body cost 44 MB.
const maxJSONKeys = 10000

var errTooManyKeys = bodyErr("too_many_keys", "JSON键过多(最多10000个)", "the JSON object has more than 10000 keys")

// jsonParser reads a JSON text left to right; s is valid UTF-8.
type jsonParser struct {
	s string
	i int
}

func (p *jsonParser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *jsonParser) eat(c byte) bool {
	if p.peek() == c {
		p.i++
		return true
	}
	return false
}

// str reads a string. One without escapes is a substring of s; one with
// them is decoded by jsonstr.Unquote, which checks the escapes.
func (p *jsonParser) str() (string, bool) {
	if !p.eat('"') {
		return "", false
	}
	start := p.i
	escaped := false
	for {
		j := p.i + jsonstr.PlainLen(p.s[p.i:])
		if j >= len(p.s) {
			return "", false
		}
		switch c := p.s[j]; {
		case c == '"':
			p.i = j + 1
			if !escaped {
				return p.s[start:j], true
			}
			return jsonstr.Unquote(p.s[start-1 : p.i])
		case c == '\\':
			escaped = true
			p.i = j + 2 // the escaped character is never the closing quote
			if p.i > len(p.s) {
				return "", false
			}
		default: // a control character, which JSON strings must escape
			return "", false
		}
	}
}

// skipValue reads a value other than a string with encoding/json's own
// decoder, so where it ends, and whether it is valid, is exactly what
// encoding/json says: InputOffset is where the value ended, however far
// ahead the decoder buffered.
func (p *jsonParser) skipValue() bool {
	dec := json.NewDecoder(strings.NewReader(p.s[p.i:]))
	var raw json.RawMessage
	if dec.Decode(&raw) != nil {
		return false
	}
	p.i += int(dec.InputOffset())
	return true
}
