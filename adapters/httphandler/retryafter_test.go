package httphandler

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/sandbox"
	"github.com/faceid-verify/faceid/state"
)

// downStore is a state store that cannot be reached.
type downStore struct{ state.Store }

func (downStore) Claim(context.Context, string, []byte, time.Duration) (bool, []byte, error) {
	return false, nil, &state.UnavailableError{Backend: "redis", Op: "claim", Err: errors.New("connection refused")}
}

// A 503 that a retry can cure, where nothing was sent, tells the caller
// when to come back; other answers do not.
func TestRetryAfter(t *testing.T) {
	verify := func(f *fixture) *http.Request {
		return jsonReq("/verify", map[string]string{"idcard": passID, "name": "张三", "image": f.photo})
	}
	tests := []struct {
		name     string
		sandbox  sandbox.Config
		core     core.Config
		opts     Options
		setup    func(t *testing.T, f *fixture) // before the request
		req      func(f *fixture) *http.Request
		status   int
		min, max int // Retry-After in seconds; 0, 0 for none
	}{
		{name: "decode memory busy", core: core.Config{DecodeWait: time.Millisecond},
			setup: func(t *testing.T, f *fixture) {
				b := f.client.Limits().Decode
				release, err := b.Reserve(context.Background(), b.Size())
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(release)
			}, req: verify, status: 503, min: 1, max: 1},
		{name: "too many in flight", opts: Options{MaxConcurrent: 1},
			setup: func(t *testing.T, f *fixture) { f.handler.gate.enter() }, req: verify, status: 503, min: 1, max: 1},
		{name: "state store down", opts: Options{State: downStore{}},
			req: func(f *fixture) *http.Request {
				r := verify(f)
				r.Header.Set(IdempotencyHeader, "order-1")
				return r
			}, status: 503, min: 5, max: 5},
		{name: "replay memory down", opts: Options{ClientKeys: map[string]string{dropID: dropKey}, Replay: failingReplay{}},
			req: func(f *fixture) *http.Request {
				r := verify(f)
				signXDate(r, dropID, dropKey)
				return r
			}, status: 503, min: 5, max: 5},
		{name: "circuit open: the cool-down left", core: core.Config{BreakerThreshold: 1, BreakerCooldown: 20 * time.Second},
			setup: func(t *testing.T, f *fixture) {
				if err := f.sb.InjectFault(sandbox.Fault{Kind: sandbox.FaultStatus, Status: 502, Times: 1}); err != nil {
					t.Fatal(err)
				}
				w := httptest.NewRecorder()
				f.handler.ServeHTTP(w, verify(f))
				if w.Code != http.StatusBadGateway {
					t.Fatalf("priming call: %d %s", w.Code, w.Body)
				}
			}, req: verify, status: 503, min: 19, max: 20},
		{name: "result store down", opts: Options{Uploads: stubUploads{err: errors.New("no route to host")}},
			req: func(*fixture) *http.Request {
				return httptest.NewRequest(http.MethodGet, "/results/uploads/issued/a.jpg", nil)
			}, status: 503, min: 5, max: 5},
		{name: "API discontinued: no retry", req: func(*fixture) *http.Request {
			return jsonReq("/verify", map[string]string{"idcard": "420102197503150173", "name": "朱九", "url": "https://example.com/a.jpg"})
		}, status: 503},
		{name: "bad input: no retry", req: func(f *fixture) *http.Request {
			return jsonReq("/verify", map[string]string{"idcard": "110101199003070012", "name": "张三", "image": f.photo})
		}, status: 400},
		{name: "result not yet: no header", opts: Options{Uploads: stubUploads{err: upload.ErrNotFound}},
			req: func(*fixture) *http.Request {
				return httptest.NewRequest(http.MethodGet, "/results/uploads/issued/a.jpg", nil)
			}, status: 404},
		{name: "verified", req: verify, status: 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.sandbox, tc.core, tc.opts)
			if tc.setup != nil {
				tc.setup(t, f)
			}
			w := httptest.NewRecorder()
			f.handler.ServeHTTP(w, tc.req(f))
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			got := w.Header().Get("Retry-After")
			if tc.max == 0 {
				if got != "" {
					t.Errorf("Retry-After %q, want none", got)
				}
				return
			}
			if n, err := strconv.Atoi(got); err != nil || n < tc.min || n > tc.max {
				t.Errorf("Retry-After %q, want %d–%d seconds", got, tc.min, tc.max)
			}
		})
	}
}
