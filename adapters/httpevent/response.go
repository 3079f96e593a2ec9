package httpevent

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"strings"
	"unicode/utf8"
)

// ResponseWriter buffers a handler's whole answer: platforms' HTTP events
// want one response object, not a stream.
type ResponseWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

// NewResponseWriter returns an empty ResponseWriter.
func NewResponseWriter() *ResponseWriter {
	return &ResponseWriter{header: http.Header{}}
}

// Header implements http.ResponseWriter.
func (w *ResponseWriter) Header() http.Header { return w.header }

// WriteHeader implements http.ResponseWriter; only the first call counts,
// as with net/http.
func (w *ResponseWriter) WriteHeader(status int) {
	if w.status != 0 {
		return
	}
	if status < 100 || status > 999 {
		// net/http panics here; an adapter must not.
		status = http.StatusInternalServerError
	}
	w.status = status
}

// Write implements http.ResponseWriter.
func (w *ResponseWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.body.Write(p)
}

// Response is what the handler answered, ready for a platform's event.
type Response struct {
	StatusCode int
	Header     http.Header
	// Body is the body as text, or base64 when IsBase64Encoded.
	Body            string
	IsBase64Encoded bool
}

// Response returns the recorded answer. A body that is not valid UTF-8 is
// base64-encoded: a JSON string cannot carry raw bytes.
func (w *ResponseWriter) Response() Response {
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	r := Response{StatusCode: status, Header: w.header.Clone()}
	if b := w.body.Bytes(); utf8.Valid(b) {
		r.Body = string(b)
	} else {
		r.Body, r.IsBase64Encoded = base64.StdEncoding.EncodeToString(b), true
	}
	return r
}

// Serve runs h on the request an event described and returns its answer.
// An event that describes no valid request (bad method, undecodable
// base64 body) gets a 400 in the gateway's {"message"} shape: a platform
// error would reach the caller as a vague 5xx.
func Serve(ctx context.Context, h http.Handler, req Request) Response {
	hr, err := req.HTTPRequest(ctx)
	if err != nil {
		return Malformed()
	}
	w := NewResponseWriter()
	h.ServeHTTP(w, hr)
	return w.Response()
}

// Malformed is the answer to an HTTP event that cannot be read.
func Malformed() Response {
	return Response{
		StatusCode: http.StatusBadRequest,
		Header:     http.Header{"Content-Type": {"application/json; charset=utf-8"}},
		Body:       `{"message":"malformed request event"}` + "\n",
	}
}

// SingleHeaders flattens the header for events with one value per name,
// joining repeats with ", " (RFC 9110 §5.3). Set-Cookie cannot be joined
// that way; withCookies says whether to keep it (joined, for platforms
// without a cookies field) or leave it to Cookies.
func (r Response) SingleHeaders(withCookies bool) map[string]string {
	out := make(map[string]string, len(r.Header))
	for k, vs := range r.Header {
		if len(vs) == 0 || (!withCookies && strings.EqualFold(k, "Set-Cookie")) {
			continue
		}
		out[k] = strings.Join(vs, ", ")
	}
	return out
}

// MultiHeaders returns the header as a name → values map.
func (r Response) MultiHeaders() map[string][]string {
	out := make(map[string][]string, len(r.Header))
	for k, vs := range r.Header {
		if len(vs) > 0 {
			out[k] = append([]string(nil), vs...)
		}
	}
	return out
}

// Cookies returns the Set-Cookie values, for events with a cookies field.
func (r Response) Cookies() []string {
	return append([]string(nil), r.Header.Values("Set-Cookie")...)
}
