package core

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/faceid-verify/faceid/core/invalid"
)

// ValidationError is a local input check that failed. No upstream call was
// made, so nothing was paid.
type ValidationError = invalid.Error

// GatewayError is an answer from the API gateway in front of the seller:
// authentication (401/403), limits (429) and the gateway's own failures.
// Its body is the gateway's flat {"message": …}.
type GatewayError struct {
	Status    int
	Message   string
	RequestID string
	// RetryAfter is the server's Retry-After on a 429, if any.
	RetryAfter time.Duration
}

func (e *GatewayError) Error() string {
	return fmt.Sprintf("upstream gateway: %d %s", e.Status, e.Message)
}

// Auth reports a rejected signature or key: our own configuration is wrong.
func (e *GatewayError) Auth() bool {
	return e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden
}

// Limited reports a rate-limit or quota rejection.
func (e *GatewayError) Limited() bool { return e.Status == http.StatusTooManyRequests }

// QuotaExhausted reports that the purchased call package is used up.
func (e *GatewayError) QuotaExhausted() bool {
	return e.Limited() && e.Message == "API quota exceeded."
}

// MayHaveReached reports whether the seller may have seen the request. The
// gateway rejects 401/403/404/429 before forwarding; a 5xx may come after.
func (e *GatewayError) MayHaveReached() bool { return e.Status >= 500 }

// SellerError is a non-200 `code` in the seller's envelope (400, 404, 500,
// 501, 604…).
type SellerError struct {
	Code      int
	Msg       string
	RequestID string
}

func (e *SellerError) Error() string { return fmt.Sprintf("upstream: code %d %s", e.Code, e.Msg) }

// MayHaveReached is always true: the seller itself answered.
func (e *SellerError) MayHaveReached() bool { return true }

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

// ResponseError is an answer that could not be understood: malformed,
// truncated, empty or too large. The seller answered, so it may have billed.
type ResponseError struct {
	Status    int
	Reason    string
	RequestID string
	Err       error
}

func (e *ResponseError) Error() string {
	s := fmt.Sprintf("upstream answer %d %s", e.Status, e.Reason)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *ResponseError) Unwrap() error { return e.Err }

// MayHaveReached is always true: something answered.
func (e *ResponseError) MayHaveReached() bool { return true }

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
