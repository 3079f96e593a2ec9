package httpevent_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/faceid-verify/faceid/adapters/httphandler"
	"github.com/faceid-verify/faceid/adapters/lambdaevent"
	"github.com/faceid-verify/faceid/adapters/scfevent"
)

// TestNoRouteEverywhere sends paths that are no api, among them unclean
// ones that net/http's mux would redirect, through the local handler and
// every adapter: each must get the gateway's JSON 404 for the path as
// sent, never a redirect. No verifier is needed: nothing is verified.
func TestNoRouteEverywhere(t *testing.T) {
	h := httphandler.New(httphandler.Options{})
	ctx := context.Background()
	type result struct {
		status int
		body   string
	}
	run := map[string]func(t *testing.T, path string) result{
		"local": func(t *testing.T, path string) result {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("POST", path, strings.NewReader("{}")))
			return result{rec.Code, rec.Body.String()}
		},
		"scf function url": func(t *testing.T, path string) result {
			ev := mustJSON(t, map[string]any{"httpMethod": "POST", "path": path, "body": "{}",
				"headers": map[string]string{"content-type": "application/json"}, "queryString": map[string]any{}})
			r := scfevent.ServeJSON(ctx, h, ev)
			return result{r.StatusCode, body(t, r.Body, r.IsBase64Encoded)}
		},
		"scf api gateway": func(t *testing.T, path string) result {
			ev := mustJSON(t, map[string]any{"httpMethod": "POST", "path": path, "body": "{}",
				"headers":        map[string]string{"content-type": "application/json"},
				"requestContext": map[string]any{"requestId": "scf-apigw-1", "stage": "release"}})
			r := scfevent.ServeJSON(ctx, h, ev)
			return result{r.StatusCode, body(t, r.Body, r.IsBase64Encoded)}
		},
		"lambda rest": func(t *testing.T, path string) result {
			var ev events.APIGatewayProxyRequest
			decode(t, map[string]any{"httpMethod": "POST", "path": path, "body": "{}",
				"requestContext": map[string]any{"requestId": "rest-1"}}, &ev)
			r := lambdaevent.ServeREST(ctx, h, ev)
			return result{r.StatusCode, body(t, r.Body, r.IsBase64Encoded)}
		},
		"lambda http api": func(t *testing.T, path string) result {
			var ev events.APIGatewayV2HTTPRequest
			decode(t, map[string]any{"version": "2.0", "routeKey": "$default", "rawPath": path, "body": "{}",
				"requestContext": map[string]any{"requestId": "v2-1", "stage": "$default",
					"http": map[string]string{"method": "POST", "path": path}}}, &ev)
			r := lambdaevent.ServeHTTPAPI(ctx, h, ev)
			return result{r.StatusCode, body(t, r.Body, r.IsBase64Encoded)}
		},
		"lambda function url": func(t *testing.T, path string) result {
			var ev events.LambdaFunctionURLRequest
			decode(t, map[string]any{"version": "2.0", "rawPath": path, "body": "{}",
				"requestContext": map[string]any{"requestId": "url-1",
					"http": map[string]string{"method": "POST", "path": path}}}, &ev)
			r := lambdaevent.ServeFunctionURL(ctx, h, ev)
			return result{r.StatusCode, body(t, r.Body, r.IsBase64Encoded)}
		},
	}
	for _, tc := range []struct{ path, message string }{
		{"/nope", `\/nope`},
		{"//verify", `\/\/verify`},
		{"/verify/../verify", `\/verify\/..\/verify`},
		{"//release/face_id_card/post", `\/\/release\/face_id_card\/post`},
	} {
		want := result{http.StatusNotFound, `{"message":"There is no api match uri[` + tc.message + `]"}`}
		for name, serve := range run {
			t.Run(name+tc.path, func(t *testing.T) {
				if got := serve(t, tc.path); got != want {
					t.Errorf("%d %s, want %d %s", got.status, got.body, want.status, want.body)
				}
			})
		}
	}
}

func body(t *testing.T, s string, b64 bool) string {
	t.Helper()
	if !b64 {
		return s
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
