package main

import (
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/core/mask"
	"github.com/faceid-verify/faceid/internal/proctest"
	"github.com/faceid-verify/faceid/internal/syncbuf"
)

type browserCase struct {
	name    string
	method  string
	path    string
	host    string // "" for the server's own address
	headers map[string]string
	status  int
	billed  int64
	cors    string // expected Access-Control-Allow-Origin
}

// A web page must not spend money through the local server: a cross-site
// form post and a DNS-rebinding page (a foreign Host) are refused before
// anything is parsed; a listed origin gets CORS, preflight included.
func TestBrowsersCannotSpend(t *testing.T) {
	env, sb := upstreamEnv(t, map[string]string{"FACEID_ALLOWED_ORIGINS": "https://app.example, http://localhost:3000"})
	base, _, stderr := startLocal(t, env)
	own := strings.TrimPrefix(base, "http://")
	port := own[strings.LastIndexByte(own, ':'):]
	form := formBody(t)
	post := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	with := func(m map[string]string, kv ...string) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i]] = kv[i+1]
		}
		return out
	}
	cases := []browserCase{
		{"no Origin (curl, the samples)", "POST", "/verify", "", post, 200, 1, ""},
		{"localhost", "POST", "/verify", "localhost" + port, post, 200, 1, ""},
		{"[::1]", "POST", "/verify", "[::1]" + port, post, 200, 1, ""},
		{"same origin", "POST", "/verify", "", with(post, "Origin", base), 200, 1, ""},
		{"cross-site form post", "POST", "/verify", "", with(post, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"), 403, 0, ""},
		{"cross-site form post, upstream path", "POST", "/release/face_id_card/post", "", with(post, "Origin", "https://evil.example"), 403, 0, ""},
		{"opaque origin (sandboxed frame, file:)", "POST", "/verify", "", with(post, "Origin", "null"), 403, 0, ""},
		{"another port of localhost", "POST", "/verify", "", with(post, "Origin", "http://localhost:8080"), 403, 0, ""},
		{"cross-site without Origin", "POST", "/verify", "", with(post, "Sec-Fetch-Site", "cross-site"), 403, 0, ""},
		{"cross-site GET /metrics", "GET", "/metrics", "", map[string]string{"Origin": "https://evil.example"}, 403, 0, ""},
		{"DNS rebinding", "POST", "/verify", "evil.example" + port, post, 404, 0, ""},
		{"DNS rebinding, same origin to the page", "POST", "/verify", "evil.example" + port, with(post, "Origin", "http://evil.example"+port), 404, 0, ""},
		{"DNS rebinding reads /metrics", "GET", "/metrics", "rebind.evil.example" + port, nil, 404, 0, ""},
		{"foreign address", "GET", "/healthz", "192.0.2.7" + port, nil, 404, 0, ""},
		{"listed origin", "POST", "/verify", "", with(post, "Origin", "https://app.example"), 200, 1, "https://app.example"},
		{"second listed origin", "POST", "/verify", "", with(post, "Origin", "http://localhost:3000"), 200, 1, "http://localhost:3000"},
		{"preflight, listed", "OPTIONS", "/verify", "", map[string]string{"Origin": "https://app.example",
			"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type, idempotency-key"}, 204, 0, "https://app.example"},
		{"preflight, not listed", "OPTIONS", "/verify", "", map[string]string{"Origin": "https://evil.example",
			"Access-Control-Request-Method": "POST"}, 403, 0, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var body io.Reader
			if tc.method == "POST" {
				body = strings.NewReader(form)
			}
			req, _ := http.NewRequest(tc.method, base+tc.path, body)
			if tc.host != "" {
				req.Host = tc.host
			}
			for k, v := range tc.headers {
				req.Header.Set(k, v)
			}
			before := sb.Stats()
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			after := sb.Stats()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, raw)
			}
			if got := after.Billable - before.Billable; got != tc.billed || (tc.billed == 0 && after.Received != before.Received) {
				t.Errorf("billed %d (received %d), want %d", got, after.Received-before.Received, tc.billed)
			}
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != tc.cors {
				t.Errorf("Access-Control-Allow-Origin %q, want %q", got, tc.cors)
			}
			if tc.status >= 400 {
				var m struct{ Message string }
				if json.Unmarshal(raw, &m) != nil || m.Message == "" {
					t.Errorf("refusal is not a gateway-style {\"message\"} body: %s", raw)
				}
			}
			if tc.status == 204 {
				if !strings.Contains(resp.Header.Get("Access-Control-Allow-Methods"), "POST") ||
					!strings.Contains(strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers")), "idempotency-key") {
					t.Errorf("preflight answer %v", resp.Header)
				}
			}
			if tc.cors != "" && tc.status == 200 && !strings.Contains(resp.Header.Get("Access-Control-Expose-Headers"), "X-Request-Id") {
				t.Errorf("X-Request-Id not exposed to the page: %v", resp.Header)
			}
		})
	}
	if !strings.Contains(stderr.String(), "FACEID_ALLOWED_HOSTS") {
		t.Error("the refusal of a foreign Host does not say how to allow a name")
	}
}

// FACEID_ALLOWED_HOSTS serves a name (a container's service name); a
// malformed origin or host list refuses to start.
func TestBrowserSettings(t *testing.T) {
	env, _ := upstreamEnv(t, map[string]string{"FACEID_ALLOWED_HOSTS": "faceid.internal"})
	base, _, _ := startLocal(t, env)
	req, _ := http.NewRequest("GET", base+"/healthz", nil)
	req.Host = "FACEID.internal:9000"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("listed host: %d", resp.StatusCode)
	}
	for _, bad := range []map[string]string{
		{"FACEID_ALLOWED_ORIGINS": "*"}, {"FACEID_ALLOWED_ORIGINS": "null"},
		{"FACEID_ALLOWED_ORIGINS": "https://app.example/page"}, {"FACEID_ALLOWED_ORIGINS": "app.example"},
		{"FACEID_ALLOWED_HOSTS": "faceid:9000"},
	} {
		env, _ := upstreamEnv(t, bad)
		if err := runFails(t, env); err == nil {
			t.Errorf("%v: started", bad)
		}
	}
}

// A refused request's path is logged masked: a page chooses it, and it
// may carry an ID number or a name.
func TestBrowserRefusalLogsPathMasked(t *testing.T) {
	logs := &syncbuf.Buffer{}
	g, err := newBrowserGuard(http.NotFoundHandler(), slog.New(slog.NewJSONHandler(logs, nil)),
		&net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, serverConfig{})
	if err != nil {
		t.Fatal(err)
	}
	const path = "/results/110101199003070011张三.jpg"
	r := httptest.NewRequest(http.MethodPost, path, nil)
	r.Host = "127.0.0.1:8080"
	r.Header.Set("Origin", "https://evil.example")
	rec := httptest.NewRecorder()
	g.ServeHTTP(rec, r)
	if rec.Code != http.StatusForbidden {
		t.Fatalf("status %d, want 403", rec.Code)
	}
	proctest.LogLine(t, logs, "request refused", "path", mask.Key(path))
	if strings.Contains(logs.String(), "110101199003070011") || strings.Contains(logs.String(), "张三") {
		t.Errorf("raw ID number or name logged: %s", logs.String())
	}
}
