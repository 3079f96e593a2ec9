package httphandler

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/sandbox"
	"github.com/faceid-verify/faceid/state"
	"github.com/faceid-verify/faceid/state/redisstate"
	"github.com/faceid-verify/faceid/state/statetest"
)

func TestIdempotencyKey(t *testing.T) {
	f := newFixture(t, sandbox.Config{}, core.Config{}, Options{})
	req := func(key, name string) *http.Request {
		r := jsonReq("/verify", map[string]string{"idcard": passID, "name": name, "image": f.photo})
		if key != "" {
			r.Header.Set(IdempotencyHeader, key)
		}
		return r
	}
	do := func(r *http.Request) (*httptest.ResponseRecorder, string) {
		w := httptest.NewRecorder()
		f.handler.ServeHTTP(w, r)
		return w, w.Body.String()
	}

	t.Run("a repeated key replays the first answer without paying", func(t *testing.T) {
		f.sb.ResetStats()
		w1, b1 := do(req("order-1", "张三"))
		w2, b2 := do(req("order-1", "张三"))
		if w1.Code != 200 || b1 != b2 || w2.Header().Get("Idempotent-Replayed") != "true" {
			t.Fatalf("first %d %s\nsecond %d %s", w1.Code, b1, w2.Code, b2)
		}
		if n := f.sb.Stats().Billable; n != 1 {
			t.Fatalf("billable %d, want 1", n)
		}
	})
	t.Run("ten concurrent repeats pay once", func(t *testing.T) {
		f.sb.ResetStats()
		var wg sync.WaitGroup
		bodies := make([]string, 10)
		for i := range bodies {
			wg.Go(func() { _, bodies[i] = do(req("order-2", "张三")) })
		}
		wg.Wait()
		for _, b := range bodies[1:] {
			if b != bodies[0] {
				t.Fatalf("answers differ:\n%s\n%s", bodies[0], b)
			}
		}
		if n := f.sb.Stats().Billable; n != 1 {
			t.Fatalf("billable %d, want 1", n)
		}
	})
	t.Run("the same key with another request is refused", func(t *testing.T) {
		f.sb.ResetStats()
		do(req("order-3", "张三"))
		w, b := do(req("order-3", "李四"))
		if w.Code != http.StatusUnprocessableEntity || !strings.Contains(b, "key_reused") || f.sb.Stats().Received != 1 {
			t.Fatalf("%d %s", w.Code, b)
		}
	})
	t.Run("without a key every request is a new call", func(t *testing.T) {
		f.sb.ResetStats()
		do(req("", "张三"))
		do(req("", "张三"))
		if n := f.sb.Stats().Billable; n != 2 {
			t.Fatalf("billable %d, want 2", n)
		}
	})
	t.Run("an answer that cost nothing is not remembered", func(t *testing.T) {
		f.sb.ResetStats()
		f.sb.InjectFault(sandbox.Fault{Kind: sandbox.FaultStatus, Status: 429, Times: 1})
		w1, _ := do(req("order-4", "张三"))
		w2, _ := do(req("order-4", "张三"))
		if w1.Code != 429 || w2.Code != 200 || w2.Header().Get("Idempotent-Replayed") != "" {
			t.Fatalf("first %d, retry %d", w1.Code, w2.Code)
		}
	})
	t.Run("an over-long key is refused", func(t *testing.T) {
		w, _ := do(req(strings.Repeat("k", 256), "张三"))
		if w.Code != 400 {
			t.Fatalf("%d", w.Code)
		}
	})
}

// Two handlers sharing one store are two instances behind one endpoint:
// a key sent to both, one after the other or at once, pays once.
func TestIdempotencySharedStore(t *testing.T) {
	shared := state.NewMemory(0, nil)
	a := newFixture(t, sandbox.Config{}, core.Config{}, Options{State: shared})
	// The second instance calls the same upstream.
	client, err := core.New(core.Config{Endpoint: a.srv.URL + "/release/face_id_card/post",
		SecretID: sandbox.DefaultSecretID, SecretKey: sandbox.DefaultSecretKey})
	if err != nil {
		t.Fatal(err)
	}
	defer client.CloseIdleConnections()
	b := New(Options{Verifier: client, State: shared})
	send := func(h http.Handler, key string) *httptest.ResponseRecorder {
		r := jsonReq("/verify", map[string]string{"idcard": passID, "name": "张三", "image": a.photo})
		r.Header.Set(IdempotencyHeader, key)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	w1, w2 := send(a.handler, "k1"), send(b, "k1")
	if w1.Code != 200 || w2.Body.String() != w1.Body.String() || w2.Header().Get("Idempotent-Replayed") != "true" {
		t.Fatalf("first %d %s\nsecond %d %s", w1.Code, w1.Body, w2.Code, w2.Body)
	}
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Go(func() {
			h := a.handler
			if i%2 == 1 {
				h = b
			}
			if w := send(h, "k2"); w.Code != 200 {
				t.Errorf("%d %s", w.Code, w.Body)
			}
		})
	}
	wg.Wait()
	if n := a.sb.Stats().Billable; n != 2 {
		t.Fatalf("billable %d, want 2 (one per key)", n)
	}
}

