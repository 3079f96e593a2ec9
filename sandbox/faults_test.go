package sandbox_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/sandbox"
)

// faultCall is one call as a plain net/http client sees it.
type faultCall struct {
	resp    *http.Response
	body    []byte
	err     error // from Do, or from reading the body
	elapsed time.Duration
}

// callWithFault injects f, makes one billable-if-answered call with a
// client of the given timeout (0: none), and returns what the client saw.
func callWithFault(t *testing.T, h *harness, f sandbox.Fault, timeout time.Duration) faultCall {
	t.Helper()
	if err := h.sb.InjectFault(f); err != nil {
		t.Fatal(err)
	}
	// The server's own transport: plain net/http, trusting its test TLS
	// certificate when there is one.
	client := &http.Client{Timeout: timeout, Transport: h.ts.Client().Transport}
	req := h.newRequest("", []byte(form(zhangID, zhang, "", "https://example.com/a.jpg").Encode()))
	start := time.Now()
	resp, err := client.Do(req)
	c := faultCall{resp: resp, err: err}
	if err == nil {
		c.body, c.err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	c.elapsed = time.Since(start)
	return c
}

func TestFaultKinds(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name     string
		fault    sandbox.Fault
		timeout  time.Duration
		billable int64
		check    func(t *testing.T, c faultCall)
	}{
		{"latency", sandbox.Fault{Kind: "latency", Latency: 300 * ms, Times: 1}, 0, 1, func(t *testing.T, c faultCall) {
			wantSeller(t, c)
			if c.elapsed < 300*ms {
				t.Errorf("answered after %v", c.elapsed)
			}
		}},
		{"latency the client gives up on", sandbox.Fault{Kind: "latency", Latency: time.Second, Times: 1}, 100 * ms, 0, func(t *testing.T, c faultCall) {
			wantTimeout(t, c)
			time.Sleep(1200 * ms) // had the wait ignored the client, the seller would have answered by now
		}},
		{"status 500", sandbox.Fault{Kind: "status", Status: 500, Times: 1}, 0, 0, wantGateway(500, "Internal Server Error.")},
		{"status 502", sandbox.Fault{Kind: "status", Status: 502, Times: 1}, 0, 0, wantGateway(502, "Bad Gateway.")},
		{"status 503", sandbox.Fault{Kind: "status", Status: 503, Times: 1}, 0, 0, wantGateway(503, "Service Unavailable.")},
		{"status 504", sandbox.Fault{Kind: "status", Status: 504, Times: 1}, 0, 0, wantGateway(504, "Gateway Time-out.")},
		{"empty", sandbox.Fault{Kind: "empty", Times: 1}, 0, 0, func(t *testing.T, c faultCall) {
			if c.err != nil || c.resp.StatusCode != 200 || len(c.body) != 0 {
				t.Errorf("got %v %s, want 200 with no body", c.err, c.body)
			}
		}},
		{"reset", sandbox.Fault{Kind: "reset", Times: 1}, 0, 0, func(t *testing.T, c faultCall) {
			if c.resp != nil || c.err == nil {
				t.Errorf("got a response (%v), want a connection error", c.err)
			}
		}},
		{"malformed", sandbox.Fault{Kind: "malformed", Times: 1}, 0, 1, func(t *testing.T, c faultCall) {
			var v any
			if c.err != nil || c.resp.StatusCode != 200 || json.NewDecoder(bytes.NewReader(c.body)).Decode(&v) == nil {
				t.Errorf("got %v %s, want 200 with JSON no decoder accepts", c.err, c.body)
			}
		}},
		{"truncated", sandbox.Fault{Kind: "truncated", Times: 1}, 0, 1, func(t *testing.T, c faultCall) {
			var v any
			err := json.Unmarshal(c.body, &v)
			if c.err != nil || c.resp.StatusCode != 200 || int64(len(c.body)) != c.resp.ContentLength || err == nil {
				t.Errorf("got %v %s (%v), want 200 with a complete HTTP body of cut JSON", c.err, c.body, err)
			}
		}},
		{"slow body", sandbox.Fault{Kind: "slow_body", Latency: 400 * ms, Times: 1}, 0, 1, func(t *testing.T, c faultCall) {
			wantSeller(t, c)
			if c.elapsed < 350*ms {
				t.Errorf("body complete after %v", c.elapsed)
			}
		}},
		{"slow body the client gives up on", sandbox.Fault{Kind: "slow_body", Latency: 2 * time.Second, Times: 1}, 300 * ms, 1, func(t *testing.T, c faultCall) {
			if c.resp == nil || c.resp.StatusCode != 200 {
				t.Fatalf("want 200 headers first, got %v", c.err)
			}
			wantTimeout(t, c)
		}},
		{"stall", sandbox.Fault{Kind: "stall", Times: 1}, 300 * ms, 1, func(t *testing.T, c faultCall) {
			if c.resp == nil || c.resp.StatusCode != 200 {
				t.Fatalf("want 200 headers first, got %v", c.err)
			}
			wantTimeout(t, c)
		}},
		{"reset mid body", sandbox.Fault{Kind: "reset_mid_body", Times: 1}, 0, 1, func(t *testing.T, c faultCall) {
			if c.resp == nil || c.resp.StatusCode != 200 || c.err == nil || int64(len(c.body)) >= c.resp.ContentLength {
				t.Errorf("got %v, %d of %d bytes; want 200 headers, part of the body, then an error", c.err, len(c.body), contentLength(c))
			}
		}},
		{"oversize", sandbox.Fault{Kind: "oversize", Times: 1}, 0, 1, func(t *testing.T, c faultCall) {
			wantSeller(t, c)
			if len(c.body) < 16<<20 {
				t.Errorf("body of %d bytes, want over 16 MB", len(c.body))
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, sandbox.Config{})
			c := callWithFault(t, h, tc.fault, tc.timeout)
			tc.check(t, c)
			if st := h.sb.Stats(); st.Received != 1 || st.Authenticated != 1 || st.Billable != tc.billable {
				t.Errorf("stats %+v, want one call, billable %d", st, tc.billable)
			}
			if len(h.sb.Faults()) != 0 {
				t.Errorf("fault still queued: %+v", h.sb.Faults())
			}
		})
	}
}

