package httphandler

import (
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/core/mask"
	"github.com/faceid-verify/faceid/internal/proctest"
	"github.com/faceid-verify/faceid/internal/syncbuf"
	"github.com/faceid-verify/faceid/sandbox"
)

// Beyond MaxConcurrent requests in flight, the answer is an immediate 503
// that cost nothing; the health check still answers, and a place freed is
// taken again.
func TestMaxConcurrent(t *testing.T) {
	f := newFixture(t, sandbox.Config{}, core.Config{}, Options{MaxConcurrent: 2})
	f.sb.InjectFault(sandbox.Fault{Kind: sandbox.FaultLatency, Latency: 2 * time.Second, Times: 2})
	verify := func() (int, map[string]any) {
		resp, body := f.do(jsonReq("/verify", map[string]string{"idcard": passID, "name": "张三", "image": f.photo}))
		return resp.StatusCode, body
	}
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i := range 2 {
		wg.Go(func() { statuses[i], _ = verify() })
	}
	// Both are with the upstream, held by the fault.
	for deadline := time.Now().Add(10 * time.Second); f.sb.Stats().Received < 2; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the first two requests never reached the upstream")
		}
	}
	status, body := verify()
	er, _ := body["error"].(map[string]any)
	if status != 503 || er["kind"] != "overloaded" || er["may_have_charged"] != false {
		t.Errorf("third request: %d %v, want 503 overloaded", status, body)
	}
	if resp, _ := f.do(httptest.NewRequest("GET", "/healthz", nil)); resp.StatusCode != 200 {
		t.Errorf("healthz %d while busy", resp.StatusCode)
	}
	wg.Wait()
	if statuses[0] != 200 || statuses[1] != 200 {
		t.Errorf("held requests answered %v", statuses)
	}
	if got := f.sb.Stats().Received; got != 2 {
		t.Errorf("upstream saw %d requests, want 2", got)
	}
	if status, _ := verify(); status != 200 {
		t.Errorf("after the others finished: %d", status)
	}
}

// A refused request's path is logged masked: the gate sees every path,
// and one may carry an ID number or a name.
func TestMaxConcurrentLogsPathMasked(t *testing.T) {
	logs := &syncbuf.Buffer{}
	h := New(Options{MaxConcurrent: 1, Logger: slog.New(slog.NewJSONHandler(logs, nil))})
	h.gate.enter()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/results/110101199003070011张三.jpg", nil))
	if rec.Code != 503 {
		t.Fatalf("status %d, want 503", rec.Code)
	}
	line := proctest.LogLine(t, logs, "request refused", "path", mask.Key("/results/110101199003070011张三.jpg"))
	if strings.Contains(logs.String(), "110101199003070011") || strings.Contains(logs.String(), "张三") {
		t.Errorf("raw ID number or name logged: %v", line)
	}
}
