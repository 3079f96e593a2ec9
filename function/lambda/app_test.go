package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/adapters/httpevent"
	"github.com/faceid-verify/faceid/adapters/lambdaevent"
	"github.com/faceid-verify/faceid/internal/fakepipeline"
)

func testApp(p *fakepipeline.Recorder) *app {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(r.Method + " " + r.URL.Path + " " + httpevent.Event(r.Context())))
	})
	return &app{log: slog.New(slog.DiscardHandler), handler: h, pipeline: p}
}

const s3Records = `{"Records":[
 {"eventName":"ObjectCreated:Put","awsRegion":"eu-west-1","s3":{"bucket":{"name":"b"},"object":{"key":"uploads/a+b.jpg","eTag":"e"}}},
 {"eventName":"ObjectRemoved:Delete","s3":{"bucket":{"name":"b"},"object":{"key":"uploads/c.jpg"}}},
 {"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":""},"object":{"key":"x"}}}]}`

func TestHandleDispatch(t *testing.T) {
	p := &fakepipeline.Recorder{}
	a := testApp(p)
	ctx := context.Background()
	for name, tc := range map[string]struct{ event, body string }{
		"rest":     {`{"httpMethod":"GET","path":"/r","requestContext":{}}`, "GET /r apigw_rest"},
		"http api": {`{"routeKey":"$default","rawPath":"/h","requestContext":{"http":{"method":"PUT"}}}`, "PUT /h apigw_http"},
		"function url": {`{"routeKey":"$default","rawPath":"/u","requestContext":{"routeKey":"$default",
			"domainName":"abc.lambda-url.us-east-1.on.aws","http":{"method":"POST"}}}`, "POST /u function_url"},
	} {
		out, err := a.handle(ctx, json.RawMessage(tc.event))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		b, _ := json.Marshal(out)
		var r struct {
			StatusCode int    `json:"statusCode"`
			Body       string `json:"body"`
		}
		if json.Unmarshal(b, &r); r.StatusCode != 200 || r.Body != tc.body {
			t.Errorf("%s: answer %s", name, b)
		}
	}

	// The delete is skipped; the record without a bucket dropped, not retried.
	if out, err := a.handle(ctx, json.RawMessage(s3Records)); err != nil || out != nil {
		t.Errorf("S3 event: %v, %v", out, err)
	}
	if got := p.Events(); len(got) != 1 || got[0].Key != "uploads/a b.jpg" || got[0].Region != "eu-west-1" {
		t.Errorf("processed %+v", got)
	}

	// A key that is not URL encoding fails aws-lambda-go's decode: dropped.
	if _, err := a.handle(ctx, json.RawMessage(`{"Records":[{"s3":{"object":{"key":"%zz"}}}]}`)); err != nil {
		t.Errorf("undecodable S3 event: %v", err)
	}
	if _, err := a.handle(ctx, json.RawMessage(`{"Records":[{"Sns":{}}]}`)); err == nil {
		t.Error("SNS event accepted")
	}
}

func TestHandleReturnsPipelineError(t *testing.T) {
	a := testApp(&fakepipeline.Recorder{Err: errors.New("retry me")})
	if _, err := a.handle(context.Background(), json.RawMessage(s3Records)); err == nil {
		t.Error("pipeline error not returned to the platform")
	}
}

// TestHandleRefusesALBAndWebSocket: AWS-shaped ALB and API Gateway
// WebSocket events carrying a verification request are refused with an
// error naming the trigger, never reach the HTTP handler (so nothing is
// paid for), and are logged by kind and size only.
func TestHandleRefusesALBAndWebSocket(t *testing.T) {
	for _, tc := range []struct {
		fixture string
		kind    lambdaevent.Kind
	}{
		{"alb-post.json", lambdaevent.KindALB},
		{"alb-post-multivalue.json", lambdaevent.KindALB},
		{"websocket-connect.json", lambdaevent.KindWebSocket},
		{"websocket-message.json", lambdaevent.KindWebSocket},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			payload, err := os.ReadFile(filepath.Join("../../adapters/lambdaevent/testdata", tc.fixture))
			if err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			served := 0
			a := &app{
				log:      slog.New(slog.NewJSONHandler(&logs, nil)),
				handler:  http.HandlerFunc(func(http.ResponseWriter, *http.Request) { served++ }),
				pipeline: &fakepipeline.Recorder{},
			}
			out, err := a.handle(context.Background(), payload)
			var ue *lambdaevent.UnsupportedEventError
			if !errors.As(err, &ue) || ue.Kind != tc.kind || out != nil {
				t.Fatalf("answer %v, error %v; want an UnsupportedEventError for %v", out, err, tc.kind)
			}
			if served != 0 {
				t.Errorf("the HTTP handler served the %v event", tc.kind)
			}
			var rec struct{ Level, Msg, Event string }
			if err := json.Unmarshal(logs.Bytes(), &rec); err != nil || rec.Level != "WARN" ||
				rec.Msg != "unsupported event" || rec.Event != tc.kind.String() {
				t.Errorf("log %s", logs.Bytes())
			}
			for _, secret := range []string{"110101199003070011", "张三", "example.com", "203.0.113."} {
				if strings.Contains(logs.String(), secret) || strings.Contains(err.Error(), secret) {
					t.Errorf("the refusal shows %q from the event: %s / %v", secret, logs.String(), err)
				}
			}
		})
	}
}
