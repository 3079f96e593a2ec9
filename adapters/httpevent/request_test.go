package httpevent

import (
	"context"
	"io"
	"net/http"
	"reflect"
	"testing"
	"testing/iotest"

	"github.com/faceid-verify/faceid/adapters/httphandler"
)

func TestHeaderMerge(t *testing.T) {
	h := Header(
		map[string]string{"x-tag": "last", "Content-Type": "a", "content-type": "b", "Only-Single": "1"},
		map[string][]string{"X-Tag": {"first", "last"}},
	)
	want := http.Header{"X-Tag": {"first", "last"}, "Content-Type": {"a"}, "Only-Single": {"1"}}
	if !reflect.DeepEqual(h, want) {
		t.Errorf("Header = %v, want %v", h, want)
	}
}

func TestQuery(t *testing.T) {
	if got := Query(map[string][]string{"b": {"2", "1"}, "a": {"x y"}, "flag": nil}); got != "a=x+y&b=2&b=1&flag=" {
		t.Errorf("Query = %q", got)
	}
	if got := SingleQuery(map[string]string{"q": "中"}); got != "q=%E4%B8%AD" {
		t.Errorf("SingleQuery = %q", got)
	}
	if got := Query(nil); got != "" {
		t.Errorf("Query(nil) = %q", got)
	}
}

func TestHTTPRequest(t *testing.T) {
	tests := map[string]struct {
		in                               Request
		path, rawPath, uri, remote, body string
		contentLength                    int64
	}{
		"escaped path kept": {
			in:   Request{Method: "get", Path: "/a%20b/c", RawQuery: "x=1", SourceIP: "2001:db8::1"},
			path: "/a b/c", rawPath: "/a%20b/c", uri: "/a%20b/c?x=1", remote: "[2001:db8::1]:0",
		},
		"decoded path, no slash": {
			in:   Request{Method: "POST", Path: "100%zz", Body: "hi", SourceIP: "not-an-ip"},
			path: "/100%zz", uri: "/100%25zz", remote: "not-an-ip", body: "hi", contentLength: 2,
		},
		"unpadded base64": {
			in:   Request{Method: "PUT", Path: "/", Body: "aGk", Base64: true},
			path: "/", uri: "/", body: "hi", contentLength: 2,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			r, err := tc.in.HTTPRequest(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(r.Body)
			if r.URL.Path != tc.path || r.URL.RawPath != tc.rawPath || r.RequestURI != tc.uri ||
				r.RemoteAddr != tc.remote || string(b) != tc.body || r.ContentLength != tc.contentLength {
				t.Errorf("got path %q raw %q uri %q remote %q body %q len %d", r.URL.Path, r.URL.RawPath,
					r.RequestURI, r.RemoteAddr, b, r.ContentLength)
			}
			if r.Method != "GET" && r.Method != "POST" && r.Method != "PUT" {
				t.Errorf("method = %q", r.Method)
			}
		})
	}
}

func TestHTTPRequestErrors(t *testing.T) {
	for name, in := range map[string]Request{
		"no method":  {Path: "/"},
		"bad method": {Method: "GE T", Path: "/"},
		"bad base64": {Method: "POST", Path: "/", Body: "***", Base64: true},
	} {
		if _, err := in.HTTPRequest(context.Background()); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// The handler takes an event's body as the string it is (no copy of a
// photo-sized body) only if it recognises the body's type.
var _ httphandler.StringBody = (*stringBody)(nil)

func TestStringBodyUnread(t *testing.T) {
	hr, err := Request{Method: "POST", Body: "hello world"}.HTTPRequest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	sb, ok := hr.Body.(httphandler.StringBody)
	if !ok {
		t.Fatalf("body is a %T, not a StringBody", hr.Body)
	}
	if err := iotest.TestReader(newStringBody("hello world"), []byte("hello world")); err != nil {
		t.Fatal(err)
	}
	var p [6]byte
	if n, _ := sb.Read(p[:]); n != 6 || sb.UnreadString() != "world" {
		t.Fatalf("after reading %q, unread %q", p[:n], sb.UnreadString())
	}
	hr, _ = Request{Method: "POST", Body: "aGk=", Base64: true}.HTTPRequest(context.Background())
	if _, ok := hr.Body.(httphandler.StringBody); ok {
		t.Fatal("a decoded base64 body claims to be the event's string")
	}
}
