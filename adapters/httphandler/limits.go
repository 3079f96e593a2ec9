package httphandler

import (
	"net/http"
	"strconv"

	"github.com/faceid-verify/faceid/core/mask"
)

// A server that takes every connection can be held by a few slow
// callers: each body in flight may reserve up to MaxBody, and each
// verification may rewrite a photo. With Options.MaxConcurrent, requests
// beyond that many in flight are answered 503 at once, before their body
// is read. The platforms bound concurrency per instance themselves; the
// local server sets it (FACEID_MAX_CONCURRENT).

// gate holds one token per request in flight.
type gate chan struct{}

func newGate(n int) gate {
	if n <= 0 {
		return nil
	}
	return make(gate, n)
}

// enter takes a place, or reports that every place is taken.
func (g gate) enter() bool {
	if g == nil {
		return true
	}
	select {
	case g <- struct{}{}:
		return true
	default:
		return false
	}
}

func (g gate) leave() {
	if g != nil {
		<-g
	}
}

// admit runs next if a place is free and answers 503 otherwise. The
// health check passes without a place: it costs nothing, and a busy
// server is still alive.
func (h *Handler) admit(w http.ResponseWriter, r *http.Request, next func(http.ResponseWriter, *http.Request)) {
	if r.URL.Path == "/healthz" {
		next(w, r)
		return
	}
	if !h.gate.enter() {
		rid := requestID(r.Context())
		a := answer{status: http.StatusServiceUnavailable, outcome: "overloaded", reason: "max_concurrent",
			body: envelope{Msg: "服务繁忙,请稍后重试", Code: http.StatusServiceUnavailable, Data: struct{}{}, RequestID: rid,
				Error: &errorInfo{Kind: "overloaded", Reason: "max_concurrent",
					Message: "too many requests in flight (" + strconv.Itoa(cap(h.gate)) + "); retry shortly"}},
			retryAfter: retryOverloaded}
		a.write(w)
		// Any path reaches the gate, /results/{key} and paths no route
		// serves among them: masked as an object key is.
		h.opts.Logger.WarnContext(r.Context(), "request refused", "request_id", rid, "path", mask.Key(r.URL.Path), "status", a.status,
			"outcome", a.outcome, "reason", a.reason, "may_have_charged", false)
		return
	}
	defer h.gate.leave()
	next(w, r)
}
