// Package state is the memory the money guards share: the Idempotency-Key
// answers, the daily paid-call budget and the drop-in replay memory.
// A function scales out to many instances; with a shared store (DynamoDB
// or Redis, in the subpackages) a guard holds across all of them, and with
// the in-memory default it holds within one.
//
// The store knows nothing of verifications: it claims keys, keeps opaque
// answers and counts. Callers choose keys that carry no personal data
// (hashes) and values that are unique to the claimer (a random token).
package state

import (
	"context"
	"errors"
	"time"
)

// Store is the little the guards need. Every method is safe for
// concurrent use, and every failure to reach the store is an
// *UnavailableError: the guard could not be consulted, so callers make no
// paid call.
type Store interface {
	// Claim creates the record key = value, living for ttl, unless a live
	// record is there. It reports whether the live record is now value
	// (this call, or a retry of it, created it); if not, current is the
	// live record's value, or nil when it vanished between the two looks.
	Claim(ctx context.Context, key string, value []byte, ttl time.Duration) (claimed bool, current []byte, err error)
	// Put writes key = value for ttl, replacing any record.
	Put(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Get reads the live record under key; ok is false when there is none.
	Get(ctx context.Context, key string) (value []byte, ok bool, err error)
	// Delete removes key's record. Deleting nothing is no error.
	Delete(ctx context.Context, key string) error
	// Reserve adds one to the counter under key if it is below limit, and
	// reports whether it did. The counter is removed after expires; a key
	// must name its period (a China day), since the removal is a clean-up
	// (DynamoDB's TTL deletes within days), not a reset.
	Reserve(ctx context.Context, key string, limit int64, expires time.Time) (bool, error)
	// Refund takes one back from the counter under key, never below zero.
	Refund(ctx context.Context, key string) error
	// Close releases the store's connections.
	Close() error
}

// UnavailableError is a store that could not be reached or did not answer
// in time. Nothing was sent upstream on its account: callers fail closed
// (HTTP 503, may_have_charged false) and a retry is safe.
type UnavailableError struct {
	// Backend is "memory", "dynamodb" or "redis"; Op the method.
	Backend string
	Op      string
	// Err is the cause. Its text never holds a credential: the stores'
	// clients do not print them and URLs are redacted.
	Err error
}

func (e *UnavailableError) Error() string {
	return "state: " + e.Backend + " " + e.Op + ": store unavailable: " + e.Err.Error()
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// MayHaveReached is false: the guard stopped the call before it was made.
func (e *UnavailableError) MayHaveReached() bool { return false }

// IsUnavailable reports whether err is (or wraps) an *UnavailableError.
func IsUnavailable(err error) bool {
	var u *UnavailableError
	return errors.As(err, &u)
}

// ChinaDay returns the seller's day at t (its budgets reset at midnight
// UTC+8) as YYYY-MM-DD, and the instant that day ends.
func ChinaDay(t time.Time) (day string, end time.Time) {
	cst := time.FixedZone("CST", 8*3600) // China has no daylight saving
	t = t.In(cst)
	y, m, d := t.Date()
	return t.Format(time.DateOnly), time.Date(y, m, d+1, 0, 0, 0, 0, cst)
}
