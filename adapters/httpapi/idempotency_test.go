package httpapi

import (
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

func TestIdempotencyCacheBounds(t *testing.T) {
	now := time.Unix(0, 0)
	c := newIdemCache(2, time.Minute, func() time.Time { return now })
	for _, k := range []string{"a", "b", "c"} {
		e, lead := c.begin(k, [32]byte{})
		if !lead {
			t.Fatalf("%s: not leading", k)
		}
		c.finish(e, 200, envelope{}, true)
	}
	if _, lead := c.begin("a", [32]byte{}); !lead {
		t.Fatal("the oldest entry should have been evicted past the bound")
	}
	if _, lead := c.begin("c", [32]byte{}); lead {
		t.Fatal("a recent entry was lost")
	}
	now = now.Add(2 * time.Minute)
	if _, lead := c.begin("c", [32]byte{}); !lead {
		t.Fatal("an expired entry was replayed")
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
