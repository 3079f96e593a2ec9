package httpevent

import (
	"context"
	"net/http"
	"reflect"
	"testing"
)

func TestResponseWriter(t *testing.T) {
	w := NewResponseWriter()
	w.Header().Add("Set-Cookie", "a=1")
	w.Header().Add("Set-Cookie", "b=2")
	w.Header().Add("Vary", "A")
	w.Header().Add("Vary", "B")
	w.WriteHeader(http.StatusTeapot)
	w.WriteHeader(http.StatusOK) // ignored, as net/http does
	w.Write([]byte("hello "))
	w.Write([]byte("world"))
	r := w.Response()
	if r.StatusCode != http.StatusTeapot || r.Body != "hello world" || r.IsBase64Encoded {
		t.Errorf("response = %+v", r)
	}
	if got := r.SingleHeaders(false); !reflect.DeepEqual(got, map[string]string{"Vary": "A, B"}) {
		t.Errorf("SingleHeaders(false) = %v", got)
	}
	if got := r.SingleHeaders(true)["Set-Cookie"]; got != "a=1, b=2" {
		t.Errorf("SingleHeaders(true) cookie = %q", got)
	}
	if got := r.Cookies(); !reflect.DeepEqual(got, []string{"a=1", "b=2"}) {
		t.Errorf("Cookies = %v", got)
	}
	// The response must not alias the writer's header.
	r.MultiHeaders()["Vary"][0] = "changed"
	if w.Header().Get("Vary") != "A" {
		t.Error("MultiHeaders aliases the header")
	}
}

func TestResponseDefaults(t *testing.T) {
	if r := NewResponseWriter().Response(); r.StatusCode != http.StatusOK || r.Body != "" {
		t.Errorf("empty response = %+v", r)
	}
	w := NewResponseWriter()
	w.WriteHeader(42)
	if r := w.Response(); r.StatusCode != http.StatusInternalServerError {
		t.Errorf("invalid status recorded as %d", r.StatusCode)
	}
	w = NewResponseWriter()
	w.Write([]byte{0xff, 0xfe})
	if r := w.Response(); !r.IsBase64Encoded || r.Body != "//4=" {
		t.Errorf("binary response = %+v", r)
	}
}

func TestServeMalformed(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Error("handler called") })
	r := Serve(context.Background(), h, Request{Method: "POST", Body: "?", Base64: true})
	if r.StatusCode != http.StatusBadRequest || r.Header.Get("Content-Type") == "" {
		t.Errorf("response = %+v", r)
	}
}
