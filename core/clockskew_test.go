package core

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/core/hmacauth"
	"github.com/faceid-verify/faceid/internal/syncbuf"
	"github.com/faceid-verify/faceid/sandbox"
)

// gateways are the two the client can sign for, as the sandbox serves them.
var gateways = []struct {
	name, path, signature string
	status                int
}{
	{"legacy", "/release/face_id_card/post", "auto", http.StatusUnauthorized}, // auto on 127.0.0.1: x-date
	{"cloudmarket", "/service-abcd1234/face_id_card/post", "cloudmarket", http.StatusForbidden},
}

// skewClient is a client of a real sandbox whose clock is cfg's, with a
// tallying observer and a log to inspect.
func skewClient(t *testing.T, sbCfg sandbox.Config, path, signature string, maxAttempts int) (*Client, *sandbox.Server, *tally, *syncbuf.Buffer) {
	t.Helper()
	sb := sandbox.New(sbCfg)
	srv := httptest.NewServer(sb)
	t.Cleanup(func() { sb.Close(); srv.Close() })
	reg := newTally()
	logs := &syncbuf.Buffer{}
	c, err := New(Config{Endpoint: srv.URL + path, SecretID: sandbox.DefaultSecretID, SecretKey: sandbox.DefaultSecretKey,
		Signature: signature, MaxAttempts: maxAttempts},
		WithObserver(reg), WithLogger(slog.New(slog.NewJSONHandler(logs, nil))))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c, sb, reg, logs
}

func zhang(t *testing.T) Request {
	return Request{Name: "张三", IDCard: "110101199003070011", Image: testPhoto(t)}
}

// TestClockSkewHeals: against the sandbox with its clock 20 minutes off,
// either way, the first call is refused for its date, re-signed with the
// sandbox's clock and passes; the refusal is not billed; later calls of
// the same client are signed right at once.
func TestClockSkewHeals(t *testing.T) {
	for _, gw := range gateways {
		for _, skew := range []time.Duration{20 * time.Minute, -20 * time.Minute} {
			t.Run(gw.name+"/"+skew.String(), func(t *testing.T) {
				// MaxAttempts 1: the re-sign is not one of the retries it limits.
				c, sb, reg, logs := skewClient(t, sandbox.Config{ClockSkew: skew}, gw.path, gw.signature, 1)
				res, err := c.Verify(context.Background(), zhang(t))
				if err != nil || !res.Passed {
					t.Fatalf("Verify = %+v, %v", res, err)
				}
				if st := sb.Stats(); st != (sandbox.Stats{Received: 2, Authenticated: 1, Billable: 1}) {
					t.Errorf("sandbox stats %+v, want one refusal then one billed call", st)
				}
				s := reg.Snapshot()
				if s.ClockSkewRetries != 1 || s.PossiblyBilledCalls != 1 || s.BilledCalls != 1 ||
					s.CallsByOutcome["gateway_auth"] != 1 || s.CallsByOutcome["passed"] != 1 {
					t.Errorf("metrics %+v", s)
				}
				if d := s.ClockSkewSeconds - skew.Seconds(); d < -2 || d > 2 {
					t.Errorf("measured skew %v s, want about %v", s.ClockSkewSeconds, skew.Seconds())
				}
				var warn struct {
					Level       string  `json:"level"`
					SkewSeconds float64 `json:"skew_seconds"`
					Status      int     `json:"status"`
				}
				lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
				if len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &warn) != nil || warn.Level != "WARN" ||
					warn.Status != gw.status || warn.SkewSeconds-skew.Seconds() < -2 || warn.SkewSeconds-skew.Seconds() > 2 {
					t.Errorf("log %q: want one warning with the skew in seconds", logs.String())
				}

				// The offset is remembered: no refusal on the next call.
				if res, err := c.Verify(context.Background(), zhang(t)); err != nil || !res.Passed {
					t.Fatalf("second Verify = %+v, %v", res, err)
				}
				if st := sb.Stats(); st != (sandbox.Stats{Received: 3, Authenticated: 2, Billable: 2}) {
					t.Errorf("after a second call: stats %+v, want no new refusal", st)
				}
				if reg.Snapshot().ClockSkewRetries != 1 {
					t.Errorf("a second skew retry was counted")
				}
			})
		}
	}
}

