package httphandler

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/core/hmacauth"
	"github.com/faceid-verify/faceid/internal/syncbuf"
	"github.com/faceid-verify/faceid/sandbox"
)

const passID = "110101199003070011"

type fixture struct {
	sb      *sandbox.Server
	srv     *httptest.Server
	client  *core.Client
	handler *Handler
	logs    *syncbuf.Buffer
	photo   string // base64 of the test JPEG
}

func newFixture(t *testing.T, sbCfg sandbox.Config, cfg core.Config, opts Options) *fixture {
	t.Helper()
	sb := sandbox.New(sbCfg)
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	if cfg.SecretID == "" {
		cfg.SecretID, cfg.SecretKey = sandbox.DefaultSecretID, sandbox.DefaultSecretKey
	}
	cfg.Endpoint = srv.URL + "/release/face_id_card/post"
	client, err := core.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncbuf.Buffer{}
	opts.Verifier = client
	opts.Logger = newJSONLogger(logs)
	return &fixture{sb: sb, srv: srv, client: client, handler: New(opts), logs: logs, photo: loadPhoto(t)}
}

// close releases the fixture's servers and connections before a leak check.
func (f *fixture) close() {
	f.client.CloseIdleConnections()
	f.sb.Close()
	f.srv.Close()
}

func newJSONLogger(w io.Writer) *slog.Logger { return slog.New(slog.NewJSONHandler(w, nil)) }

// loadPhoto returns the test JPEG as base64.
func loadPhoto(t testing.TB) string {
	t.Helper()
	img, err := os.ReadFile("../../testdata/photos/small-320x240.jpg")
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(img)
}

func (f *fixture) do(r *http.Request) (*http.Response, map[string]any) {
	w := httptest.NewRecorder()
	f.handler.ServeHTTP(w, r)
	resp := w.Result()
	var body map[string]any
	json.Unmarshal(w.Body.Bytes(), &body)
	return resp, body
}

func jsonReq(path string, v any) *http.Request {
	b, _ := json.Marshal(v)
	r := httptest.NewRequest("POST", path, bytes.NewReader(b))
	r.Header.Set("Content-Type", "application/json")
	return r
}

