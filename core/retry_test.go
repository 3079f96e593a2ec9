package core

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestShouldRetry(t *testing.T) {
	unsent := &TransportError{Op: "dial", Err: errors.New("refused")}
	tests := []struct {
		name      string
		err       error
		attempt   int
		remaining time.Duration
		want      bool
	}{
		{"success", nil, 1, time.Second, false},
		{"dial refused", unsent, 1, time.Second, true},
		{"dial refused, attempts exhausted", unsent, 3, time.Second, false},
		{"dial refused, no time left", unsent, 1, 0, false},
		{"tls failure", &TransportError{Op: "tls"}, 1, time.Second, false},
		{"sent then timed out", &TransportError{Op: "write", Sent: true, Timeout: true}, 1, time.Second, false},
		{"reset mid body", &TransportError{Op: "read", Sent: true}, 1, time.Second, false},
		{"deadline before sending", &TransportError{Op: "deadline", Timeout: true}, 1, time.Second, false},
		{"429 short Retry-After", &gatewayError{Status: 429, Message: "API rate limit exceeded.", RetryAfter: time.Second, Refused: true}, 1, 5 * time.Second, true},
		{"429 not in the gateway's shape", &gatewayError{Status: 429, RetryAfter: time.Second}, 1, 5 * time.Second, false},
		{"429 Retry-After beyond deadline", &gatewayError{Status: 429, Message: "API rate limit exceeded.", RetryAfter: time.Second, Refused: true}, 1, 500 * time.Millisecond, false},
		{"429 long Retry-After", &gatewayError{Status: 429, Message: "API rate limit exceeded.", RetryAfter: time.Minute, Refused: true}, 1, time.Hour, false},
		{"429 without Retry-After", &gatewayError{Status: 429, Message: "API rate limit exceeded.", Refused: true}, 1, time.Second, false},
		{"quota exhausted", &gatewayError{Status: 429, Message: "API quota exceeded.", RetryAfter: time.Second, Refused: true}, 1, time.Minute, false},
		{"gateway 502", &gatewayError{Status: 502}, 1, time.Second, false},
		{"seller 500", &sellerError{Code: 500}, 1, time.Second, false},
		{"malformed answer", &responseError{Reason: "malformed"}, 1, time.Second, false},
		{"validation", &ValidationError{Field: "idcard"}, 1, time.Second, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, why := shouldRetry(tc.err, tc.attempt, 3, tc.remaining, 2*time.Second)
			if got != tc.want || why == "" {
				t.Fatalf("shouldRetry = %v (%s), want %v", got, why, tc.want)
			}
		})
	}
}

// flakyDialer refuses the first n dials for real (a closed port), then
// connects to the server: a connection failure before any byte is sent.
func flakyDialer(t *testing.T, n int32) (func(ctx context.Context, network, addr string) (net.Conn, error), *atomic.Int32) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := ln.Addr().String()
	ln.Close()
	var dials atomic.Int32
	d := &net.Dialer{}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if dials.Add(1) <= n {
			return d.DialContext(ctx, network, closed)
		}
		return d.DialContext(ctx, network, addr)
	}, &dials
}

