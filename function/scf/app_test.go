package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"testing"

	"github.com/faceid-verify/faceid/adapters/upload"
)

// fakePipeline records what it was asked to process.
type fakePipeline struct {
	mu  sync.Mutex
	got []upload.Event
	err error
}

func (f *fakePipeline) Process(_ context.Context, ev upload.Event) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, ev)
	return f.err
}

func testApp(t testing.TB, p *fakePipeline) *app {
	t.Helper()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(r.Method + " " + r.URL.Path))
	})
	return newApp(slog.New(slog.DiscardHandler), builders{
		handler:  func(context.Context) (http.Handler, error) { return h, nil },
		pipeline: func(context.Context) (processor, error) { return p, nil },
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
	p := &fakePipeline{}
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
	if len(p.got) != 1 || p.got[0].Key != "uploads/a.jpg" || p.got[0].Bucket != "up-1250000000" ||
		p.got[0].VersionID != "v1" || p.got[0].Metadata["idcard"] != "x" {
		t.Errorf("processed %+v", p.got)
	}

	if _, err := a.Invoke(ctx, []byte(`{"Type":"Timer","TriggerName":"t"}`)); err == nil {
		t.Error("timer event accepted")
	}
}

func TestInvokeReturnsPipelineError(t *testing.T) {
	p := &fakePipeline{err: errors.New("retry me")}
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
