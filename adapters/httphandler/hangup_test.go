package httphandler

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/sandbox"
)

// hangupFixture serves the handler over loopback, so that a client that
// gives up closes its connection and the handler's context is cancelled,
// as on the local server.
func hangupFixture(t *testing.T) (*fixture, *httptest.Server) {
	t.Helper()
	f := newFixture(t, sandbox.Config{}, core.Config{}, Options{})
	srv := httptest.NewServer(f.handler)
	t.Cleanup(srv.Close)
	return f, srv
}

// hangupPost sends a verification. With hangUp set, the caller gives up
// (closes its connection) as soon as hangUp reports true: tied to what
// the sandbox has received, not to a timer, so that a slow machine cannot
// make the caller leave before its call began.
func hangupPost(t *testing.T, srv *httptest.Server, f *fixture, key string, hangUp func() bool) (*http.Response, []byte, error) {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"idcard": passID, "name": "张三", "image": f.photo})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/verify", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set(IdempotencyHeader, key)
	}
	if hangUp != nil {
		go func() {
			for ctx.Err() == nil && !hangUp() {
				time.Sleep(5 * time.Millisecond)
			}
			cancel()
		}()
	}
	c := &http.Client{Transport: &http.Transport{}}
	defer c.CloseIdleConnections()
	resp, err := c.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, body, err
}

// logLines returns the handler's "verification" log lines.
func logLines(f *fixture) []map[string]any {
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(f.logs.String()), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) == nil && m["msg"] == "verification" {
			out = append(out, m)
		}
	}
	return out
}

// waitLines waits until the handler has logged n verifications: calls
// whose callers left still run to their end. The bound is generous; the
// test asserts what is logged, not how soon.
func waitLines(t *testing.T, f *fixture, n int) []map[string]any {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if lines := logLines(f); len(lines) >= n {
			return lines
		}
	}
	t.Fatalf("%d verification lines logged, want %d:\n%s", len(logLines(f)), n, f.logs.String())
	return nil
}

// TestHangUpThenRetry: a caller with an Idempotency-Key gives up while the
// upstream is slow, then retries with the same key. The first call is
// finished regardless and its answer kept: the retry gets the 200 and the
// seller billed once. The hang-up is logged as a 499 client_closed, never
// as an upstream timeout.
func TestHangUpThenRetry(t *testing.T) {
	f, srv := hangupFixture(t)
	f.sb.InjectFault(sandbox.Fault{Kind: sandbox.FaultLatency, Latency: 1500 * time.Millisecond, Times: 1})

	reached := func() bool { return f.sb.Stats().Received >= 1 }
	if _, _, err := hangupPost(t, srv, f, "order-hangup", reached); err == nil {
		t.Fatal("the impatient caller got an answer; the latency fault did not hold it")
	}
	resp, body, err := hangupPost(t, srv, f, "order-hangup", nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"passed":true`) {
		t.Fatalf("retry: %d %s", resp.StatusCode, body)
	}
	lines := waitLines(t, f, 2)
	if n := f.sb.Stats().Billable; n != 1 {
		t.Fatalf("the seller billed %d calls, want 1", n)
	}
	var closed int
	for _, l := range lines {
		if l["outcome"] == "client_closed" && l["status"] == 499.0 && l["upstream_outcome"] == "passed" {
			closed++
		}
	}
	if closed != 1 || strings.Contains(f.logs.String(), "upstream_timeout") {
		t.Fatalf("want one 499 client_closed line (upstream_outcome passed) and no upstream_timeout:\n%s", f.logs.String())
	}
}

// TestImpatientCallersKeepTheCircuitClosed: five callers that give up on a
// slow upstream (as many as the breaker's threshold) are not five
// upstream failures: the calls finish, and the next caller is served.
func TestImpatientCallersKeepTheCircuitClosed(t *testing.T) {
	f, srv := hangupFixture(t)
	const impatient = 5 // core's default breaker threshold
	f.sb.InjectFault(sandbox.Fault{Kind: sandbox.FaultLatency, Latency: 2 * time.Second, Times: impatient})
	allReached := func() bool { return f.sb.Stats().Received >= impatient }
	var wg sync.WaitGroup
	for range impatient {
		wg.Go(func() {
			if _, _, err := hangupPost(t, srv, f, "", allReached); err == nil {
				t.Error("an impatient caller got an answer")
			}
		})
	}
	wg.Wait()
	lines := waitLines(t, f, impatient)
	for _, l := range lines {
		if l["outcome"] != "client_closed" || l["status"] != 499.0 {
			t.Errorf("log line %v, want outcome client_closed, status 499", l)
		}
	}
	resp, body, err := hangupPost(t, srv, f, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"passed":true`) {
		t.Fatalf("the next caller: %d %s", resp.StatusCode, body)
	}
	if n := f.sb.Stats().Billable; n != impatient+1 {
		t.Errorf("the seller billed %d calls, want %d: every call that was begun is finished", n, impatient+1)
	}
	if strings.Contains(f.logs.String(), "upstream_timeout") {
		t.Errorf("a hang-up was logged as an upstream timeout:\n%s", f.logs.String())
	}
}

// A caller already gone when its turn comes gets nothing sent: the answer
// (logged, never read) is a 499 that cost nothing.
func TestCallerGoneBeforeTheCall(t *testing.T) {
	f := newFixture(t, sandbox.Config{}, core.Config{}, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := jsonReq("/verify", map[string]string{"idcard": passID, "name": "张三", "image": f.photo}).WithContext(ctx)
	resp, body := f.do(r)
	e, _ := body["error"].(map[string]any)
	if resp.StatusCode != 499 || e["kind"] != "client_closed" || e["may_have_charged"] != false || f.sb.Stats().Received != 0 {
		t.Fatalf("%d %v; the sandbox received %d calls", resp.StatusCode, body, f.sb.Stats().Received)
	}
}