func TestRetryOnlyWhenNeverSent(t *testing.T) {
	req := Request{Name: "张三", IDCard: testID, Image: testPhoto(t)}
	t.Run("refused twice then served: one call reaches the seller", func(t *testing.T) {
		up := &upstream{}
		srv := httptest.NewServer(up)
		defer srv.Close()
		dial, dials := flakyDialer(t, 2)
		hc := &http.Client{Transport: &http.Transport{DialContext: dial}}
		c := newTestClient(t, srv.URL, withHTTPClient(hc))
		res, err := c.Verify(context.Background(), req)
		if err != nil || !res.Passed {
			t.Fatalf("Verify = %v, %v", res, err)
		}
		if dials.Load() != 3 || up.hits.Load() != 1 {
			t.Fatalf("dials %d, hits %d", dials.Load(), up.hits.Load())
		}
	})
	t.Run("refused every time gives up after MaxAttempts", func(t *testing.T) {
		up := &upstream{}
		srv := httptest.NewServer(up)
		defer srv.Close()
		dial, dials := flakyDialer(t, 100)
		hc := &http.Client{Transport: &http.Transport{DialContext: dial}}
		c := newTestClient(t, srv.URL, withHTTPClient(hc))
		_, err := c.Verify(context.Background(), req)
		var te *TransportError
		if !errors.As(err, &te) || te.Sent || dials.Load() != 3 {
			t.Fatalf("err %v, dials %d", err, dials.Load())
		}
	})
	t.Run("reset after sending is not retried", func(t *testing.T) {
		up := &upstream{answer: func(w http.ResponseWriter, r *http.Request) {
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.(*net.TCPConn).SetLinger(0)
			conn.Close()
		}}
		srv := httptest.NewServer(up)
		defer srv.Close()
		_, err := newTestClient(t, srv.URL).Verify(context.Background(), req)
		var te *TransportError
		if !errors.As(err, &te) || !te.Sent || up.hits.Load() != 1 {
			t.Fatalf("err %v, hits %d", err, up.hits.Load())
		}
	})
	t.Run("429 with a short Retry-After is retried", func(t *testing.T) {
		var n atomic.Int32
		up := &upstream{}
		up.answer = func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(429)
				io.WriteString(w, `{"message":"API rate limit exceeded."}`)
				return
			}
			io.WriteString(w, `{"code":200,"success":true,"msg":"成功","data":{"order_no":"1","score":0.9,"incorrect":100}}`)
		}
		srv := httptest.NewServer(up)
		defer srv.Close()
		res, err := newTestClient(t, srv.URL).Verify(context.Background(), req)
		if err != nil || !res.Passed || up.hits.Load() != 2 {
			t.Fatalf("Verify = %v, %v; hits %d", res, err, up.hits.Load())
		}
	})
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestCircuitBreaker(t *testing.T) {
	var failing atomic.Bool
	failing.Store(true)
	up := &upstream{answer: func(w http.ResponseWriter, r *http.Request) {
		if failing.Load() {
			w.WriteHeader(502)
			io.WriteString(w, `{"message":"Bad Gateway."}`)
			return
		}
		io.WriteString(w, `{"code":200,"success":true,"data":{"score":0.9,"incorrect":100}}`)
	}}
	srv := httptest.NewServer(up)
	defer srv.Close()
	clk := &clock{t: time.Now()}
	c, err := New(Config{Endpoint: srv.URL, SecretID: "test-id", SecretKey: testSecret,
		BreakerThreshold: 3, BreakerCooldown: 30 * time.Second, SignedHeaders: "date"}, withClock(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	req := Request{Name: "张三", IDCard: testID, Image: testPhoto(t)}
	call := func() error { _, err := c.Verify(context.Background(), req); return err }
	var ge *gatewayError
	var co *CircuitOpenError
	for i := 0; i < 3; i++ {
		if err := call(); !errors.As(err, &ge) {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if err := call(); !errors.As(err, &co) || MayHaveReached(err) || up.hits.Load() != 3 {
		t.Fatalf("4th call: %v (hits %d), want fail-fast", err, up.hits.Load())
	}
	clk.Add(31 * time.Second)
	if err := call(); !errors.As(err, &ge) || up.hits.Load() != 4 {
		t.Fatalf("half-open probe: %v", err)
	}
	if err := call(); !errors.As(err, &co) {
		t.Fatalf("failed probe must re-open: %v", err)
	}
	clk.Add(31 * time.Second)
	failing.Store(false)
	if err := call(); err != nil {
		t.Fatalf("successful probe: %v", err)
	}
	if err := call(); err != nil || up.hits.Load() != 6 {
		t.Fatalf("closed again: %v, hits %d", err, up.hits.Load())
	}
}

func TestDailyBudget(t *testing.T) {
	up := &upstream{}
	srv := httptest.NewServer(up)
	defer srv.Close()
	// 23:59 in China.
	clk := &clock{t: time.Date(2026, 5, 1, 15, 59, 0, 0, time.UTC)}
	// Date-signed requests are not held to the 900 s window, so the fake
	// clock does not trip the upstream's signature check.
	c, _ := New(Config{Endpoint: srv.URL, SecretID: "test-id", SecretKey: testSecret, DailyBudget: 2, SignedHeaders: "date"}, withClock(clk.Now))
	req := Request{Name: "张三", IDCard: testID, Image: testPhoto(t)}
	for i := 0; i < 2; i++ {
		if _, err := c.Verify(context.Background(), req); err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.Verify(context.Background(), req)
	var be *BudgetError
	if !errors.As(err, &be) || up.hits.Load() != 2 || be.Reset.UTC() != time.Date(2026, 5, 1, 16, 0, 0, 0, time.UTC) {
		t.Fatalf("err %v, hits %d", err, up.hits.Load())
	}
	clk.Add(2 * time.Minute)
	if _, err := c.Verify(context.Background(), req); err != nil {
		t.Fatalf("next day: %v", err)
	}
	// A call that never left is refunded.
	srv.Close()
	c2, _ := New(Config{Endpoint: srv.URL, SecretID: "test-id", SecretKey: testSecret, DailyBudget: 1, MaxAttempts: 1}, withClock(clk.Now))
	for i := 0; i < 3; i++ {
		_, err := c2.Verify(context.Background(), req)
		var te *TransportError
		if !errors.As(err, &te) {
			t.Fatalf("call %d: %v, want a transport error (budget refunded)", i, err)
		}
	}
}
