package scfevent

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/adapters/httpevent"
	"github.com/faceid-verify/faceid/adapters/httphandler"
	"github.com/faceid-verify/faceid/core"
	"github.com/tencentyun/scf-go-lib/functioncontext"
)

var (
	//go:embed testdata/functionurl-post.json
	functionURLPost []byte
	//go:embed testdata/apigw-post-base64.json
	apigwPostBase64 []byte
	//go:embed testdata/apigw-get.json
	apigwGet []byte
)

// seen is what the handler received, read out inside ServeHTTP.
type seen struct {
	method, path, rawQuery, host, remoteAddr, body string
	contentLength                                  int64
	header                                         http.Header
	event                                          string // the context's label for the logs
}

func recorder(t *testing.T, got *seen) http.Handler {
	t.Helper()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("read body: %v", err)
		}
		*got = seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Host, r.RemoteAddr, string(b),
			r.ContentLength, r.Header, httpevent.Event(r.Context())}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Add("Vary", "A")
		w.Header().Add("Vary", "B")
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"ok":true}`)
	})
}

func TestServeEvents(t *testing.T) {
	tests := map[string]struct {
		event       []byte
		functionURL bool
		want        seen
		wantHeader  map[string]string
	}{
		"function url post": {
			event: functionURLPost, functionURL: true,
			want: seen{
				method: "POST", path: "/verify", rawQuery: "a=1&b=2",
				host: "1250000000-abcdefgh12.ap-guangzhou.tencentscf.com", remoteAddr: "203.0.113.7:0",
				body: `{"name":"张三","idcard":"110101199003070011","url":"https://example.com/p.jpg"}`,
			},
			wantHeader: map[string]string{"Content-Type": "application/json", "User-Agent": "curl/8.5.0"},
		},
		"api gateway base64 form": {
			event: apigwPostBase64,
			want: seen{
				method: "POST", path: "/release/face_id_card/post", rawQuery: "debug=&tag=x&tag=y",
				host: "service-abcd1234-1250000000.gz.apigw.tencentcs.com", remoteAddr: "198.51.100.23:0",
				body: "name=a&idcard=b",
			},
			wantHeader: map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Content-Length": "15"},
		},
		"api gateway get": {
			event: apigwGet,
			want: seen{
				method: "GET", path: "/healthz", host: "service-abcd1234-1250000000.gz.apigw.tencentcs.com",
				remoteAddr: "198.51.100.24:0",
			},
			wantHeader: map[string]string{"Accept": "text/html"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var ev HTTPRequest
			if err := json.Unmarshal(tc.event, &ev); err != nil {
				t.Fatal(err)
			}
			if ev.IsFunctionURL() != tc.functionURL {
				t.Errorf("IsFunctionURL = %v", ev.IsFunctionURL())
			}
			var got seen
			resp := Serve(context.Background(), recorder(t, &got), ev)
			w := tc.want
			if got.method != w.method || got.path != w.path || got.rawQuery != w.rawQuery ||
				got.host != w.host || got.remoteAddr != w.remoteAddr || got.body != w.body {
				t.Errorf("request =\n %+v\nwant\n %+v", got, w)
			}
			if wantEvent := map[bool]string{true: "function_url", false: "apigw"}[tc.functionURL]; got.event != wantEvent {
				t.Errorf("request labelled %q for the logs, want %q", got.event, wantEvent)
			}
			if got.contentLength != int64(len(w.body)) {
				t.Errorf("ContentLength = %d, want %d", got.contentLength, len(w.body))
			}
			if got.header.Get("Host") != "" {
				t.Error("Host left in the header map")
			}
			for k, v := range tc.wantHeader {
				if got.header.Get(k) != v {
					t.Errorf("header %s = %q, want %q", k, got.header.Get(k), v)
				}
			}
			if resp.StatusCode != http.StatusCreated || resp.Body != `{"ok":true}` || resp.IsBase64Encoded {
				t.Errorf("response = %+v", resp)
			}
			if resp.Headers["Content-Type"] != "application/json" || resp.Headers["Vary"] != "A, B" {
				t.Errorf("response headers = %v", resp.Headers)
			}
		})
	}
}

func TestServeBinaryResponseIsBase64(t *testing.T) {
	raw := []byte{0xff, 0xd8, 0xff, 0x00}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(raw) })
	resp := ServeJSON(context.Background(), h, functionURLPost)
	if !resp.IsBase64Encoded || resp.Body != base64.StdEncoding.EncodeToString(raw) || resp.StatusCode != 200 {
		t.Errorf("response = %+v", resp)
	}
}

func TestServeMalformed(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Error("handler called") })
	for name, payload := range map[string]string{
		"bad base64":   `{"httpMethod":"POST","path":"/verify","isBase64Encoded":true,"body":"!!!"}`,
		"bad method":   `{"httpMethod":"PO ST","path":"/verify"}`,
		"query number": `{"httpMethod":"GET","path":"/","queryString":{"a":1}}`,
		"not json":     `{`,
	} {
		t.Run(name, func(t *testing.T) {
			resp := ServeJSON(context.Background(), h, []byte(payload))
			if resp.StatusCode != http.StatusBadRequest {
				t.Errorf("status = %d", resp.StatusCode)
			}
		})
	}
}

func TestRequestID(t *testing.T) {
	ctx := functioncontext.NewContext(context.Background(), &functioncontext.FunctionContext{RequestID: "invoke-1"})
	for name, tc := range map[string]struct {
		event []byte
		ctx   context.Context
		want  string
	}{
		// As API Gateway sends it: no requestContext.requestId, the id in
		// the header (scf-go-lib's captured event).
		"api gateway, header only": {apigwGet, ctx, "fedcba9876543210fedcba9876543210"},
		// As Tencent documents it: a requestContext.requestId, and the
		// header holding the id the gateway returns to its caller.
		"api gateway, header and context": {apigwPostBase64, ctx, "0123456789abcdef0123456789abcdef"},
		"api gateway, header in another case": {[]byte(`{"httpMethod":"GET","headers":{"X-Api-RequestId":"abc123"},
			"requestContext":{"serviceId":"service-abcd1234","requestId":"ctx-1"}}`), ctx, "abc123"},
		"api gateway, context only": {[]byte(`{"httpMethod":"GET","requestContext":{"serviceId":"service-abcd1234","requestId":"ctx-1"}}`), ctx, "ctx-1"},
		"api gateway, header not an id": {[]byte(`{"httpMethod":"GET","headers":{"x-api-requestid":"a b\r\nSet-Cookie: x"},
			"requestContext":{"serviceId":"service-abcd1234"}}`), ctx, "invoke-1"},
		"api gateway, header too long": {[]byte(`{"httpMethod":"GET","headers":{"x-api-requestid":"` + strings.Repeat("a", 129) + `"},
			"requestContext":{"serviceId":"service-abcd1234","requestId":"ctx-1"}}`), ctx, "ctx-1"},
		// A Function URL's headers are the caller's: the invocation's id.
		"function url":                 {functionURLPost, ctx, "invoke-1"},
		"function url, forged header":  {[]byte(`{"httpMethod":"GET","headers":{"x-api-requestid":"forged"}}`), ctx, "invoke-1"},
		"function url, no id anywhere": {functionURLPost, context.Background(), ""},
	} {
		var ev HTTPRequest
		if err := json.Unmarshal(tc.event, &ev); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := RequestID(tc.ctx, ev); got != tc.want {
			t.Errorf("%s: RequestID = %q, want %q", name, got, tc.want)
		}
	}
}

// TestAnswerCarriesGatewayRequestID: through the shared handler, an API
// Gateway event's answer and log line carry the gateway's id (the one its
// caller sees in X-Api-RequestId), and the log line names the event kind.
func TestAnswerCarriesGatewayRequestID(t *testing.T) {
	var logs bytes.Buffer
	h := httphandler.New(httphandler.Options{
		// No upstream here: the answer is an internal error, which still
		// carries the request id.
		Verifier: verifierFunc(func(context.Context, core.Request) (*core.Result, error) {
			return nil, errors.New("no upstream in this test")
		}),
		Logger: slog.New(httpevent.LogHandler(slog.NewJSONHandler(&logs, nil))),
	})
	ctx := functioncontext.NewContext(context.Background(), &functioncontext.FunctionContext{RequestID: "invoke-1"})
	resp := ServeJSON(ctx, h, apigwPostBase64)
	const want = "0123456789abcdef0123456789abcdef"
	var body struct {
		RequestID string `json:"request_id"`
	}
	if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
		t.Fatalf("answer %d %s: %v", resp.StatusCode, resp.Body, err)
	}
	if body.RequestID != want || resp.Headers["X-Request-Id"] != want {
		t.Errorf("answer's request id %q, header %q, want the gateway's %q", body.RequestID, resp.Headers["X-Request-Id"], want)
	}
	var rec map[string]any
	if err := json.Unmarshal(logs.Bytes(), &rec); err != nil || rec["request_id"] != want || rec["event"] != "apigw" {
		t.Errorf("log %s: want request_id %s, event apigw", logs.Bytes(), want)
	}
}

type verifierFunc func(context.Context, core.Request) (*core.Result, error)

func (f verifierFunc) Verify(ctx context.Context, r core.Request) (*core.Result, error) {
	return f(ctx, r)
}

func (verifierFunc) Reject(err error) error { return err }
