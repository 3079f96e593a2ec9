package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"testing"

	"github.com/faceid-verify/faceid/adapters/upload"
)

type fakePipeline struct {
	got []upload.Event
	err error
}

func (f *fakePipeline) Process(_ context.Context, ev upload.Event) error {
	f.got = append(f.got, ev)
	return f.err
}

func testApp(p *fakePipeline) *app {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(r.Method + " " + r.URL.Path))
	})
	return &app{log: slog.New(slog.DiscardHandler), handler: h, pipeline: p}
}

const s3Records = `{"Records":[
 {"eventName":"ObjectCreated:Put","awsRegion":"eu-west-1","s3":{"bucket":{"name":"b"},"object":{"key":"uploads/a+b.jpg","eTag":"e"}}},
 {"eventName":"ObjectRemoved:Delete","s3":{"bucket":{"name":"b"},"object":{"key":"uploads/c.jpg"}}},
 {"eventName":"ObjectCreated:Put","s3":{"bucket":{"name":""},"object":{"key":"x"}}}]}`

func TestHandleDispatch(t *testing.T) {
	p := &fakePipeline{}
	a := testApp(p)
	ctx := context.Background()
	for name, tc := range map[string]struct{ event, body string }{
		"rest":         {`{"httpMethod":"GET","path":"/r","requestContext":{}}`, "GET /r"},
		"http api":     {`{"routeKey":"$default","rawPath":"/h","requestContext":{"http":{"method":"PUT"}}}`, "PUT /h"},
		"function url": {`{"rawPath":"/u","requestContext":{"http":{"method":"POST"}}}`, "POST /u"},
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
	if len(p.got) != 1 || p.got[0].Key != "uploads/a b.jpg" || p.got[0].Region != "eu-west-1" {
		t.Errorf("processed %+v", p.got)
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
	a := testApp(&fakePipeline{err: errors.New("retry me")})
	if _, err := a.handle(context.Background(), json.RawMessage(s3Records)); err == nil {
		t.Error("pipeline error not returned to the platform")
	}
}
