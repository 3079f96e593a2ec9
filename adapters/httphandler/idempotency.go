package httphandler

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/state"
)

// A caller that retries after a timeout would pay again for the same
// verification. With an Idempotency-Key header, a repeated key is answered
// with the first answer instead of calling the upstream again, and
// concurrent repeats wait for it, as payment APIs do. The answers live in
// a state.Store: this instance's memory by default, or one shared by every
// instance (FACEID_STATE), so that a retry landing on another instance is
// covered too. The store holds hashes of the key and the request, and the
// answer as sent, never the request's fields.

// IdempotencyHeader is the request header naming a retryable request.
const IdempotencyHeader = "Idempotency-Key"

const maxIdempotencyKey = 255

// idemRecord is what the store keeps under a key: the first request's
// claim while its call runs, then its answer.
type idemRecord struct {
	// Token is the first request's own, so that its claim, retried by a
	// store client after a lost answer, is still recognised as its own.
	Token       string `json:"token"`
	Fingerprint string `json:"fp"`
	// Until, while the call runs, is when it must have been answered:
	// past it, the first request's instance is presumed gone.
	Until time.Time `json:"until,omitzero"`
	// Status and Body are the answer; Status is 0 while the call runs.
	Status int             `json:"status,omitempty"`
	Body   json.RawMessage `json:"body,omitempty"`
}

// idempotency is the Idempotency-Key guard.
type idempotency struct {
	store state.Store
	ttl   time.Duration // how long an answer is kept
	// pending bounds a first request's call: the upstream call's timeout
	// and time to store its answer.
	pending time.Duration
	now     func() time.Time
}

// Polling for the first request's answer: often at first (it may be a
// free refusal), then less often, within the waiting request's context.
const (
	idemPollFirst = 20 * time.Millisecond
	idemPollMax   = 250 * time.Millisecond
	// idemWriteTimeout bounds storing an answer after the call, which is
	// done even if the caller has gone: the answer may have cost ¥1.
	idemWriteTimeout = 5 * time.Second
)

// idemKey names a key in the store, scoped to the drop-in caller, hashed
// so that nothing a caller chose is stored.
func idemKey(caller, key string) string {
	h := sha256.Sum256([]byte(caller + "\x00" + key))
	return "idem:" + hex.EncodeToString(h[:])
}