func formReq(path, body string) *http.Request {
	r := httptest.NewRequest("POST", path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}

func TestStatusMapping(t *testing.T) {
	f := newFixture(t, sandbox.Config{}, core.Config{}, Options{})
	verify := func(id, name string) *http.Request {
		return jsonReq("/verify", map[string]string{"idcard": id, "name": name, "image": f.photo})
	}
	tests := []struct {
		name     string
		req      *http.Request
		status   int
		code     float64
		passed   any // expected data.passed, nil when data is empty
		kind     string
		billable int64
	}{
		{"same person", verify(passID, "张三"), 200, 200, true, "", 1},
		{"uncertain", verify("120101198506120022", "李四"), 200, 200, false, "", 1},
		{"different person", verify("130102197809210037", "王五"), 200, 200, false, "", 1},
		{"name mismatch", verify(passID, "李四"), 200, 200, false, "", 1},
		{"local checksum error", verify("110101199003070012", "张三"), 400, 400, nil, "validation", 0},
		{"local name error", verify(passID, "<b>张三</b>"), 400, 400, nil, "validation", 0},
		{"seller 404", verify("360102199306180149", "沈六"), 502, 404, nil, "seller", 0},
		{"seller 500", verify("370102198009090152", "韩七"), 502, 500, nil, "seller", 0},
		{"seller 501", verify("410102199711110165", "杨八"), 502, 501, nil, "seller", 0},
		{"seller 604", verify("420102197503150173", "朱九"), 503, 604, nil, "seller", 0},
		{"form body on the drop-in path", formReq("/release/face_id_card/post",
			url.Values{"idcard": {passID}, "name": {"张三"}, "image": {f.photo}, "url": {""}}.Encode()), 200, 200, true, "", 1},
		{"duplicated form key", formReq("/verify", "idcard="+passID+"&idcard="+passID+"&name=x&image=y"), 400, 400, nil, "validation", 0},
		{"json trailing garbage", func() *http.Request {
			r := jsonReq("/verify", map[string]string{"idcard": passID})
			r.Body = io.NopCloser(strings.NewReader(`{"idcard":"` + passID + `"} {}`))
			return r
		}(), 400, 400, nil, "validation", 0},
		{"json duplicate key", func() *http.Request {
			r := jsonReq("/verify", nil)
			r.Body = io.NopCloser(strings.NewReader(`{"idcard":"1","idcard":"2"}`))
			return r
		}(), 400, 400, nil, "validation", 0},
		{"invalid UTF-8 in JSON", func() *http.Request {
			r := jsonReq("/verify", nil)
			r.Body = io.NopCloser(strings.NewReader("{\"idcard\":\"" + passID + "\",\"name\":\"\xff\xfe\"}"))
			return r
		}(), 400, 400, nil, "validation", 0},
		{"invalid UTF-8 in a form", formReq("/verify", "idcard="+passID+"&name=%FF%FE&image=x"), 400, 400, nil, "validation", 0},
		{"NUL byte", jsonReq("/verify", map[string]string{"idcard": passID, "name": "张\u0000三", "image": "x"}), 400, 400, nil, "validation", 0},
		{"NUL in JSON escape", func() *http.Request {
			r := jsonReq("/verify", nil)
			r.Body = io.NopCloser(strings.NewReader(`{"idcard":"` + passID + `","name":"张\u0000三","image":"x"}`))
			return r
		}(), 400, 400, nil, "validation", 0},
		{"over-long field", jsonReq("/verify", map[string]string{"idcard": passID, "name": strings.Repeat("张", 5000), "image": "x"}), 400, 400, nil, "validation", 0},
		{"JSON array body", func() *http.Request {
			r := jsonReq("/verify", nil)
			r.Body = io.NopCloser(strings.NewReader(`[1,2]`))
			return r
		}(), 400, 400, nil, "validation", 0},
		{"non-string JSON value", func() *http.Request {
			r := jsonReq("/verify", nil)
			r.Body = io.NopCloser(strings.NewReader(`{"idcard":110101199003070011}`))
			return r
		}(), 400, 400, nil, "validation", 0},
		{"wrong content type", func() *http.Request {
			r := formReq("/verify", "x")
			r.Header.Set("Content-Type", "text/plain")
			return r
		}(), 415, 400, nil, "validation", 0},
		{"body too large", formReq("/verify", "image="+strings.Repeat("A", DefaultMaxBody+1)), 413, 400, nil, "validation", 0},
		{"image and url", jsonReq("/verify", map[string]string{"idcard": passID, "name": "张三", "image": f.photo, "url": "https://example.com/a.jpg"}), 400, 400, nil, "validation", 0},
		{"webp photo", func() *http.Request {
			b, _ := os.ReadFile("../../testdata/photos/portrait.webp")
			return jsonReq("/verify", map[string]string{"idcard": passID, "name": "张三", "image": base64.StdEncoding.EncodeToString(b)})
		}(), 400, 400, nil, "validation", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f.sb.ResetStats()
			resp, body := f.do(tc.req)
			if resp.StatusCode != tc.status || body["code"] != tc.code {
				t.Fatalf("status %d code %v, want %d %v: %v", resp.StatusCode, body["code"], tc.status, tc.code, body)
			}
			if body["request_id"] == "" || resp.Header.Get("X-Request-Id") != body["request_id"] {
				t.Errorf("request id missing: %v", body)
			}
			if tc.passed != nil {
				data := body["data"].(map[string]any)
				if data["passed"] != tc.passed || data["verdict"] == "" || data["incorrect_desc"] == "" {
					t.Errorf("data %v", data)
				}
			}
			if tc.kind != "" {
				e, _ := body["error"].(map[string]any)
				if e["kind"] != tc.kind {
					t.Errorf("error %v, want kind %s", e, tc.kind)
				}
			}
			if got := f.sb.Stats().Billable; got != tc.billable {
				t.Errorf("billable calls = %d, want %d", got, tc.billable)
			}
		})
	}
	assertNoPII(t, f.logs.String(), f.photo)
}

