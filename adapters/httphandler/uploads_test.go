package httphandler

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/faceid-verify/faceid/adapters/upload/s3store"
	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/core/hmacauth"
	"github.com/faceid-verify/faceid/internal/presignfixture"
	"github.com/faceid-verify/faceid/internal/s3fake"
	"github.com/faceid-verify/faceid/sandbox"
)

const uploadBucket = "photos"

// uploadsFixture is the handler with the upload flow on a gofakes3
// bucket, and the bucket's own store.
type uploadsFixture struct {
	*fixture
	store   *s3store.Store
	presign *presignfixture.Counter
}

func newUploadsFixture(t *testing.T, opts Options) *uploadsFixture {
	t.Helper()
	_, c := s3fake.Start(t, uploadBucket)
	st := s3store.New(c)
	// The issuer needs the fixture's core client, which newFixture builds:
	// route through a forwarder set once both exist.
	fw := &forwardUploads{}
	opts.Uploads = fw
	f := newFixture(t, sandbox.Config{}, core.Config{}, opts)
	t.Cleanup(f.close)
	cp := &presignfixture.Counter{Presigner: st}
	is, err := upload.NewIssuer(upload.Config{MACKey: presignfixture.MACKey},
		upload.IssueConfig{Bucket: uploadBucket}, f.client, cp, st)
	if err != nil {
		t.Fatal(err)
	}
	fw.Uploads = is
	return &uploadsFixture{fixture: f, store: st, presign: cp}
}

type forwardUploads struct{ Uploads }

func (f *uploadsFixture) raw(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	f.handler.ServeHTTP(w, r)
	return w
}

func uploadReq(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/uploads", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r
}

func TestIssueUploadAnswer(t *testing.T) {
	f := newUploadsFixture(t, Options{})
	w := f.raw(uploadReq(`{"name":"张三","idcard":"110101199003070011","content_type":"image/png","size":1234,"other":[1]}`))
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if w.Header().Get("Cache-Control") != "no-store" {
		t.Error("the answer holds upload credentials and must not be cached")
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	var names []string
	for k := range got {
		names = append(names, k)
	}
	slices.Sort(names)
	want := []string{"expires_at", "key", "result_key", "result_url", "upload_headers", "upload_method", "upload_url"}
	if !slices.Equal(names, want) {
		t.Fatalf("fields %v, want exactly %v", names, want)
	}
	var tk upload.Ticket
	json.Unmarshal(w.Body.Bytes(), &tk)
	if tk.UploadMethod != "PUT" || tk.UploadHeaders["Content-Type"] != "image/png" || tk.UploadHeaders["Content-Length"] != "1234" ||
		!strings.HasSuffix(tk.Key, ".png") || tk.ResultKey != "results/"+tk.Key+".json" {
		t.Errorf("answer %s", w.Body)
	}
	logs := f.logs.String()
	if !strings.Contains(logs, `"msg":"upload issued"`) || strings.Contains(logs, "X-Amz-Signature") {
		t.Errorf("logs: %s", logs)
	}
	assertNoPII(t, logs, f.photo)
}

// A person /verify would refuse is refused here in the same words, and no
// address is signed.
func TestIssueUploadRefusals(t *testing.T) {
	f := newUploadsFixture(t, Options{})
	tests := []struct {
		name, body    string
		status        int
		field, reason string
	}{
		{"checksum", `{"name":"张三","idcard":"110101199003070012"}`, 400, "idcard", "checksum"},
		{"no name", `{"idcard":"110101199003070011"}`, 400, "name", ""},
		{"gif", `{"name":"张三","idcard":"110101199003070011","content_type":"image/gif"}`, 400, "content_type", "unsupported"},
		{"too large", `{"name":"张三","idcard":"110101199003070011","size":104857600}`, 400, "size", "too_large"},
		{"negative size", `{"name":"张三","idcard":"110101199003070011","size":-5}`, 400, "size", "format"},
		{"fractional size", `{"name":"张三","idcard":"110101199003070011","size":1.5}`, 400, "size", "type"},
		{"size as text", `{"name":"张三","idcard":"110101199003070011","size":"12"}`, 400, "size", "type"},
		{"number as name", `{"name":7,"idcard":"110101199003070011"}`, 400, "name", "type"},
		{"duplicate", `{"name":"张三","idcard":"110101199003070011","idcard":"440305199512120016"}`, 400, "idcard", "duplicate"},
		{"not JSON", `name=张三&idcard=110101199003070011`, 400, "body", "json"},
		{"trailing data", `{"name":"张三","idcard":"110101199003070011"} {}`, 400, "body", "json"},
		{"truncated", `{"name":"张三","idcard":"1101`, 400, "body", "json"},
		{"too long", `{"name":"` + strings.Repeat("张", 20000) + `"}`, 413, "body", "too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := f.raw(uploadReq(tt.body))
			var env envelope
			json.Unmarshal(w.Body.Bytes(), &env)
			if w.Code != tt.status || env.Error == nil || env.Error.Kind != "validation" || env.Error.Field != tt.field ||
				(tt.reason != "" && env.Error.Reason != tt.reason) || env.Error.MayHaveCharged {
				t.Fatalf("status %d %s, want %d %s.%s", w.Code, w.Body, tt.status, tt.field, tt.reason)
			}
		})
	}
	// The same person sent to /verify gets the same message.
	up := f.raw(uploadReq(`{"name":"张三","idcard":"110101199003070012"}`))
	ver := f.raw(jsonReq("/verify", map[string]string{"name": "张三", "idcard": "110101199003070012", "image": f.photo}))
	var a, b envelope
	json.Unmarshal(up.Body.Bytes(), &a)
	json.Unmarshal(ver.Body.Bytes(), &b)
	if a.Msg != b.Msg || a.Code != b.Code || up.Code != ver.Code || *a.Error != *b.Error {
		t.Errorf("/uploads says %s, /verify says %s", up.Body, ver.Body)
	}
	if f.presign.Signed() != 0 {
		t.Errorf("%d addresses signed for refused requests", f.presign.Signed())
	}
	if n := f.sb.Stats().Received; n != 0 {
		t.Errorf("upstream received %d calls", n)
	}
}

