package httphandler

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/core/invalid"
	"github.com/faceid-verify/faceid/internal/form"
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
	body, err := readBody(r, maxBody)
	if err != nil {
		return req, err
	}
	mt, err := bodyType(r.Header.Get("Content-Type"), body)
	if err != nil {
		return req, err
	}
	var vals map[string]string
	switch mt {
	case typeJSON:
		vals, err = parseJSON(body)
	case typeForm:
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

// StringBody is a request body the platform adapters already hold as a
// string (an event's body field): the handler reads it without copying.
type StringBody interface {
	io.ReadCloser
	// UnreadString returns what Read has not yet returned.
	UnreadString() string
}

// readBody returns the request body as one string, sized once from the
// Content-Length when there is one, so that a photo is not copied while
// the buffer grows, and not copied at all when an adapter holds the body
// as a string already.
func readBody(r *http.Request, maxBody int64) (string, error) {
	if sb, ok := r.Body.(StringBody); ok {
		s := sb.UnreadString()
		if int64(len(s)) > maxBody {
			return "", errTooLarge
		}
		return s, nil
	}
	var b strings.Builder
	if r.ContentLength > 0 && r.ContentLength <= maxBody {
		b.Grow(int(r.ContentLength))
	}
	if _, err := io.Copy(&b, http.MaxBytesReader(nil, r.Body, maxBody)); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return "", errTooLarge
		}
		return "", bodyErr("read", "读取失败", "could not read the request body")
	}
	return b.String(), nil
}

var (
	errTooLarge        = bodyErr("too_large", "请求体过大", "request body too large")
	errUnsupportedType = bodyErr("content_type", "仅支持application/json或application/x-www-form-urlencoded", "Content-Type must be application/json or application/x-www-form-urlencoded")
)

// parseForm decodes a urlencoded body, rejecting a repeated field: which of
// two ID numbers is meant cannot be guessed.
func parseForm(body string) (map[string]string, error) {
	q, err := form.Parse(body)
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