func contentLength(c faultCall) int64 {
	if c.resp == nil {
		return -1
	}
	return c.resp.ContentLength
}

func wantSeller(t *testing.T, c faultCall) {
	t.Helper()
	var env envelope
	if c.err != nil || c.resp.StatusCode != 200 || json.Unmarshal(c.body, &env) != nil || env.Code != 200 {
		t.Errorf("got %v, want the seller's code-200 answer", c.err)
	}
}

func wantTimeout(t *testing.T, c faultCall) {
	t.Helper()
	var te interface{ Timeout() bool }
	if !errors.As(c.err, &te) || !te.Timeout() {
		t.Errorf("got %v, want a client timeout", c.err)
	}
}

func wantGateway(status int, msg string) func(*testing.T, faultCall) {
	return func(t *testing.T, c faultCall) {
		t.Helper()
		if c.err != nil || c.resp.StatusCode != status || string(c.body) != `{"message":"`+msg+`"}` {
			t.Errorf("got %v %s, want %d %q", c.err, c.body, status, msg)
		}
	}
}

func TestFaultQueue(t *testing.T) {
	h := newHarness(t, sandbox.Config{})
	status := func() int {
		return h.postForm(form(zhangID, zhang, "", "https://example.com/a.jpg")).status
	}
	// Faults wait for an authenticated call.
	_ = h.sb.InjectFault(sandbox.Fault{Kind: "status", Status: 502, Times: 2})
	_ = h.sb.InjectFault(sandbox.Fault{Kind: "status", Status: 504, Times: 1})
	unsigned, _ := http.NewRequest(http.MethodPost, h.ts.URL+apiPath, nil)
	if a := h.do(unsigned); a.status != 401 {
		t.Fatalf("unsigned: %d", a.status)
	}
	for i, want := range []int{502, 502, 504, 200} {
		if got := status(); got != want {
			t.Errorf("call %d: %d, want %d", i, got, want)
		}
	}
	// Times 0: every call until cleared.
	_ = h.sb.InjectFault(sandbox.Fault{Kind: "status", Status: 503})
	for range 3 {
		if got := status(); got != 503 {
			t.Errorf("got %d, want 503 until cleared", got)
		}
	}
	h.sb.ClearFaults()
	if got := status(); got != 200 {
		t.Errorf("after clear: %d", got)
	}
	for _, bad := range []sandbox.Fault{{Kind: "explode"}, {Kind: "latency"}, {Kind: "status"},
		{Kind: "status", Status: 200}, {Kind: "empty", Times: -1}, {Kind: "latency", Latency: time.Hour}} {
		if err := h.sb.InjectFault(bad); err == nil {
			t.Errorf("InjectFault(%+v) accepted", bad)
		}
	}
}

