package httphandler

import (
	"bytes"
	"encoding/json"
	"io"
	"unicode/utf8"

	"github.com/faceid-verify/faceid/core/invalid"
)

// parseJSONReference is the JSON parser as it was before the single-pass
// one: encoding/json's tokenizer, a RawMessage per value. The fuzz target
// and the table test hold parseJSON to its answers.
func parseJSONReference(body []byte) (map[string]string, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	errJSON := bodyErr("json", "格式错误", "malformed JSON")
	if !utf8.Valid(body) {
		// encoding/json would quietly turn bad bytes into U+FFFD.
		return nil, bodyErr("encoding", "包含非法UTF-8字符", "invalid UTF-8")
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, bodyErr("json", "必须是JSON对象", "body must be a JSON object")
	}
	out := make(map[string]string, len(fields))
	seen := make(map[string]bool)
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, errJSON
		}
		key, _ := t.(string)
		if len(seen) >= maxJSONKeys {
			return nil, errTooManyKeys
		}
		if seen[key] {
			return nil, invalid.New(safeField(key), "duplicate", "重复出现", "duplicate JSON key")
		}
		seen[key] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, errJSON
		}
		if !known(key) {
			continue
		}
		var s string
		switch {
		case string(v) == "null":
		case len(v) > 0 && v[0] == '"':
			if err := json.Unmarshal(v, &s); err != nil {
				return nil, errJSON
			}
		default:
			return nil, invalid.New(key, "type", "必须是字符串", "must be a string")
		}
		out[key] = s
	}
	if _, err := dec.Token(); err != nil {
		return nil, errJSON
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, bodyErr("json", "JSON后有多余内容", "trailing data after the JSON object")
	}
	return out, nil
}
