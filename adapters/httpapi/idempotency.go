package httpapi

import (
	"container/list"
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"sync"
	"time"

	"github.com/faceid-verify/faceid/core"
)

// A caller that retries after a timeout would pay again for the same
// verification. With an Idempotency-Key header, this instance answers a
// repeated key with the first answer instead of calling the upstream again
// (and makes concurrent repeats wait for it), as payment APIs do. A first
// request whose caller hung up is still finished (core.Client.Send), so
// the retry gets its real answer rather than a timeout. The
// memory is per function instance: a retry that lands on another instance
// is not covered, which the README says.

// IdempotencyHeader is the request header naming a retryable request.
const IdempotencyHeader = "Idempotency-Key"

const maxIdempotencyKey = 255

// idemEntry is one key's answer, or the promise of it while in flight.
type idemEntry struct {
	key         string
	fingerprint [32]byte
	done        chan struct{}
	status      int
	body        envelope
	expires     time.Time
	elem        *list.Element
}

// idemCache remembers answers that may have cost money, bounded in count
// and age. Only hashes of the request are kept, never its fields.
type idemCache struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	now   func() time.Time
	byKey map[string]*idemEntry
	order *list.List // oldest first
}

func newIdemCache(max int, ttl time.Duration, now func() time.Time) *idemCache {
	return &idemCache{max: max, ttl: ttl, now: now, byKey: map[string]*idemEntry{}, order: list.New()}
}

// fingerprint identifies a request's content without keeping it.
func fingerprint(r core.Request) [32]byte {
	h := sha256.New()
	for _, s := range []string{r.IDCard, r.Name, r.ImageBase64, r.URL} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// begin returns the key's entry and whether the caller leads it (must
// call finish) or follows (waits on done).
func (c *idemCache) begin(key string, fp [32]byte) (*idemEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	for e := c.order.Front(); e != nil; e = c.order.Front() {
		old := e.Value.(*idemEntry)
		if c.order.Len() <= c.max && (old.expires.IsZero() || old.expires.After(now)) {
			break
		}
		if old.expires.IsZero() { // in flight: never evicted
			break
		}
		c.order.Remove(e)
		delete(c.byKey, old.key)
	}
	if e, ok := c.byKey[key]; ok {
		return e, false
	}
	e := &idemEntry{key: key, fingerprint: fp, done: make(chan struct{})}
	e.elem = c.order.PushBack(e)
	c.byKey[key] = e
	return e, true
}

// finish publishes the leader's answer. Answers that provably cost
// nothing are forgotten, so a retry gets a fresh attempt.
func (c *idemCache) finish(e *idemEntry, status int, body envelope, keep bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e.status, e.body = status, body
	if keep {
		e.expires = c.now().Add(c.ttl)
	} else {
		c.order.Remove(e.elem)
		delete(c.byKey, e.key)
	}
	close(e.done)
}

// wait blocks until the leader answers or ctx ends.
func (e *idemEntry) wait(ctx context.Context) bool {
	select {
	case <-e.done:
		return true
	case <-ctx.Done():
		return false
	}
}

var errIdemKey = bodyErr("idempotency_key", "Idempotency-Key长度须为1-255", "Idempotency-Key must be 1-255 characters")

// replay answers a repeated key from the cache, or says why it cannot.
func (h *Handler) replay(w http.ResponseWriter, r *http.Request, e *idemEntry, fp [32]byte, rid string) answer {
	if !e.wait(r.Context()) {
		if errors.Is(r.Context().Err(), context.Canceled) {
			return clientClosedAnswer(r.Context(), rid) // this caller left; the first goes on
		}
		// The first request is still with the upstream: to this caller it
		// looks like an upstream timeout, and it may yet be charged.
		return answer{status: http.StatusGatewayTimeout, outcome: "upstream_timeout", charged: true, body: envelope{
			Msg: "上游服务超时", Code: http.StatusGatewayTimeout, Data: struct{}{}, RequestID: rid,
			Error: &errorInfo{Kind: "upstream_timeout", Reason: "idempotency_in_progress", MayHaveCharged: true,
				Message: "a request with this Idempotency-Key is still waiting for the upstream"},
		}}
	}
	if e.fingerprint != fp {
		return answer{status: http.StatusUnprocessableEntity, outcome: "idempotency_mismatch", body: envelope{
			Msg: "Idempotency-Key已用于不同的请求", Code: http.StatusUnprocessableEntity, Data: struct{}{}, RequestID: rid,
			Error: &errorInfo{Kind: "idempotency", Reason: "key_reused", Message: "this Idempotency-Key was used with a different request"},
		}}
	}
	w.Header().Set("Idempotent-Replayed", "true")
	return answer{status: e.status, body: e.body, outcome: "replayed"}
}
