package httphandler

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/adapters/httpevent"
	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/internal/proctest"
	"github.com/faceid-verify/faceid/internal/syncbuf"
	"github.com/faceid-verify/faceid/sandbox"
	"github.com/faceid-verify/faceid/state"
)

// stubUploads answers the upload routes without a store.
type stubUploads struct{ err error }

func (s stubUploads) Issue(context.Context, upload.IssueRequest) (upload.Ticket, error) {
	return upload.Ticket{Key: "uploads/issued/a.jpg"}, s.err
}

func (s stubUploads) Result(context.Context, string) ([]byte, error) { return []byte(`{}`), s.err }

// failingReplay is a replay memory that cannot be reached.
type failingReplay struct{}

func (failingReplay) Claim(context.Context, string, []byte, time.Duration) (bool, []byte, error) {
	return false, nil, errors.New("connection refused")
}

// unsettledStore keeps claims but cannot write or drop answers.
type unsettledStore struct{ state.Store }

func (unsettledStore) Put(context.Context, string, []byte, time.Duration) error {
	return errors.New("connection reset")
}

func (unsettledStore) Delete(context.Context, string) error { return errors.New("connection reset") }

// Every line the handler logs for a request carries the kind of event the
// request came in (httpevent.WithEvent, added by httpevent.LogHandler to
// records logged with the request's context), refusals included.
func TestEveryLogLineNamesTheEvent(t *testing.T) {
	f := newFixture(t, sandbox.Config{}, core.Config{}, Options{})
	drop := map[string]string{dropID: dropKey}
	pass := func() *http.Request {
		return jsonReq("/verify", map[string]string{"name": "张三", "idcard": "110101199003070011", "image": f.photo})
	}
	signed := func(r *http.Request) *http.Request { signXDate(r, dropID, dropKey); return r }
	tests := []struct {
		name  string
		opts  Options
		setup func(h *Handler) // before the request
		reqs  func() []*http.Request
		msg   string // a line that must be logged
	}{
		{name: "unsigned in drop-in mode", opts: Options{ClientKeys: drop},
			reqs: func() []*http.Request { return []*http.Request{pass()} }, msg: "inbound signature rejected"},
		{name: "wrong signature", opts: Options{ClientKeys: drop},
			reqs: func() []*http.Request {
				r := pass()
				signXDate(r, dropID, "not-"+dropKey)
				return []*http.Request{r}
			}, msg: "inbound signature rejected"},
		{name: "signature reused for another body", opts: Options{ClientKeys: drop},
			reqs: func() []*http.Request {
				a, b := signed(formReq("/verify", "name=x")), formReq("/verify", "name=y")
				b.Header = a.Header.Clone()
				return []*http.Request{a, b}
			}, msg: "inbound signature rejected"},
		{name: "replay memory down", opts: Options{ClientKeys: drop, Replay: failingReplay{}},
			reqs: func() []*http.Request { return []*http.Request{signed(pass())} },
			msg:  "replay memory unavailable; nothing sent upstream"},
		{name: "unreadable body", reqs: func() []*http.Request {
			r := httptest.NewRequest(http.MethodPost, "/verify", strings.NewReader("{"))
			r.Header.Set("Content-Type", "application/json")
			return []*http.Request{r}
		}, msg: "verification"},
		{name: "local validation", reqs: func() []*http.Request {
			return []*http.Request{jsonReq("/verify", map[string]string{"name": "张三", "idcard": "110101199003070012", "image": f.photo})}
		}, msg: "verification"},
		{name: "too many in flight", opts: Options{MaxConcurrent: 1}, setup: func(h *Handler) { h.gate.enter() },
			reqs: func() []*http.Request { return []*http.Request{pass()} }, msg: "request refused"},
		{name: "idempotency answer not stored", opts: Options{State: unsettledStore{state.NewMemory(16, time.Now)}},
			reqs: func() []*http.Request {
				r := pass()
				r.Header.Set(IdempotencyHeader, "order-1")
				return []*http.Request{r}
			}, msg: "idempotency key not settled in the state store"},
		{name: "upload issued", opts: Options{Uploads: stubUploads{}},
			reqs: func() []*http.Request {
				return []*http.Request{jsonReq("/uploads", map[string]string{"name": "张三", "idcard": "110101199003070011"})}
			}, msg: "upload issued"},
		{name: "upload refused", opts: Options{Uploads: stubUploads{}},
			reqs: func() []*http.Request {
				return []*http.Request{jsonReq("/uploads", map[string]any{"name": "张三", "size": "1"})}
			}, msg: "upload refused"},
		{name: "upload refused unsigned", opts: Options{Uploads: stubUploads{}, ClientKeys: drop},
			reqs: func() []*http.Request {
				return []*http.Request{jsonReq("/uploads", map[string]string{"name": "张三", "idcard": "110101199003070011"})}
			}, msg: "inbound signature rejected"},
		{name: "result", opts: Options{Uploads: stubUploads{}},
			reqs: func() []*http.Request {
				return []*http.Request{httptest.NewRequest(http.MethodGet, "/results/uploads/issued/a.jpg", nil)}
			}, msg: "upload result"},
		{name: "result not yet", opts: Options{Uploads: stubUploads{err: upload.ErrNotFound}},
			reqs: func() []*http.Request {
				return []*http.Request{httptest.NewRequest(http.MethodGet, "/results/uploads/issued/a.jpg", nil)}
			}, msg: "upload result"},
		{name: "result store down", opts: Options{Uploads: stubUploads{err: errors.New("no route to host")}},
			reqs: func() []*http.Request {
				return []*http.Request{httptest.NewRequest(http.MethodGet, "/results/uploads/issued/a.jpg", nil)}
			}, msg: "upload result"},
	}
	const kind = "function_url"
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			logs := &syncbuf.Buffer{}
			opts := tc.opts
			opts.Verifier = f.client
			opts.Logger = slog.New(httpevent.LogHandler(slog.NewJSONHandler(logs, nil)))
			h := New(opts)
			if tc.setup != nil {
				tc.setup(h)
			}
			for _, r := range tc.reqs() {
				h.ServeHTTP(httptest.NewRecorder(), r.WithContext(httpevent.WithEvent(r.Context(), kind)))
			}
			proctest.LogLine(t, logs, tc.msg, httpevent.EventAttr, kind)
			for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
				var rec map[string]any
				if err := json.Unmarshal([]byte(line), &rec); err != nil {
					t.Fatalf("log line %q: %v", line, err)
				}
				if rec[httpevent.EventAttr] != kind {
					t.Errorf("log line without %s=%s: %s", httpevent.EventAttr, kind, line)
				}
			}
		})
	}
}