// jumpingClock moves an hour ahead at every reading: whatever Date the
// sandbox sends, its clock is far past it when the re-signed call comes.
type jumpingClock struct {
	mu sync.Mutex
	t  time.Time
}

func (j *jumpingClock) Now() time.Time {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.t = j.t.Add(time.Hour)
	return j.t
}

// TestSecondSkewRejectionNotRetried: a re-signed call refused for its date
// again is answered as is; each request spends at most one re-sign, and
// an offset that did not help is not kept.
func TestSecondSkewRejectionNotRetried(t *testing.T) {
	for _, gw := range gateways {
		t.Run(gw.name, func(t *testing.T) {
			clk := &jumpingClock{t: time.Now()}
			c, sb, reg, _ := skewClient(t, sandbox.Config{Now: clk.Now}, gw.path, gw.signature, 3)
			for i := 1; i <= 2; i++ {
				_, err := c.Verify(context.Background(), zhang(t))
				var ge *gatewayError
				if !errors.As(err, &ge) || ge.Status != gw.status {
					t.Fatalf("call %d: err %v, want the gateway's %d", i, err, gw.status)
				}
				if _, refused := dateRefused(err); !refused {
					t.Fatalf("call %d: %v is not a date refusal", i, err)
				}
				if st := sb.Stats(); st != (sandbox.Stats{Received: int64(2 * i)}) {
					t.Fatalf("call %d: stats %+v, want two attempts per request, none authenticated", i, st)
				}
			}
			if s := reg.Snapshot(); s.ClockSkewRetries != 2 || s.PossiblyBilledCalls != 0 || s.CallsByOutcome["gateway_auth"] != 4 {
				t.Errorf("metrics %+v", s)
			}
			if off := c.skew.load(); off != 0 {
				t.Errorf("kept an offset of %v that did not help", off)
			}
		})
	}
}