func TestUploadResult(t *testing.T) {
	f := newUploadsFixture(t, Options{})
	w := f.raw(uploadReq(`{"name":"张三","idcard":"110101199003070011"}`))
	var tk upload.Ticket
	if err := json.Unmarshal(w.Body.Bytes(), &tk); err != nil || w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	get := func(path string) *httptest.ResponseRecorder {
		return f.raw(httptest.NewRequest(http.MethodGet, path, nil))
	}
	w = get("/results/" + tk.Key)
	var env envelope
	json.Unmarshal(w.Body.Bytes(), &env)
	if w.Code != http.StatusNotFound || env.Error == nil || env.Error.Kind != "not_found" {
		t.Fatalf("before the result: %d %s", w.Code, w.Body)
	}
	stored := []byte(`{"schema":1,"outcome":"verified","passed":true}`)
	if err := f.store.Put(context.Background(), upload.Ref{Bucket: uploadBucket, Key: tk.ResultKey}, stored); err != nil {
		t.Fatal(err)
	}
	w = get("/results/" + tk.Key)
	if w.Code != http.StatusOK || !bytes.Equal(w.Body.Bytes(), stored) || w.Header().Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("after the result: %d %q", w.Code, w.Body)
	}
	// Only keys the flow issues: no other result, no traversal.
	if err := f.store.Put(context.Background(), upload.Ref{Bucket: uploadBucket, Key: "results/uploads/a.jpg.json"}, stored); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/results/uploads/a.jpg", "/results/" + tk.ResultKey, "/results/uploads/issued/x.jpg",
		"/results/" + tk.Key + "/../../a.jpg", "/results/" + strings.Replace(tk.Key, "issued/", "issued/../", 1)} {
		w := get(path)
		if w.Code == http.StatusOK {
			t.Errorf("GET %s answered 200 %s", path, w.Body)
		}
	}
	w = get("/results/uploads/a.jpg")
	json.Unmarshal(w.Body.Bytes(), &env)
	if w.Code != http.StatusBadRequest || env.Error == nil || env.Error.Field != "key" {
		t.Errorf("GET of an ordinary upload's result: %d %s", w.Code, w.Body)
	}
}

func TestUploadsInDropInMode(t *testing.T) {
	f := newUploadsFixture(t, Options{ClientKeys: map[string]string{"client-id": "client-secret"}})
	sign := func(r *http.Request, key string) *http.Request {
		hmacauth.Sign(r.Header, hmacauth.Credentials{SecretID: "client-id", SecretKey: key, Source: "market", Variant: hmacauth.XDate}, time.Now())
		return r
	}
	body := `{"name":"张三","idcard":"110101199003070011"}`
	key := "uploads/issued/" + strings.Repeat("a", 26) + ".jpg"
	for _, tc := range []struct {
		name   string
		req    *http.Request
		status int
	}{
		{"unsigned upload", uploadReq(body), 401},
		{"wrong key", sign(uploadReq(body), "nope"), 403},
		{"signed upload", sign(uploadReq(body), "client-secret"), 200},
		{"unsigned result", httptest.NewRequest(http.MethodGet, "/results/"+key, nil), 401},
		{"signed result", sign(httptest.NewRequest(http.MethodGet, "/results/"+key, nil), "client-secret"), 404},
	} {
		if w := f.raw(tc.req); w.Code != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, w.Code, w.Body, tc.status)
		}
	}
	if f.presign.Signed() != 1 {
		t.Errorf("%d addresses signed, want 1 (the signed request's)", f.presign.Signed())
	}
}

