package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/core/invalid"
)

// fields are the request fields the API defines; anything else is ignored,
// as the upstream would.
var fields = []string{"idcard", "name", "image", "url"}

// maxFieldLen bounds the small fields; the image is bounded by the body cap.
const maxFieldLen = 4096

func bodyErr(reason, detail, english string) *invalid.Error {
	return invalid.New("body", reason, detail, english)
}

// parseRequest reads a verification request from a JSON or form body.
func parseRequest(r *http.Request, maxBody int64) (core.Request, error) {
	var req core.Request
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if r.Header.Get("Content-Type") == "" {
		// curl -d and the sample clients always send a type; a missing one is
		// most likely a form.
		mt, err = "application/x-www-form-urlencoded", nil
	}
	if err != nil {
		return req, bodyErr("content_type", "Content-Type无效", "invalid Content-Type")
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return req, errTooLarge
		}
		return req, bodyErr("read", "读取失败", "could not read the request body")
	}
	var vals map[string]string
	switch mt {
	case "application/json":
		vals, err = parseJSON(body)
	case "application/x-www-form-urlencoded":
		vals, err = parseForm(body)
	default:
		return req, errUnsupportedType
	}
	if err != nil {
		return req, err
	}
	for k, v := range vals {
		if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			return req, invalid.New(k, "encoding", "包含非法字符", "invalid UTF-8 or NUL byte")
		}
		if k != "image" && len(v) > maxFieldLen {
			return req, invalid.New(k, "too_long", "长度超过限制", "field too long")
		}
	}
	req.IDCard, req.Name, req.ImageBase64, req.URL = vals["idcard"], vals["name"], vals["image"], vals["url"]
	return req, nil
}

var (
	errTooLarge        = bodyErr("too_large", "请求体过大", "request body too large")
	errUnsupportedType = bodyErr("content_type", "仅支持application/json或application/x-www-form-urlencoded", "Content-Type must be application/json or application/x-www-form-urlencoded")
)

// parseForm decodes a urlencoded body, rejecting a repeated field: which of
// two ID numbers is meant cannot be guessed.
func parseForm(body []byte) (map[string]string, error) {
	q, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, bodyErr("form", "表单编码错误", "malformed form encoding")
	}
	out := make(map[string]string, len(fields))
	for _, f := range fields {
		switch vs := q[f]; len(vs) {
		case 0:
		case 1:
			out[f] = vs[0]
		default:
			return nil, invalid.New(f, "duplicate", "重复出现", "field given more than once")
		}
	}
	return out, nil
}

// parseJSON decodes one JSON object of string fields, rejecting duplicate
// keys and trailing data that encoding/json would silently accept.
func parseJSON(body []byte) (map[string]string, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	errJSON := bodyErr("json", "JSON格式错误", "malformed JSON")
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

func known(k string) bool {
	for _, f := range fields {
		if f == k {
			return true
		}
	}
	return false
}

// safeField names a duplicated key only if it is one of ours; an arbitrary
// key could be anything, including personal data.
func safeField(k string) string {
	if known(k) {
		return k
	}
	return "body"
}
