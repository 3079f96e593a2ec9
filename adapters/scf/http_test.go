package scf

import (
	"context"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"testing"

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
}

func recorder(t *testing.T, got *seen) http.Handler {
	t.Helper()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("read body: %v", err)
		}
		*got = seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Host, r.RemoteAddr, string(b),
			r.ContentLength, r.Header}
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
	var apigw, url HTTPRequest
	if err := json.Unmarshal(apigwGet, &apigw); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(functionURLPost, &url); err != nil {
		t.Fatal(err)
	}
	ctx := functioncontext.NewContext(context.Background(), &functioncontext.FunctionContext{RequestID: "invoke-1"})
	if got := RequestID(ctx, apigw); got != "fedcba9876543210fedcba9876543210" {
		t.Errorf("API Gateway id = %q", got)
	}
	if got := RequestID(ctx, url); got != "invoke-1" {
		t.Errorf("Function URL id = %q, want the invocation's", got)
	}
	if got := RequestID(context.Background(), url); got != "" {
		t.Errorf("no id anywhere = %q", got)
	}
}
