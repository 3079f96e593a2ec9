package lambdaevent

import (
	"context"
	_ "embed"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/faceid-verify/faceid/adapters/httpevent"
)

var (
	//go:embed testdata/apigw-rest-post.json
	restPost []byte
	//go:embed testdata/apigw-http-post.json
	httpAPIPost []byte
	//go:embed testdata/function-url-post.json
	functionURLPost []byte
)

type seen struct {
	method, path, rawQuery, host, remoteAddr, body string
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
		*got = seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Host, r.RemoteAddr, string(b), r.Header,
			httpevent.Event(r.Context())}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Add("Set-Cookie", "a=1")
		w.Header().Add("Set-Cookie", "b=2")
		w.Header().Add("Vary", "A")
		w.Header().Add("Vary", "B")
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, `{"ok":true}`)
	})
}

// serveFixture decodes a fixture as its event type and serves it, returning
// the response event re-decoded into a common shape.
type common struct {
	StatusCode        int                 `json:"statusCode"`
	Headers           map[string]string   `json:"headers"`
	MultiValueHeaders map[string][]string `json:"multiValueHeaders"`
	Cookies           []string            `json:"cookies"`
	Body              string              `json:"body"`
	IsBase64Encoded   bool                `json:"isBase64Encoded"`
}

func serveFixture(t *testing.T, kind Kind, payload []byte, h http.Handler) common {
	t.Helper()
	var resp any
	ctx := context.Background()
	switch kind {
	case KindREST:
		var ev events.APIGatewayProxyRequest
		mustUnmarshal(t, payload, &ev)
		resp = ServeREST(ctx, h, ev)
	case KindHTTPAPI:
		var ev events.APIGatewayV2HTTPRequest
		mustUnmarshal(t, payload, &ev)
		resp = ServeHTTPAPI(ctx, h, ev)
	case KindFunctionURL:
		var ev events.LambdaFunctionURLRequest
		mustUnmarshal(t, payload, &ev)
		resp = ServeFunctionURL(ctx, h, ev)
	}
	b, err := json.Marshal(resp)
	if err != nil {
		t.Fatal(err)
	}
	var c common
	mustUnmarshal(t, b, &c)
	return c
}

func mustUnmarshal(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func TestServeEvents(t *testing.T) {
	verifyBody := `{"name":"张三","idcard":"110101199003070011","url":"https://example.com/p.jpg"}`
	tests := map[string]struct {
		kind       Kind
		event      []byte
		want       seen
		wantHeader http.Header
		wantResp   common
	}{
		"rest v1": {
			kind: KindREST, event: restPost,
			want: seen{method: "POST", path: "/verify", rawQuery: "q=a+b&tag=x&tag=y",
				host: "abcdef1234.execute-api.us-east-1.amazonaws.com", remoteAddr: "203.0.113.10:0", body: verifyBody},
			wantHeader: http.Header{"X-Tag": {"first", "second"}, "Content-Type": {"application/json"}},
			wantResp: common{StatusCode: 202, Body: `{"ok":true}`,
				Headers: map[string]string{"Content-Type": "application/json", "Vary": "A, B"},
				MultiValueHeaders: map[string][]string{"Content-Type": {"application/json"},
					"Set-Cookie": {"a=1", "b=2"}, "Vary": {"A", "B"}}},
		},
		"http api v2, named stage, base64 body, cookies": {
			kind: KindHTTPAPI, event: httpAPIPost,
			want: seen{method: "POST", path: "/verify", rawQuery: "tag=x&tag=y&q=a%20b",
				host: "abcdef1234.execute-api.us-east-1.amazonaws.com", remoteAddr: "203.0.113.11:0",
				body: "name=x&idcard=y"},
			wantHeader: http.Header{"Cookie": {"session=abc; theme=dark"}, "X-Tag": {"first,second"},
				"Content-Length": {"15"}},
			wantResp: common{StatusCode: 202, Body: `{"ok":true}`, Cookies: []string{"a=1", "b=2"},
				Headers: map[string]string{"Content-Type": "application/json", "Vary": "A, B"}},
		},
		"function url, AWS's payload shape with routeKey $default": {
			kind: KindFunctionURL, event: functionURLPost,
			want: seen{method: "POST", path: "/release/face_id_card/post", rawQuery: "tag=x&tag=y",
				host: "abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws", remoteAddr: "203.0.113.12:0",
				body: verifyBody},
			wantHeader: http.Header{"User-Agent": {"python-requests/2.31.0"}, "Cookie": {"session=abc; theme=dark"}},
			wantResp: common{StatusCode: 202, Body: `{"ok":true}`, Cookies: []string{"a=1", "b=2"},
				Headers: map[string]string{"Content-Type": "application/json", "Vary": "A, B"}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if k := Detect(tc.event); k != tc.kind {
				t.Fatalf("Detect = %v, want %v", k, tc.kind)
			}
			var got seen
			resp := serveFixture(t, tc.kind, tc.event, recorder(t, &got))
			w := tc.want
			if got.method != w.method || got.path != w.path || got.rawQuery != w.rawQuery ||
				got.host != w.host || got.remoteAddr != w.remoteAddr || got.body != w.body {
				t.Errorf("request =\n %+v\nwant\n %+v", got, w)
			}
			if got.event != tc.kind.String() {
				t.Errorf("request labelled %q for the logs, want %q", got.event, tc.kind)
			}
			for k, v := range tc.wantHeader {
				if !reflect.DeepEqual(got.header.Values(k), v) {
					t.Errorf("header %s = %q, want %q", k, got.header.Values(k), v)
				}
			}
			if !reflect.DeepEqual(resp, tc.wantResp) {
				t.Errorf("response =\n %+v\nwant\n %+v", resp, tc.wantResp)
			}
		})
	}
}

func TestStripStage(t *testing.T) {
	const api = "abc.execute-api.us-east-1.amazonaws.com"
	tests := []struct{ path, stage, domain, want string }{
		{"/prod/verify", "prod", api, "/verify"},
		{"/prod", "prod", api, "/"},
		{"/production/verify", "prod", api, "/production/verify"},
		{"/verify", "$default", api, "/verify"},
		{"/release/face_id_card/post", "release", "api.example.com", "/release/face_id_card/post"},
		{"/release/release/face_id_card/post", "release", api, "/release/face_id_card/post"},
		{"/prod/verify", "prod", "", "/verify"},
	}
	for _, tc := range tests {
		if got := stripStage(tc.path, tc.stage, tc.domain); got != tc.want {
			t.Errorf("stripStage(%q, %q, %q) = %q, want %q", tc.path, tc.stage, tc.domain, got, tc.want)
		}
	}
}

func TestServeMalformed(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Error("handler called") })
	resp := ServeREST(context.Background(), h, events.APIGatewayProxyRequest{
		HTTPMethod: "POST", Path: "/verify", Body: "%%%", IsBase64Encoded: true})
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("status = %d", resp.StatusCode)
	}
}
