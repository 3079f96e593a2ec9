package core

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/faceid-verify/faceid/core/invalid"
)

// ValidationError is a local input check that failed. No upstream call was
// made, so nothing was paid.
type ValidationError = invalid.Error

// gatewayError is an answer without the seller's envelope: the API
// gateway's own (authentication 401/403, limits 429, its failures), or
// anything else that is not the seller's, such as a redirect.
type gatewayError struct {
	Status    int
	Message   string
	RequestID string
	// RetryAfter is the server's Retry-After on a 429, if any.
	RetryAfter time.Duration
	// Refused is set when the answer is one of the gateway's refusals
	// before forwarding (gatewayRefused): the seller never saw the call.
	Refused bool
	// ServerDate is the answer's Date header, if any: the gateway's clock,
	// for re-signing after a refusal of the signature's date.
	ServerDate time.Time
}

func (e *gatewayError) Error() string {
	return fmt.Sprintf("upstream gateway: %d %s", e.Status, e.Message)
}

// auth reports a rejected signature or key: our own configuration is wrong.
func (e *gatewayError) auth() bool {
	return e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden
}

// limited reports a rate-limit or quota rejection.
func (e *gatewayError) limited() bool { return e.Status == http.StatusTooManyRequests }

// quotaExhausted reports that the purchased call package is used up.
func (e *gatewayError) quotaExhausted() bool {
	return e.limited() && e.Message == "API quota exceeded."
}

// MayHaveReached reports whether the seller may have seen the request:
// always, unless the gateway provably refused it (see gatewayRefused).
func (e *gatewayError) MayHaveReached() bool { return !e.Refused }

// When in doubt, a call was billed. The seller bills every answer with
// code 200 in its envelope (the sandbox does the same); the call is
// provably unbilled only when the seller provably never saw it:
//
//   - it was never sent: a local check refused it (ValidationError), the
//     circuit was open, the budget spent, or the transport failed before
//     the request's headers were written (TransportError with Sent false);
//   - the gateway refused it before forwarding (gatewayRefused).
//
// Everything else may have been billed: any answer in the seller's
// envelope, an answer that cannot be read, a 200 without the envelope, a
// redirect, a gateway 5xx (it may come after forwarding), any status the
// gateway does not document as a check before forwarding, and any failure
// after the headers were written. This decides the budget refund, whether
// an Idempotency-Key answer is kept, the answers' may_have_charged and the
// possibly-billed metric, all through MayHaveReached (and Classify).

// gatewayRefused reports whether an answer is the gateway's own refusal
// before it forwards a call (gateway-auth.md §1, §2): the gateway's flat
// {"message": …} body, no seller code, and a status of a check the gateway
// makes first: 401 and 403 authentication, usage plan and parameter
// checks, 404 routing, 405 method, 426 scheme, 429 rate limit, quota and
// CORS. An empty or unreadable body proves nothing: whoever sent it, the
// seller may have seen the call.
func gatewayRefused(status int, flatMessage bool) bool {
	if !flatMessage {
		return false
	}
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound,
		http.StatusMethodNotAllowed, http.StatusUpgradeRequired, http.StatusTooManyRequests:
		return true
	}
	return false
}

// sellerError is a non-200 `code` in the seller's envelope (400, 404, 500,
// 501, 604…).
type sellerError struct {
	Code      int
	Msg       string
	RequestID string
}

func (e *sellerError) Error() string { return fmt.Sprintf("upstream: code %d %s", e.Code, e.Msg) }

// MayHaveReached is always true: the seller itself answered.
func (e *sellerError) MayHaveReached() bool { return true }

// TransportError is a failure to exchange the request and answer. Sent tells
// whether any byte of the request may have left this process: when false the
// seller provably never saw it and a retry cannot pay twice.
type TransportError struct {
	// Op is the phase that failed: dial, tls, write, read or deadline.
	Op      string
	Sent    bool
	Timeout bool
	Err     error
}

func (e *TransportError) Error() string {
	s := "upstream transport: " + e.Op
	if e.Timeout {
		s += " timeout"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *TransportError) Unwrap() error { return e.Err }

// MayHaveReached reports whether the request may have reached the seller.
func (e *TransportError) MayHaveReached() bool { return e.Sent }

// responseError is an answer that could not be understood: malformed,
// truncated, empty or too large. The seller answered, so it may have billed.
type responseError struct {
	Status    int
	Reason    string
	RequestID string
	Err       error
	// Billed is set when the seller's envelope said code 200, so the call
	// was billed, but its data could not be used.
	Billed bool
}

func (e *responseError) Error() string {
	s := fmt.Sprintf("upstream answer %d %s", e.Status, e.Reason)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *responseError) Unwrap() error { return e.Err }

// MayHaveReached is always true: something answered.
func (e *responseError) MayHaveReached() bool { return true }

// ClientClosedError is returned without calling the upstream when the
// caller hung up (its context was cancelled) before an attempt began.
// Nothing was sent. An attempt that has begun is finished regardless
// (Client.Send).
type ClientClosedError struct{ Err error }

func (e *ClientClosedError) Error() string {
	return "caller went away before the upstream call: " + e.Err.Error()
}

func (e *ClientClosedError) Unwrap() error { return e.Err }

// MayHaveReached is false: nothing was sent.
func (e *ClientClosedError) MayHaveReached() bool { return false }

// clientClosed returns a *ClientClosedError if ctx was cancelled. A
// passed deadline is not a hang-up: Send reports it as a deadline.
func clientClosed(ctx context.Context) error {
	if errors.Is(ctx.Err(), context.Canceled) {
		return &ClientClosedError{Err: context.Cause(ctx)}
	}
	return nil
}

// MayHaveReached reports whether err leaves open that the upstream received
// the request (and so may have charged for it). Only validation errors and
// failures before the first byte was written are known not to have.
func MayHaveReached(err error) bool {
	if err == nil {
		return true
	}
	var r interface{ MayHaveReached() bool }
	if errors.As(err, &r) {
		return r.MayHaveReached()
	}
	var v *ValidationError
	if errors.As(err, &v) {
		return false
	}
	// Unknown errors: assume the worst for billing.
	return true
}