func TestUpstreamFailures(t *testing.T) {
	t.Run("our key pair rejected is a loud 502", func(t *testing.T) {
		f := newFixture(t, sandbox.Config{}, core.Config{SecretID: "sandbox-secret-id", SecretKey: "not-the-key"}, Options{})
		resp, body := f.do(jsonReq("/verify", map[string]string{"idcard": passID, "name": "张三", "image": f.photo}))
		if resp.StatusCode != 502 || strings.Contains(body["msg"].(string), "HMAC") {
			t.Fatalf("%d %v", resp.StatusCode, body)
		}
		if !strings.Contains(f.logs.String(), `"level":"ERROR"`) || !strings.Contains(f.logs.String(), hmacauth.MsgSignatureMismatch) {
			t.Fatalf("not logged loudly: %s", f.logs.String())
		}
		if strings.Contains(f.logs.String(), "not-the-key") {
			t.Fatal("secret logged")
		}
	})
	t.Run("quota is a 429", func(t *testing.T) {
		f := newFixture(t, sandbox.Config{Quota: 1}, core.Config{}, Options{})
		req := func() *http.Request {
			return jsonReq("/verify", map[string]string{"idcard": passID, "name": "张三", "image": f.photo})
		}
		if resp, _ := f.do(req()); resp.StatusCode != 200 {
			t.Fatalf("first call %d", resp.StatusCode)
		}
		resp, body := f.do(req())
		if resp.StatusCode != 429 || body["error"].(map[string]any)["kind"] != "quota_exceeded" {
			t.Fatalf("%d %v", resp.StatusCode, body)
		}
	})
	t.Run("upstream timeout is a 504", func(t *testing.T) {
		f := newFixture(t, sandbox.Config{}, core.Config{Timeout: 200 * time.Millisecond}, Options{})
		f.sb.InjectFault(sandbox.Fault{Kind: sandbox.FaultLatency, Latency: 2 * time.Second, Times: 1})
		resp, body := f.do(jsonReq("/verify", map[string]string{"idcard": passID, "name": "张三", "image": f.photo}))
		e := body["error"].(map[string]any)
		if resp.StatusCode != 504 || e["may_have_charged"] != true {
			t.Fatalf("%d %v", resp.StatusCode, body)
		}
	})
	t.Run("daily budget is a 429 without a call", func(t *testing.T) {
		f := newFixture(t, sandbox.Config{}, core.Config{DailyBudget: 1}, Options{})
		req := func() *http.Request {
			return jsonReq("/verify", map[string]string{"idcard": passID, "name": "张三", "image": f.photo})
		}
		f.do(req())
		resp, body := f.do(req())
		if resp.StatusCode != 429 || body["error"].(map[string]any)["kind"] != "budget_exhausted" || f.sb.Stats().Received != 1 {
			t.Fatalf("%d %v", resp.StatusCode, body)
		}
	})
	t.Run("open circuit is a 503 without a call", func(t *testing.T) {
		f := newFixture(t, sandbox.Config{}, core.Config{BreakerThreshold: 2, MaxAttempts: 1}, Options{})
		f.sb.InjectFault(sandbox.Fault{Kind: sandbox.FaultStatus, Status: 500, Times: 2})
		req := func() *http.Request {
			return jsonReq("/verify", map[string]string{"idcard": passID, "name": "张三", "image": f.photo})
		}
		f.do(req())
		f.do(req())
		resp, body := f.do(req())
		if resp.StatusCode != 503 || body["error"].(map[string]any)["kind"] != "circuit_open" || f.sb.Stats().Received != 2 {
			t.Fatalf("%d %v, received %d", resp.StatusCode, body, f.sb.Stats().Received)
		}
	})
	t.Run("gateway 502 is a 502", func(t *testing.T) {
		f := newFixture(t, sandbox.Config{}, core.Config{}, Options{})
		f.sb.InjectFault(sandbox.Fault{Kind: sandbox.FaultStatus, Status: 502, Times: 1})
		resp, _ := f.do(jsonReq("/verify", map[string]string{"idcard": passID, "name": "张三", "image": f.photo}))
		if resp.StatusCode != 502 {
			t.Fatalf("%d", resp.StatusCode)
		}
	})
}

func TestDropInSignatures(t *testing.T) {
	keys := map[string]string{"client-id": "client-secret"}
	f := newFixture(t, sandbox.Config{}, core.Config{}, Options{ClientKeys: keys})
	body := url.Values{"idcard": {passID}, "name": {"张三"}, "image": {f.photo}, "url": {""}}.Encode()
	sign := func(r *http.Request, id, key string, at time.Time) *http.Request {
		hmacauth.Sign(r.Header, hmacauth.Credentials{SecretID: id, SecretKey: key, Source: "market", Variant: hmacauth.XDate}, at)
		return r
	}
	now := time.Now()
	tests := []struct {
		name   string
		req    *http.Request
		status int
	}{
		{"signed", sign(formReq("/release/face_id_card/post", body), "client-id", "client-secret", now), 200},
		{"unsigned", formReq("/release/face_id_card/post", body), 401},
		{"wrong key", sign(formReq("/verify", body), "client-id", "nope", now), 403},
		{"unknown id", sign(formReq("/verify", body), "other", "client-secret", now), 403},
		{"stale x-date", sign(formReq("/verify", body), "client-id", "client-secret", now.Add(-16*time.Minute)), 401},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f.sb.ResetStats()
			resp, b := f.do(tc.req)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %v", resp.StatusCode, tc.status, b)
			}
			if tc.status != 200 {
				if _, ok := b["message"].(string); !ok || f.sb.Stats().Received != 0 {
					t.Fatalf("want a gateway-style body and no upstream call: %v", b)
				}
			}
		})
	}
	// The health check stays open.
	if resp, _ := f.do(httptest.NewRequest("GET", "/healthz", nil)); resp.StatusCode != 200 {
		t.Fatalf("healthz %d", resp.StatusCode)
	}
}