// Without the flow configured the routes do not exist.
func TestUploadsOffByDefault(t *testing.T) {
	f := newFixture(t, sandbox.Config{}, core.Config{}, Options{})
	defer f.close()
	for _, r := range []*http.Request{uploadReq(`{}`), httptest.NewRequest(http.MethodGet, "/results/uploads/issued/a.jpg", nil)} {
		w := httptest.NewRecorder()
		f.handler.ServeHTTP(w, r)
		if w.Code != http.StatusNotFound {
			t.Errorf("%s %s: %d, want 404", r.Method, r.URL.Path, w.Code)
		}
	}
}

func FuzzParseUploadRequest(f *testing.F) {
	f.Add(`{"name":"张三","idcard":"110101199003070011","content_type":"image/jpeg","size":100}`)
	f.Add(`{"size":null,"name":null}`)
	f.Add(`{"size":1e3}`)
	f.Add(`{"a":{"b":[1,2,{"c":"d"}]},"name":"x"}`)
	f.Fuzz(func(t *testing.T, body string) {
		req, err := parseUploadRequest(httptest.NewRequest(http.MethodPost, "/uploads", strings.NewReader(body)))
		if err != nil {
			return
		}
		// What is accepted is what encoding/json reads from it.
		var m map[string]any
		if err := json.Unmarshal([]byte(body), &m); err != nil {
			t.Fatalf("accepted %q, which encoding/json refuses: %v", body, err)
		}
		str := func(k string) string { s, _ := m[k].(string); return s }
		if req.Name != str("name") || req.IDCard != str("idcard") || req.ContentType != str("content_type") {
			t.Fatalf("%q read as %+v", body, req)
		}
		if n, ok := m["size"].(float64); ok && float64(req.Size) != n {
			t.Fatalf("%q: size read as %d", body, req.Size)
		}
	})
}

// A signature covers no body. Sent again with the same request (a retry)
// it gets the same key, which is verified at most once; with another body
// it is refused, so a signature seen once cannot mint addresses for other
// people. Idempotency-Key does the same for callers without drop-in mode.
func TestIssueUploadRepeats(t *testing.T) {
	key := func(t *testing.T, w *httptest.ResponseRecorder) string {
		t.Helper()
		var tk upload.Ticket
		if err := json.Unmarshal(w.Body.Bytes(), &tk); err != nil || w.Code != 200 {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
		return tk.Key
	}
	t.Run("signature", func(t *testing.T) {
		f := newUploadsFixture(t, Options{ClientKeys: map[string]string{"client-id": "client-secret"}})
		at := time.Now()
		signed := func(body string) *http.Request {
			r := uploadReq(body)
			hmacauth.Sign(r.Header, hmacauth.Credentials{SecretID: "client-id", SecretKey: "client-secret", Source: "market", Variant: hmacauth.XDate}, at)
			return r
		}
		body := `{"name":"张三","idcard":"110101199003070011"}`
		first, again := key(t, f.raw(signed(body))), key(t, f.raw(signed(body)))
		if first != again {
			t.Errorf("a repeated signed request got a second key: %s, %s", first, again)
		}
		if w := f.raw(signed(`{"name":"王五","idcard":"130102197809210037"}`)); w.Code != http.StatusForbidden {
			t.Errorf("the signature reused for another person: %d %s, want 403", w.Code, w.Body)
		}
	})
	t.Run("Idempotency-Key", func(t *testing.T) {
		f := newUploadsFixture(t, Options{})
		req := func(body, idem string) *http.Request {
			r := uploadReq(body)
			if idem != "" {
				r.Header.Set(IdempotencyHeader, idem)
			}
			return r
		}
		a := `{"name":"张三","idcard":"110101199003070011"}`
		b := `{"name":"王五","idcard":"130102197809210037"}`
		k1, k2 := key(t, f.raw(req(a, "order-1"))), key(t, f.raw(req(a, "order-1")))
		if k1 != k2 {
			t.Errorf("the same Idempotency-Key and fields got two keys")
		}
		if k3 := key(t, f.raw(req(b, "order-1"))); k3 == k1 {
			t.Errorf("another person under the same Idempotency-Key got the same key")
		}
		if k4, k5 := key(t, f.raw(req(a, ""))), key(t, f.raw(req(a, ""))); k4 == k5 || k4 == k1 {
			t.Errorf("requests without a key share one: %s %s %s", k1, k4, k5)
		}
		if w := f.raw(req(a, strings.Repeat("k", 256))); w.Code != http.StatusBadRequest {
			t.Errorf("a 256-character Idempotency-Key: %d", w.Code)
		}
	})
}