// A key whose first request's instance stopped before storing an answer
// is never called again: past the call's bound, retries learn the answer
// is unknown and may have been charged.
func TestIdempotencyFirstRequestGone(t *testing.T) {
	shared := state.NewMemory(0, nil)
	f := newFixture(t, sandbox.Config{}, core.Config{}, Options{State: shared})
	r := jsonReq("/verify", map[string]string{"idcard": passID, "name": "张三", "image": f.photo})
	req, err := parseRequest(r, DefaultMaxBody)
	if err != nil {
		t.Fatal(err)
	}
	// What an instance leaves behind when it dies during the call.
	rec, _ := json.Marshal(idemRecord{Token: "gone", Fingerprint: fingerprint(req), Until: time.Now().Add(-time.Second)})
	shared.Put(context.Background(), idemKey("", "k"), rec, time.Hour)
	r = jsonReq("/verify", map[string]string{"idcard": passID, "name": "张三", "image": f.photo})
	r.Header.Set(IdempotencyHeader, "k")
	w := httptest.NewRecorder()
	f.handler.ServeHTTP(w, r)
	if w.Code != 504 || !strings.Contains(w.Body.String(), "idempotency_unknown") ||
		!strings.Contains(w.Body.String(), `"may_have_charged":true`) || f.sb.Stats().Received != 0 {
		t.Fatalf("%d %s; upstream received %d", w.Code, w.Body, f.sb.Stats().Received)
	}
}

// With the store down, a request with a key is refused before any call,
// and the answer says why; one without a key does not need the store.
func TestIdempotencyStoreDown(t *testing.T) {
	srv := statetest.StartRedis(t)
	cfg, _ := state.Parse("redis://" + srv.Addr)
	st, err := redisstate.Open(context.Background(), cfg.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	f := newFixture(t, sandbox.Config{}, core.Config{}, Options{State: st})
	srv.Stop()
	r := jsonReq("/verify", map[string]string{"idcard": passID, "name": "张三", "image": f.photo})
	r.Header.Set(IdempotencyHeader, "k")
	resp, body := f.do(r)
	info, _ := body["error"].(map[string]any)
	if resp.StatusCode != 503 || info["kind"] != "state_unavailable" || info["may_have_charged"] != false {
		t.Fatalf("%d %v", resp.StatusCode, body)
	}
	if n := f.sb.Stats().Received; n != 0 {
		t.Fatalf("the upstream received %d requests with the store down", n)
	}
	if !strings.Contains(f.logs.String(), `"outcome":"state_unavailable"`) {
		t.Errorf("the log does not say why: %s", f.logs.String())
	}
	resp, _ = f.do(jsonReq("/verify", map[string]string{"idcard": passID, "name": "张三", "image": f.photo}))
	if resp.StatusCode != 200 {
		t.Fatalf("without a key: %d", resp.StatusCode)
	}
}

// An answer that is not provably unbilled is kept under its key, however
// odd: a 200 without the seller's envelope may have cost ¥1, so the retry
// is answered from the store, not paid again.
func TestIdempotencyKeepsDoubtfulAnswers(t *testing.T) {
	var hits atomic.Int32
	seller := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, `{"message":"成功"}`)
	}))
	defer seller.Close()
	client, err := core.New(core.Config{Endpoint: seller.URL, SecretID: "id", SecretKey: "key"})
	if err != nil {
		t.Fatal(err)
	}
	defer client.CloseIdleConnections()
	h := New(Options{Verifier: client})
	photo := loadPhoto(t)
	var answers []*httptest.ResponseRecorder
	for range 2 {
		r := jsonReq("/verify", map[string]string{"idcard": passID, "name": "张三", "image": photo})
		r.Header.Set(IdempotencyHeader, "order-odd")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		answers = append(answers, w)
	}
	if !strings.Contains(answers[0].Body.String(), `"may_have_charged":true`) {
		t.Fatalf("first answer: %s", answers[0].Body.String())
	}
	if hits.Load() != 1 || answers[1].Header().Get("Idempotent-Replayed") != "true" {
		t.Fatalf("the upstream was called %d times; retry replayed %q", hits.Load(), answers[1].Header().Get("Idempotent-Replayed"))
	}
}