// assertNoPII fails if a raw ID number, name, photo or secret reached the logs.
func assertNoPII(t *testing.T, logs, photo string) {
	t.Helper()
	for _, s := range []string{passID, "张三", "李四", "王五", photo[:40], sandbox.DefaultSecretKey, "120101198506120022"} {
		if strings.Contains(logs, s) {
			t.Errorf("logs contain %q", s)
		}
	}
	if !strings.Contains(logs, "110***********0011") {
		t.Error("logs lack the masked ID")
	}
}

func TestRequestIDFromContext(t *testing.T) {
	f := newFixture(t, sandbox.Config{}, core.Config{}, Options{})
	r := jsonReq("/verify", map[string]string{"idcard": "bad"})
	r = r.WithContext(WithRequestID(context.Background(), "platform-id-1"))
	_, body := f.do(r)
	if body["request_id"] != "platform-id-1" {
		t.Fatalf("request_id %v", body["request_id"])
	}
}

// FACEID_CLIENT_KEYS fails closed: a value that is set must hold valid
// pairs, or drop-in mode would silently be off.
func TestParseClientKeys(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"a:b", 1, true},
		{"a:b, c:d", 2, true},
		{"AKIDz8krbsJ5yKBZQpn74WFkmLPx3gnPhESA:Gu5t9xGARNpq86cd98joQYCN3Cozk1qA", 1, true},
		{"a:b:c", 1, true}, // the secret is everything after the first colon
		{"", 0, false},
		{"   ", 0, false},
		{"\t\n", 0, false},
		{",", 0, false},
		{"a:s3cr3t,", 0, false},
		{"a:s3cr3t,a:c", 0, false},
		{"a", 0, false},
		{"a:", 0, false},
		{":s3cr3t", 0, false},
		{"a b:s3cr3t", 0, false},
		{`a":s3cr3t`, 0, false},
		{"a:s3cr3t\x00", 0, false},
		{"a:s3cr3t秘密", 0, false},
		{"${env:FACEID_CLIENT_KEYS}", 0, false},
		{"{{resolve:secretsmanager:faceid/upstream:SecretString:client_keys}}", 0, false},
	}
	for _, tc := range tests {
		got, err := ParseClientKeys(tc.in)
		if (err == nil) != tc.ok || len(got) != tc.want {
			t.Errorf("ParseClientKeys(%q) = %v, %v", tc.in, got, err)
		}
		var ce *core.ConfigError
		if err != nil && (!errors.As(err, &ce) || ce.Key != "FACEID_CLIENT_KEYS") {
			t.Errorf("ParseClientKeys(%q): %v is not a ConfigError naming the variable", tc.in, err)
		}
		if err != nil && strings.Contains(tc.in, "s3cr3t") && strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("error reveals a secret: %v", err)
		}
	}
}

func FuzzParseRequest(f *testing.F) {
	f.Add("application/json", `{"idcard":"110101199003070011","name":"张三","image":"AAAA"}`)
	f.Add("application/x-www-form-urlencoded", "idcard=1&name=%E5%BC%A0&image=AA&url=")
	f.Add("application/json", `{"idcard":1}`)
	f.Add("application/json", `{"a":{"b":[1,2]},"idcard":null}`)
	f.Add("multipart/form-data; boundary=x", "--x--")
	f.Fuzz(func(t *testing.T, ct, body string) {
		r := httptest.NewRequest("POST", "/verify", strings.NewReader(body))
		r.Header.Set("Content-Type", ct)
		req, err := parseRequest(r, 1<<20)
		if err != nil {
			return
		}
		for _, v := range []string{req.IDCard, req.Name, req.URL} {
			if len(v) > maxFieldLen || strings.ContainsRune(v, 0) {
				t.Fatalf("field escaped the checks: %q", v)
			}
		}
	})
}
