package httpevent_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/faceid-verify/faceid/adapters/httphandler"
	"github.com/faceid-verify/faceid/adapters/lambdaevent"
	"github.com/faceid-verify/faceid/adapters/scfevent"
	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/sandbox"
)

// answer is what a caller sees, whatever the platform.
type answer struct {
	status    int
	requestID string // X-Request-Id
	body      map[string]any
}

// TestSameVerificationEverywhere sends one verification (the sandbox's
// 张三 with a valid photo) through the local handler and every adapter,
// each as the JSON its platform sends, and requires the same answer.
func TestSameVerificationEverywhere(t *testing.T) {
	sb := sandbox.New(sandbox.Config{})
	srv := httptest.NewServer(sb)
	t.Cleanup(func() { sb.Close(); srv.Close() })
	client, err := core.New(core.Config{
		Endpoint: srv.URL + "/release/face_id_card/post",
		SecretID: sandbox.DefaultSecretID, SecretKey: sandbox.DefaultSecretKey,
	})
	if err != nil {
		t.Fatal(err)
	}
	h := httphandler.New(httphandler.Options{Verifier: client})

	photo, err := os.ReadFile("../../testdata/photos/small-320x240.jpg")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]string{
		"name": "张三", "idcard": "110101199003070011", "image": base64.StdEncoding.EncodeToString(photo)})
	b64 := base64.StdEncoding.EncodeToString(body)
	ctx := context.Background()

	run := map[string]func(t *testing.T) answer{
		"local": func(t *testing.T) answer {
			req := httptest.NewRequest("POST", "/verify", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return parse(t, rec.Code, rec.Header().Get("X-Request-Id"), rec.Body.String(), false)
		},
		"scf function url": func(t *testing.T) answer {
			ev := mustJSON(t, map[string]any{"httpMethod": "POST", "path": "/verify", "body": string(body),
				"headers":     map[string]string{"content-type": "application/json", "x-scf-remote-addr": "203.0.113.1"},
				"queryString": map[string]any{}})
			r := scfevent.ServeJSON(ctx, h, ev)
			return parse(t, r.StatusCode, r.Headers["X-Request-Id"], r.Body, r.IsBase64Encoded)
		},
		"scf api gateway": func(t *testing.T) answer {
			ev := mustJSON(t, map[string]any{"httpMethod": "POST", "path": "/release/face_id_card/post",
				"body": b64, "isBase64Encoded": true,
				"headers":        map[string]string{"content-type": "application/json"},
				"requestContext": map[string]any{"requestId": "scf-apigw-1", "sourceIp": "203.0.113.2", "stage": "release"}})
			r := scfevent.ServeJSON(ctx, h, ev)
			a := parse(t, r.StatusCode, r.Headers["X-Request-Id"], r.Body, r.IsBase64Encoded)
			if a.requestID != "scf-apigw-1" {
				t.Errorf("X-Request-Id = %q, want API Gateway's", a.requestID)
			}
			return a
		},
		"lambda rest": func(t *testing.T) answer {
			var ev events.APIGatewayProxyRequest
			decode(t, map[string]any{"httpMethod": "POST", "path": "/verify", "body": string(body),
				"multiValueHeaders": map[string][]string{"Content-Type": {"application/json"}},
				"requestContext":    map[string]any{"requestId": "rest-1", "identity": map[string]string{"sourceIp": "203.0.113.3"}}}, &ev)
			r := lambdaevent.ServeREST(ctx, h, ev)
			a := parse(t, r.StatusCode, r.Headers["X-Request-Id"], r.Body, r.IsBase64Encoded)
			if a.requestID != "rest-1" {
				t.Errorf("X-Request-Id = %q, want the gateway's", a.requestID)
			}
			return a
		},
		"lambda http api": func(t *testing.T) answer {
			var ev events.APIGatewayV2HTTPRequest
			decode(t, map[string]any{"version": "2.0", "routeKey": "$default", "rawPath": "/verify",
				"body": b64, "isBase64Encoded": true, "headers": map[string]string{"content-type": "application/json"},
				"requestContext": map[string]any{"requestId": "v2-1", "stage": "$default",
					"http": map[string]string{"method": "POST", "path": "/verify", "sourceIp": "203.0.113.4"}}}, &ev)
			r := lambdaevent.ServeHTTPAPI(ctx, h, ev)
			return parse(t, r.StatusCode, r.Headers["X-Request-Id"], r.Body, r.IsBase64Encoded)
		},
		"lambda function url": func(t *testing.T) answer {
			var ev events.LambdaFunctionURLRequest
			decode(t, map[string]any{"version": "2.0", "rawPath": "/verify", "body": string(body),
				"headers": map[string]string{"content-type": "application/json"},
				"requestContext": map[string]any{"requestId": "url-1",
					"http": map[string]string{"method": "POST", "path": "/verify", "sourceIp": "203.0.113.5"}}}, &ev)
			r := lambdaevent.ServeFunctionURL(ctx, h, ev)
			return parse(t, r.StatusCode, r.Headers["X-Request-Id"], r.Body, r.IsBase64Encoded)
		},
	}

	var ref *answer
	for _, name := range []string{"local", "scf function url", "scf api gateway", "lambda rest",
		"lambda http api", "lambda function url"} {
		t.Run(name, func(t *testing.T) {
			a := run[name](t)
			if a.status != http.StatusOK || a.body["success"] != true {
				t.Fatalf("status %d, body %v", a.status, a.body)
			}
			if data, _ := a.body["data"].(map[string]any); data["passed"] != true {
				t.Errorf("not passed: %v", a.body)
			}
			if ref == nil {
				ref = &a
				return
			}
			if a.status != ref.status || !reflect.DeepEqual(stable(a.body), stable(ref.body)) {
				t.Errorf("answer differs from local:\n %d %v\nlocal:\n %d %v", a.status, a.body, ref.status, ref.body)
			}
		})
	}
	if got := sb.Stats().Billable; got != int64(len(run)) {
		t.Errorf("sandbox billed %d calls, want %d", got, len(run))
	}
}

// stable drops what differs per call by design: our request id and the
// upstream's order number.
func stable(body map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range body {
		out[k] = v
	}
	delete(out, "request_id")
	if data, ok := out["data"].(map[string]any); ok {
		d := map[string]any{}
		for k, v := range data {
			d[k] = v
		}
		delete(d, "order_no")
		out["data"] = d
	}
	return out
}

func parse(t *testing.T, status int, rid, body string, b64 bool) answer {
	t.Helper()
	if b64 {
		b, err := base64.StdEncoding.DecodeString(body)
		if err != nil {
			t.Fatal(err)
		}
		body = string(b)
	}
	var m map[string]any
	if err := json.NewDecoder(io.LimitReader(bytes.NewReader([]byte(body)), 1<<20)).Decode(&m); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	if rid == "" || m["request_id"] != rid {
		t.Errorf("X-Request-Id %q, body request_id %v", rid, m["request_id"])
	}
	return answer{status: status, requestID: rid, body: m}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decode(t *testing.T, v any, into any) {
	t.Helper()
	if err := json.Unmarshal(mustJSON(t, v), into); err != nil {
		t.Fatal(err)
	}
}
