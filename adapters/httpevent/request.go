package httpevent

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Request is an HTTP request as an event described it.
type Request struct {
	Method string
	// Path is the request path as the event gave it, escaped or not.
	Path string
	// RawQuery is the encoded query string, without "?".
	RawQuery string
	Header   http.Header
	Body     string
	// Base64 says Body is base64 (the event's isBase64Encoded).
	Base64   bool
	SourceIP string
}

// ErrBody means the event flagged a base64 body that does not decode.
var ErrBody = errors.New("httpevent: body is flagged base64 but does not decode")

// HTTPRequest builds the *http.Request the shared handler serves, shaped
// like one net/http's server would hand it: Host moved out of the header,
// ContentLength set, RemoteAddr as host:port.
func (r Request) HTTPRequest(ctx context.Context) (*http.Request, error) {
	var (
		body   io.ReadCloser = newStringBody(r.Body)
		length               = len(r.Body)
	)
	if r.Base64 {
		b, err := decodeBase64(r.Body)
		if err != nil {
			return nil, ErrBody
		}
		body, length = io.NopCloser(bytes.NewReader(b)), len(b)
	}
	method := r.Method
	if method == "" {
		return nil, errors.New("httpevent: event has no HTTP method")
	}
	hr, err := http.NewRequestWithContext(ctx, strings.ToUpper(method), "/", body)
	if err != nil {
		// Only the method can be wrong here; don't echo it, it is caller text.
		return nil, fmt.Errorf("httpevent: invalid HTTP method")
	}
	hr.URL = buildURL(r.Path, r.RawQuery)
	hr.RequestURI = hr.URL.RequestURI()
	hr.Header = r.Header.Clone()
	if hr.Header == nil {
		hr.Header = http.Header{}
	}
	hr.Host = hr.Header.Get("Host")
	hr.Header.Del("Host")
	hr.ContentLength = int64(length)
	if length > 0 || hr.Header.Get("Content-Length") != "" {
		// The event's header may describe the body before base64 decoding.
		hr.Header.Set("Content-Length", strconv.Itoa(length))
	}
	if length == 0 {
		hr.Body = http.NoBody
	}
	hr.RemoteAddr = remoteAddr(r.SourceIP)
	return hr, nil
}

// stringBody hands the event's body to the handler without a copy: the
// handler takes the string itself (httphandler.StringBody) instead of reading
// a photo-sized body into a buffer of its own.
type stringBody struct {
	strings.Reader
	s string
}

func newStringBody(s string) *stringBody {
	b := &stringBody{s: s}
	b.Reader.Reset(s)
	return b
}

// UnreadString returns what Read has not yet returned.
func (b *stringBody) UnreadString() string { return b.s[len(b.s)-b.Len():] }

// Close implements io.Closer.
func (b *stringBody) Close() error { return nil }

// decodeBase64 accepts padded and unpadded standard base64: gateways differ.
func decodeBase64(s string) ([]byte, error) {
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "="))
}

// buildURL keeps an escaped path's spelling (RawPath) when it unescapes
// cleanly; a path that does not is taken as already decoded.
func buildURL(path, rawQuery string) *url.URL {
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	u := &url.URL{Path: path, RawQuery: rawQuery}
	if strings.Contains(path, "%") {
		if p, err := url.PathUnescape(path); err == nil {
			u.Path, u.RawPath = p, path
		}
	}
	return u
}

// remoteAddr formats an IP as net/http does ("ip:port"); the port is unknown.
func remoteAddr(ip string) string {
	ip = strings.TrimSpace(ip)
	if ip == "" {
		return ""
	}
	if net.ParseIP(ip) != nil {
		return net.JoinHostPort(ip, "0")
	}
	return ip
}

// Header merges an event's single- and multi-value header maps. A name in
// multi wins over the same name in single, as API Gateway documents for
// REST events (multiValueHeaders carries every value).
func Header(single map[string]string, multi map[string][]string) http.Header {
	h := make(http.Header, len(single)+len(multi))
	for _, k := range sortedKeys(multi) {
		for _, v := range multi[k] {
			h.Add(k, v)
		}
	}
	for _, k := range sortedKeys(single) {
		// Sorted, so of two spellings of one name the same one always wins.
		if _, ok := h[http.CanonicalHeaderKey(k)]; !ok {
			h.Set(k, single[k])
		}
	}
	return h
}

// Query encodes a query map (sorted, so a request is reproducible). A key
// with no values, as SCF sends for "?flag", becomes "flag=".
func Query(m map[string][]string) string {
	v := make(url.Values, len(m))
	for k, vs := range m {
		if len(vs) == 0 {
			vs = []string{""}
		}
		v[k] = vs
	}
	return v.Encode()
}

// SingleQuery encodes a one-value-per-key query map.
func SingleQuery(m map[string]string) string {
	v := make(url.Values, len(m))
	for k, s := range m {
		v.Set(k, s)
	}
	return v.Encode()
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
