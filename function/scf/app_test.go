package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"testing"

	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/faceid-verify/faceid/internal/fakepipeline"
)

func testApp(t testing.TB, p *fakepipeline.Recorder) *app {
	t.Helper()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(r.Method + " " + r.URL.Path))
	})
	return newApp(slog.New(slog.DiscardHandler), builders{
		handler:  func(context.Context) (http.Handler, error) { return h, nil },
		pipeline: func(context.Context) (upload.Processor, error) { return p, nil },
	})
}

const cosEvent = `{"Records":[
 {"cos":{"cosBucket":{"appid":"1250000000","name":"up","region":"gz"},
   "cosObject":{"key":"/1250000000/up/uploads/a.jpg","meta":{"x-cos-meta-idcard":"x"},"vid":"v1","size":3}},
  "event":{"eventName":"cos:ObjectCreated:Put","eventTime":1700000000}},
 {"cos":{"cosBucket":{"appid":"1250000000","name":"up","region":"gz"},
   "cosObject":{"key":"/1250000000/up/uploads/b.jpg"}},
  "event":{"eventName":"cos:ObjectRemove:Delete"}},
 {"cos":{"cosBucket":{"appid":"1250000000","name":"up"},"cosObject":{"key":"no-head"}},
  "event":{"eventName":"cos:ObjectCreated:Put"}}]}`

func TestInvokeDispatch(t *testing.T) {
	p := &fakepipeline.Recorder{}
	a := testApp(t, p)
	ctx := context.Background()

	out, err := a.Invoke(ctx, []byte(`{"httpMethod":"POST","path":"/x","headers":{},"queryString":{}}`))
	if err != nil {
		t.Fatal(err)
	}
	var resp struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	if err := json.Unmarshal(out, &resp); err != nil || resp.StatusCode != 200 || resp.Body != "POST /x" {
		t.Errorf("Function URL answer %s, %v", out, err)
	}

	// The delete is skipped and the unreadable record dropped, not retried.
	if _, err := a.Invoke(ctx, []byte(cosEvent)); err != nil {
		t.Errorf("COS event: %v", err)
	}
	if got := p.Events(); len(got) != 1 || got[0].Key != "uploads/a.jpg" || got[0].Bucket != "up-1250000000" ||
		got[0].VersionID != "v1" || got[0].Metadata["idcard"] != "x" {
		t.Errorf("processed %+v", got)
	}

	if _, err := a.Invoke(ctx, []byte(`{"Type":"Timer","TriggerName":"t"}`)); err == nil {
		t.Error("timer event accepted")
	}
}

func TestInvokeReturnsPipelineError(t *testing.T) {
	p := &fakepipeline.Recorder{Err: errors.New("retry me")}
	if _, err := testApp(t, p).Invoke(context.Background(), []byte(cosEvent)); err == nil {
		t.Error("pipeline error not returned to the platform")
	}
}

// TestConfigRetried: a build that fails is not cached, so an invocation
// that brings the missing environment succeeds.
func TestConfigRetried(t *testing.T) {
	calls := 0
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	a := newApp(slog.New(slog.DiscardHandler), builders{
		handler: func(context.Context) (http.Handler, error) {
			calls++
			if calls == 1 {
				return nil, errors.New("config: FACEID_SECRET_ID: required")
			}
			return h, nil
		},
	})
	ev := []byte(`{"httpMethod":"GET","path":"/healthz"}`)
	for i, want := range []int{503, 200, 200} {
		out, err := a.Invoke(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		var resp struct {
			StatusCode int `json:"statusCode"`
		}
		json.Unmarshal(out, &resp)
		if resp.StatusCode != want {
			t.Errorf("invoke %d: status %d, want %d", i, resp.StatusCode, want)
		}
	}
	if calls != 2 {
		t.Errorf("handler built %d times, want 2 (once failing, once for good)", calls)
	}
}