// TestNoSkewRetry: refusals that are not about the date, or that carry no
// Date header, are not re-signed.
func TestNoSkewRetry(t *testing.T) {
	t.Run("wrong key", func(t *testing.T) {
		sb := sandbox.New(sandbox.Config{Keys: map[string]string{sandbox.DefaultSecretID: "another-key"}})
		srv := httptest.NewServer(sb)
		defer srv.Close()
		reg := newTally()
		c, err := New(Config{Endpoint: srv.URL + "/release/face_id_card/post", SecretID: sandbox.DefaultSecretID,
			SecretKey: sandbox.DefaultSecretKey}, WithObserver(reg))
		if err != nil {
			t.Fatal(err)
		}
		defer c.CloseIdleConnections()
		if _, err := c.Verify(context.Background(), zhang(t)); err == nil {
			t.Fatal("a wrong key passed")
		}
		if st := sb.Stats(); st.Received != 1 || reg.Snapshot().ClockSkewRetries != 0 {
			t.Errorf("stats %+v, retries %d", st, reg.Snapshot().ClockSkewRetries)
		}
	})
	// The sandbox always sends Date; this upstream, standing for a gateway
	// that does not, is the one fault it cannot produce.
	t.Run("no Date header", func(t *testing.T) {
		var hits int
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits++
			w.Header()["Date"] = nil // net/http adds none then
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"message":"`+hmacauth.MsgXDateOutOfDate+`"}`)
		}))
		defer srv.Close()
		c := newTestClient(t, srv.URL)
		defer c.CloseIdleConnections()
		_, err := c.Verify(context.Background(), zhang(t))
		var ge *gatewayError
		if !errors.As(err, &ge) || ge.Status != 401 || !ge.ServerDate.IsZero() || hits != 1 {
			t.Errorf("err %v, hits %d: want one 401 without a retry", err, hits)
		}
	})
}

func TestDateRefused(t *testing.T) {
	at := time.Date(2026, 12, 3, 11, 42, 18, 0, time.UTC)
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"legacy", &gatewayError{Refused: true, Status: 401, Message: hmacauth.MsgXDateOutOfDate, ServerDate: at}, true},
		{"cloudmarket", &gatewayError{Refused: true, Status: 403, Message: hmacauth.MsgCloudMarketDateExpired, ServerDate: at}, true},
		{"other Chinese wording", &gatewayError{Refused: true, Status: 403, Message: "签名时间已超时", ServerDate: at}, true},
		{"wrapped", errors.Join(errors.New("x"), &gatewayError{Refused: true, Status: 401, Message: hmacauth.MsgXDateOutOfDate, ServerDate: at}), true},
		{"not a flat gateway refusal", &gatewayError{Status: 401, Message: hmacauth.MsgXDateOutOfDate, ServerDate: at}, false},
		{"no Date", &gatewayError{Refused: true, Status: 401, Message: hmacauth.MsgXDateOutOfDate}, false},
		{"legacy text with 403", &gatewayError{Refused: true, Status: 403, Message: hmacauth.MsgXDateOutOfDate, ServerDate: at}, false},
		{"Chinese text with 401", &gatewayError{Refused: true, Status: 401, Message: hmacauth.MsgCloudMarketDateExpired, ServerDate: at}, false},
		{"only 签名时间", &gatewayError{Refused: true, Status: 403, Message: "签名时间错误", ServerDate: at}, false},
		{"unparseable x-date", &gatewayError{Refused: true, Status: 401, Message: hmacauth.MsgBadXDate, ServerDate: at}, false},
		{"mismatch", &gatewayError{Refused: true, Status: 403, Message: hmacauth.MsgSignatureMismatch, ServerDate: at}, false},
		{"seller", &sellerError{Code: 400, Msg: "签名时间超时"}, false},
		{"nil", nil, false},
	}
	for _, tc := range tests {
		d, ok := dateRefused(tc.err)
		if ok != tc.want || (ok && !d.Equal(at)) {
			t.Errorf("%s: dateRefused = %v, %v", tc.name, d, ok)
		}
	}
}

// TestOneSkewRetryPerRequest: when the re-signed call is itself retried
// (a 429 with a short Retry-After), a further date refusal is not
// re-signed again. The sandbox sends no Retry-After, so a thin wrapper
// answers the second call as a rate-limited gateway would.
func TestOneSkewRetryPerRequest(t *testing.T) {
	clk := &jumpingClock{t: time.Now()}
	sb := sandbox.New(sandbox.Config{Now: clk.Now})
	var mu sync.Mutex
	hits := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits++
		n := hits
		mu.Unlock()
		if n == 2 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"message":"API rate limit exceeded."}`)
			return
		}
		sb.ServeHTTP(w, r)
	}))
	defer srv.Close()
	reg := newTally()
	c, err := New(Config{Endpoint: srv.URL + "/release/face_id_card/post", SecretID: sandbox.DefaultSecretID,
		SecretKey: sandbox.DefaultSecretKey}, WithObserver(reg), WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseIdleConnections()
	_, err = c.Verify(context.Background(), zhang(t))
	if _, refused := dateRefused(err); !refused {
		t.Fatalf("err %v, want the date refusal", err)
	}
	mu.Lock()
	defer mu.Unlock()
	// refused, re-signed → 429, retried → refused again: answered as is.
	if hits != 3 || reg.Snapshot().ClockSkewRetries != 1 {
		t.Errorf("%d upstream calls, %d skew retries; want 3 and 1", hits, reg.Snapshot().ClockSkewRetries)
	}
}

// tally is an Observer and clockSkewObserver that counts what it is told,
// as a metrics registry would, without core depending on one.
type tally struct {
	mu  sync.Mutex
	now tallySnapshot
}

type tallySnapshot struct {
	CallsByOutcome                   map[string]int64
	PossiblyBilledCalls, BilledCalls int64
	ClockSkewRetries                 int64
	ClockSkewSeconds                 float64
}

func newTally() *tally { return &tally{now: tallySnapshot{CallsByOutcome: map[string]int64{}}} }

func (o *tally) UpstreamCall(outcome string, possiblyBilled, billed bool, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.now.CallsByOutcome[outcome]++
	if possiblyBilled || billed {
		o.now.PossiblyBilledCalls++
	}
	if billed {
		o.now.BilledCalls++
	}
}

func (o *tally) Avoided(string) {}

func (o *tally) ClockSkewRetry(skew time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.now.ClockSkewRetries++
	o.now.ClockSkewSeconds = skew.Seconds()
}

// Snapshot returns a copy of the counts.
func (o *tally) Snapshot() tallySnapshot {
	o.mu.Lock()
	defer o.mu.Unlock()
	s := o.now
	s.CallsByOutcome = make(map[string]int64, len(o.now.CallsByOutcome))
	for k, v := range o.now.CallsByOutcome {
		s.CallsByOutcome[k] = v
	}
	return s
}