// fingerprint identifies a request's content without keeping it.
func fingerprint(r core.Request) string {
	h := sha256.New()
	for _, s := range []string{r.IDCard, r.Name, r.ImageBase64, r.URL} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func newToken() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

var errIdemKey = bodyErr("idempotency_key", "Idempotency-Key长度须为1-255", "Idempotency-Key must be 1-255 characters")

// verifyOnce calls at most once per Idempotency-Key (scoped to the drop-in
// caller) while the store remembers it. A store that cannot be consulted
// is answered 503 without a call.
func (h *Handler) verifyOnce(w http.ResponseWriter, r *http.Request, req core.Request, caller, key, rid string) answer {
	if len(key) > maxIdempotencyKey {
		return fromError(errIdemKey, rid)
	}
	ctx := r.Context()
	g := h.idem
	k, fp := idemKey(caller, key), fingerprint(req)
	mine := idemRecord{Token: newToken(), Fingerprint: fp, Until: g.now().Add(g.pending)}
	claim, _ := json.Marshal(mine) // plain struct: cannot fail
	poll := idemPollFirst
	for {
		won, cur, err := g.store.Claim(ctx, k, claim, g.ttl)
		if err != nil {
			return fromError(err, rid)
		}
		if won {
			return h.lead(ctx, req, k, mine, rid)
		}
		// Another request holds the key: wait for its answer, or claim
		// the key once it is released (its answer cost nothing).
		for cur != nil {
			var rec idemRecord
			switch {
			case json.Unmarshal(cur, &rec) != nil || rec.Fingerprint == "":
				return fromError(errors.New("httphandler: unreadable idempotency record"), rid)
			case rec.Fingerprint != fp:
				return keyReused(rid)
			case rec.Status != 0:
				w.Header().Set("Idempotent-Replayed", "true")
				return replayed(rec, rid)
			case !g.now().Before(rec.Until):
				return idemUnknown(rid)
			}
			if !sleep(ctx, poll) {
				if errors.Is(ctx.Err(), context.Canceled) {
					return clientClosedAnswer(ctx, rid) // this caller left; the first goes on
				}
				return idemInProgress(rid)
			}
			poll = min(2*poll, idemPollMax)
			var ok bool
			if cur, ok, err = g.store.Get(ctx, k); err != nil {
				return fromError(err, rid)
			} else if !ok {
				cur = nil
			}
		}
	}
}

// lead makes the call for a key this request claimed, and keeps its
// answer under the key unless the answer provably cost nothing; then the
// key is released, so a retry gets a fresh attempt.
func (h *Handler) lead(ctx context.Context, req core.Request, k string, mine idemRecord, rid string) answer {
	a := h.call(ctx, req, rid)
	// The call ran to its end even if the caller left (core.Client.Send):
	// its answer is kept for the retry all the same.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), idemWriteTimeout)
	defer cancel()
	g := h.idem
	var err error
	if a.charged {
		mine.Until, mine.Status = time.Time{}, a.status
		mine.Body, _ = json.Marshal(a.body) // answers always encode: writeJSON sends the same
		rec, _ := json.Marshal(mine)
		err = g.store.Put(sctx, k, rec, g.ttl)
	} else {
		err = g.store.Delete(sctx, k)
	}
	if err != nil {
		// Retries of this key will be told its answer is unknown once the
		// call's bound has passed: never a second paid call.
		h.opts.Logger.ErrorContext(ctx, "idempotency key not settled in the state store", "request_id", rid,
			"may_have_charged", a.charged, "error", err.Error())
	}
	return a
}

// sleep waits d, or less if ctx ends first; it reports whether it waited.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// replayed is the first request's answer, as it was sent.
func replayed(rec idemRecord, rid string) answer {
	var env envelope
	var raw struct {
		Data json.RawMessage `json:"data"`
	}
	if json.Unmarshal(rec.Body, &env) != nil || json.Unmarshal(rec.Body, &raw) != nil {
		return fromError(errors.New("httphandler: unreadable idempotent answer"), rid)
	}
	env.Data = raw.Data // byte for byte, fields in their order
	return answer{status: rec.Status, body: env, outcome: "replayed"}
}

func keyReused(rid string) answer {
	return answer{status: http.StatusUnprocessableEntity, outcome: "idempotency_mismatch", body: envelope{
		Msg: "Idempotency-Key已用于不同的请求", Code: http.StatusUnprocessableEntity, Data: struct{}{}, RequestID: rid,
		Error: &errorInfo{Kind: "idempotency", Reason: "key_reused", Message: "this Idempotency-Key was used with a different request"},
	}}
}

// idemInProgress: the first request is still with the upstream. To this
// caller it looks like an upstream timeout, and it may yet be charged.
func idemInProgress(rid string) answer {
	return answer{status: http.StatusGatewayTimeout, outcome: "upstream_timeout", charged: true, body: envelope{
		Msg: "上游服务超时", Code: http.StatusGatewayTimeout, Data: struct{}{}, RequestID: rid,
		Error: &errorInfo{Kind: "upstream_timeout", Reason: "idempotency_in_progress", MayHaveCharged: true,
			Message: "a request with this Idempotency-Key is still waiting for the upstream"},
	}}
}

// idemUnknown: the first request's instance stopped before storing an
// answer. Its call may have been charged, so it is never made again under
// this key; a new key tries again.
func idemUnknown(rid string) answer {
	return answer{status: http.StatusGatewayTimeout, outcome: "upstream_timeout", charged: true, body: envelope{
		Msg: "使用该Idempotency-Key的请求未得到结果,可能已计费", Code: http.StatusGatewayTimeout, Data: struct{}{}, RequestID: rid,
		Error: &errorInfo{Kind: "upstream_timeout", Reason: "idempotency_unknown", MayHaveCharged: true,
			Message: "the request with this Idempotency-Key ended without an answer and may have been charged; use a new key to try again"},
	}}
}
