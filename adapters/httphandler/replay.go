package httphandler

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/faceid-verify/faceid/core/hmacauth"
	"github.com/faceid-verify/faceid/state"
)

// A drop-in signature covers a date and a source, never the body: anyone
// who sees one signed request could send other bodies under it, each a
// paid call, for as long as the date stays in the window. So in drop-in
// mode every signature must carry a date within the window
// (hmacauth.Verifier.StrictDate), and the handler remembers each accepted
// signature until its window ends, with a fingerprint of what it came
// with (Content-Type, Idempotency-Key and body). The same signature with
// the same request again is a retry: it is answered as an idempotent
// replay, from the first answer, with no second paid call. The same
// signature with anything else is refused.

// ReplayStore remembers signatures. Claim is state.Store's: it records
// key = value for ttl unless a live record is there, and otherwise returns
// that record. Any state.Store serves, so the memory can be shared by
// every instance; the default is this instance's.
type ReplayStore interface {
	Claim(ctx context.Context, key string, value []byte, ttl time.Duration) (claimed bool, current []byte, err error)
}

// defaultReplayEntries bounds the default memory: each record is two
// hashes, so 20,000 signatures (22 a second for the whole 900 s window)
// take a few megabytes. Past it the oldest are forgotten first.
const defaultReplayEntries = 20_000

// MsgSignatureReused is the refusal of a signature already used for
// another request, worded as the gateway words its own refusals.
const MsgSignatureReused = "HMAC signature cannot be verified, the signature was already used for a different request"

// heldBody is a body read ahead, handed on to parseRequest as a string.
type heldBody struct {
	*strings.Reader
	s string
}

func (b *heldBody) Close() error         { return nil }
func (b *heldBody) UnreadString() string { return b.s[len(b.s)-b.Len():] }

// claimSignature records s for r, or finds it recorded. It returns the
// key under which r's answer is kept (for a request without an
// Idempotency-Key of its own) and whether to go on; when not, it has
// answered. The body is read here, before it is parsed, so that even a
// request the handler refuses uses its signature up.
func (h *Handler) claimSignature(w http.ResponseWriter, r *http.Request, s hmacauth.Signed, rid string) (string, bool) {
	body, err := readBody(r, h.opts.MaxBody)
	if err != nil {
		h.refuseBody(w, r, err, rid, time.Now())
		return "", false
	}
	if _, ok := r.Body.(StringBody); !ok {
		r.Body = &heldBody{Reader: strings.NewReader(body), s: body}
	}
	sum := sha256.New()
	for _, v := range []string{r.Header.Get("Content-Type"), r.Header.Get(IdempotencyHeader), body} {
		fmt.Fprintf(sum, "%d:", len(v)) // length-prefixed: no two lists hash alike
		io.WriteString(sum, v)
	}
	fp := hex.EncodeToString(sum.Sum(nil))
	id := sha256.Sum256([]byte(s.ID + "\x00" + s.Signature))
	key := "replay:" + hex.EncodeToString(id[:])

	ttl := h.idemTTL()
	if !s.Expires.IsZero() {
		ttl = s.Expires.Sub(h.now())
	}
	ttl = max(ttl, time.Second)
	log := h.opts.Logger.With("request_id", rid, "path", r.URL.Path)
	claimed, cur, err := h.sigs.Claim(r.Context(), key, []byte(fp), ttl)
	if err == nil && !claimed && cur == nil {
		// The record expired between the store's two looks: claim again.
		claimed, cur, err = h.sigs.Claim(r.Context(), key, []byte(fp), ttl)
	}
	switch {
	case err != nil:
		a := stateUnavailable(rid)
		a.write(w)
		log.ErrorContext(r.Context(), "replay memory unavailable; nothing sent upstream", "error", err.Error())
		return "", false
	case claimed:
		return "\x00signature\x00" + key, true
	case string(cur) == fp && h.idem != nil:
		log.InfoContext(r.Context(), "signature repeated with the same request: answered as a retry")
		return "\x00signature\x00" + key, true
	}
	// Another request under this signature, or (with Idempotency-Key
	// answers off) a repeat that could not be answered without paying.
	writeGateway(w, http.StatusForbidden, MsgSignatureReused)
	log.WarnContext(r.Context(), "inbound signature rejected", "status", http.StatusForbidden, "reason", "signature reused")
	return "", false
}

// stateUnavailable answers a request no guard could vouch for: nothing
// was sent, and a retry is safe.
func stateUnavailable(rid string) answer {
	return answer{status: http.StatusServiceUnavailable, outcome: "state_unavailable", reason: "replay_claim",
		body: envelope{Msg: "状态存储不可用,未调用上游,请稍后重试", Code: http.StatusServiceUnavailable, Data: struct{}{}, RequestID: rid,
			Error: &errorInfo{Kind: "state_unavailable", Reason: "replay_claim",
				Message: "the replay memory could not be consulted; nothing was sent upstream"}},
		retryAfter: retryStore}
}

func (h *Handler) now() time.Time {
	if h.opts.Now != nil {
		return h.opts.Now()
	}
	return time.Now()
}

// idemTTL is how long an answer is kept, and a Date signature the
// gateway's leniency lets through (no window) is remembered.
func (h *Handler) idemTTL() time.Duration {
	if h.opts.IdempotencyTTL > 0 {
		return h.opts.IdempotencyTTL
	}
	return 24 * time.Hour
}

// newReplayStore is the replay memory: opts.Replay, else the state store
// the other guards use (shared by every instance with FACEID_STATE), else
// this instance's.
func newReplayStore(opts Options) ReplayStore {
	switch {
	case opts.Replay != nil:
		return opts.Replay
	case opts.State != nil:
		return opts.State
	}
	return state.NewMemory(defaultReplayEntries, opts.Now)
}
