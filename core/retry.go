package core

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// shouldRetry decides whether a failed attempt may be repeated, and says
// why. The seller cannot de-duplicate, so a retry is allowed only when the
// failed attempt provably never reached it: a connection or TLS handshake
// that failed before any byte was written, or a gateway 429 (the gateway
// refuses before forwarding) that asks for a short wait.
func shouldRetry(err error, attempt, maxAttempts int, remaining, maxRetryAfter time.Duration) (bool, string) {
	if err == nil {
		return false, "succeeded"
	}
	if attempt >= maxAttempts {
		return false, "attempts exhausted"
	}
	var te *TransportError
	var ge *gatewayError
	switch {
	case errors.As(err, &te):
		if te.Sent {
			return false, "request may have reached the upstream"
		}
		if te.Op == "deadline" {
			return false, "no time left"
		}
		if te.Op == "tls" {
			// A certificate problem will not fix itself in milliseconds.
			return false, "TLS verification failed"
		}
		if remaining <= 0 {
			return false, "no time left"
		}
		return true, "not sent: " + te.Op
	case errors.As(err, &ge):
		if ge.MayHaveReached() {
			return false, "request may have reached the upstream"
		}
		if !ge.limited() || ge.quotaExhausted() {
			return false, "gateway answered"
		}
		if ge.RetryAfter <= 0 || ge.RetryAfter > maxRetryAfter {
			return false, "rate limited without a short Retry-After"
		}
		if ge.RetryAfter >= remaining {
			return false, "Retry-After beyond the deadline"
		}
		return true, "rate limited, Retry-After short"
	}
	return false, "not retryable"
}

// backoff is full-jitter exponential: base·2^(attempt-1), capped, or the
// server's Retry-After when it gave one.
func backoff(attempt int, base, max time.Duration, err error) time.Duration {
	var ge *gatewayError
	if errors.As(err, &ge) && ge.RetryAfter > 0 {
		return ge.RetryAfter + time.Duration(rand.Int64N(int64(base)+1))
	}
	d := base << (attempt - 1)
	if d > max || d <= 0 {
		d = max
	}
	return time.Duration(rand.Int64N(int64(d) + 1))
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