func TestFaultControlPlane(t *testing.T) {
	h := newHarness(t, sandbox.Config{})
	control := func(method, body string) *answer {
		req, _ := http.NewRequest(method, h.ts.URL+"/_sandbox/faults", strings.NewReader(body))
		return h.do(req)
	}
	if a := control(http.MethodPost, `{"kind":"latency","latency":"10ms","times":2}`); a.status != 200 ||
		string(a.body) != `{"faults":[{"kind":"latency","times":2,"latency":"10ms"}]}` {
		t.Fatalf("POST: %d %s", a.status, a.body)
	}
	if got := h.sb.Faults(); len(got) != 1 || got[0].Latency != 10*time.Millisecond || got[0].Times != 2 {
		t.Fatalf("Faults() = %+v", got)
	}
	for _, bad := range []string{`{"kind":"nope"}`, `{"kind":"latency","latency":"soon"}`,
		`{"kind":"latency","latency":1000}`, `{"kind":"empty","extra":1}`, `not json`} {
		if a := control(http.MethodPost, bad); a.status != 400 || a.message() == "" {
			t.Errorf("POST %s: %d %s", bad, a.status, a.body)
		}
	}
	if a := control(http.MethodDelete, ""); a.status != 200 || string(a.body) != `{"faults":[]}` {
		t.Errorf("DELETE: %d %s", a.status, a.body)
	}
	if a := control(http.MethodPatch, ""); a.status != 405 {
		t.Errorf("PATCH: %d", a.status)
	}
	if a := control(http.MethodPost, `{"kind":"status","status":502,"times":1}`); a.status != 200 {
		t.Fatalf("POST: %d %s", a.status, a.body)
	}
	if a := h.postForm(form(zhangID, zhang, "", "https://example.com/a.jpg")); a.status != 502 {
		t.Errorf("after POST: %d", a.status)
	}
}

// TestCloseReleasesStall: Server.Close ends a stalled call, so a test
// whose client has no timeout can still shut its server down.
func TestCloseReleasesStall(t *testing.T) {
	h := newHarness(t, sandbox.Config{})
	go func() {
		time.Sleep(200 * time.Millisecond)
		h.sb.Close()
	}()
	c := callWithFault(t, h, sandbox.Fault{Kind: "stall", Times: 1}, 0)
	if c.err == nil || c.elapsed > 5*time.Second {
		t.Errorf("got %v after %v, want a short body soon after Close", c.err, c.elapsed)
	}
}

// TestResetOverTLS: the reset faults reach under TLS to the TCP socket.
func TestResetOverTLS(t *testing.T) {
	sb := sandbox.New(sandbox.Config{Now: testNow})
	ts := httptest.NewTLSServer(sb)
	defer ts.Close()
	defer sb.Close()
	h := &harness{t: t, sb: sb, ts: ts, clock: &clock{t: testNow()}}
	c := callWithFault(t, h, sandbox.Fault{Kind: "reset", Times: 1}, 5*time.Second)
	if c.resp != nil || c.err == nil || h.sb.Stats().Authenticated != 1 {
		t.Errorf("got a response (%v) or no authenticated call (%+v), want a reset after the handshake", c.err, h.sb.Stats())
	}
	_ = h.sb.InjectFault(sandbox.Fault{Kind: "reset_mid_body", Times: 1})
	resp, err := ts.Client().Do(h.newRequest("", []byte(form(zhangID, zhang, "", "https://example.com/a.jpg").Encode())))
	if err != nil {
		t.Fatalf("reset_mid_body over TLS: %v before any header", err)
	}
	defer resp.Body.Close()
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Error("reset_mid_body over TLS: body read without error")
	}
}

// TestCloseReleasesLatency: after Close a delayed answer goes out at once.
func TestCloseReleasesLatency(t *testing.T) {
	h := newHarness(t, sandbox.Config{})
	go func() {
		time.Sleep(100 * time.Millisecond)
		h.sb.Close()
	}()
	c := callWithFault(t, h, sandbox.Fault{Kind: "latency", Latency: time.Minute, Times: 1}, 0)
	wantSeller(t, c)
	if c.elapsed > 5*time.Second {
		t.Errorf("answered after %v", c.elapsed)
	}
}
