package core

import (
	"errors"
	"fmt"
	"sync"
	"time"
)

// CircuitOpenError is returned without calling the upstream while the
// circuit breaker is open: recent calls kept failing, so this one would
// most likely fail too (and might still cost money).
type CircuitOpenError struct {
	RetryAfter time.Duration
}

func (e *CircuitOpenError) Error() string {
	return fmt.Sprintf("upstream circuit open after repeated failures; retry in %s", e.RetryAfter.Round(time.Second))
}

// MayHaveReached is false: nothing was sent.
func (e *CircuitOpenError) MayHaveReached() bool { return false }

// breaker is a per-instance circuit breaker: after threshold consecutive
// upstream failures it fails fast for cooldown, then lets one probe through
// (half-open); the probe's outcome closes or re-opens it.
type breaker struct {
	threshold int // ≤ 0 disables the breaker
	cooldown  time.Duration
	now       func() time.Time

	mu       sync.Mutex
	failures int
	openedAt time.Time
	open     bool
	probing  bool
}

// allow reports whether a call may go ahead. A nil error obliges the caller
// to call done with the call's outcome.
func (b *breaker) allow() error {
	if b.threshold <= 0 {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.open {
		return nil
	}
	if wait := b.cooldown - b.now().Sub(b.openedAt); wait > 0 {
		return &CircuitOpenError{RetryAfter: wait}
	}
	if b.probing {
		return &CircuitOpenError{RetryAfter: time.Second}
	}
	b.probing = true
	return nil
}

// done records an allowed call's outcome; neutral outcomes (the upstream
// worked but said no, or the call never happened) change nothing but end a
// probe.
func (b *breaker) done(failed, neutral bool) {
	if b.threshold <= 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	wasProbe := b.probing
	b.probing = false
	switch {
	case neutral:
	case failed:
		b.failures++
		if wasProbe || b.failures >= b.threshold {
			b.open, b.openedAt = true, b.now()
		}
	default:
		b.failures, b.open = 0, false
	}
}

// upstreamFailed classifies an outcome for the breaker: failed means the
// upstream (or the way to it) is broken; neutral means the call says
// nothing about the upstream's health.
func upstreamFailed(err error) (failed, neutral bool) {
	var (
		te *TransportError
		ge *gatewayError
		se *sellerError
		re *responseError
	)
	switch {
	case err == nil:
		return false, false
	case errors.As(err, &te):
		return te.Op != "deadline", te.Op == "deadline"
	case errors.As(err, &ge):
		return ge.Status >= 500, ge.Status < 500
	case errors.As(err, &re):
		return true, false
	case errors.As(err, &se):
		return se.Code >= 500, se.Code < 500
	}
	return false, true
}
