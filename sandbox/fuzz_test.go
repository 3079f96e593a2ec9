package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/core/hmacauth"
)

// FuzzRequestBody feeds arbitrary bodies and content types through the
// parser and the whole signed request path: no panic, and always a
// well-formed seller envelope.
func FuzzRequestBody(f *testing.F) {
	f.Add("application/x-www-form-urlencoded", []byte("idcard=110101199003070011&name=%E5%BC%A0%E4%B8%89&image=/9j/4AAQ&url="))
	f.Add("application/json", []byte(`{"idcard":"110101199003070011","name":"张三","url":"https://example.com/a.jpg"}`))
	f.Add("application/x-www-form-urlencoded", []byte(`{"idcard":"","image":"","name":"","url":"",}`))
	f.Add("", []byte("idcard=%zz&name="))
	f.Add("application/json; charset=utf-8", []byte(`{"idcard":1.5e300,"name":{"a":[]},"image":null}`))
	f.Add("multipart/form-data; boundary=x", []byte("--x\r\n"))

	now := time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)
	s := New(Config{Now: func() time.Time { return now }, MaxImageBytes: 64 << 10})
	// Fuzzed loopback photo URLs must not reach whatever listens locally.
	s.fetch = &http.Client{Transport: refuseTransport{}}
	creds := hmacauth.Credentials{SecretID: DefaultSecretID, SecretKey: DefaultSecretKey, Source: "market", Variant: hmacauth.XDate}
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		if req, ok := parseBody(contentType, string(body)); ok {
			_ = validate(req)
		}
		r := httptest.NewRequest(http.MethodPost, "/release/face_id_card/post", bytes.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		hmacauth.Sign(r.Header, creds, now)
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		var env struct {
			Success *bool           `json:"success"`
			Code    int             `json:"code"`
			Data    json.RawMessage `json:"data"`
		}
		if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &env) != nil || env.Success == nil || env.Data == nil {
			t.Fatalf("status %d, body %q", w.Code, w.Body.String())
		}
		if !slices.Contains([]int{200, 400, 404, 500, 501, 604}, env.Code) {
			t.Fatalf("code %d", env.Code)
		}
	})
}

type refuseTransport struct{}

func (refuseTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errNotLoopback
}
