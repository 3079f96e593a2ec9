package core

import (
	"context"
	"fmt"
	"time"

	"github.com/faceid-verify/faceid/state"
)

// BudgetError is returned without calling the upstream when the daily
// paid-call budget is used up: this instance's, or with a shared state
// store (FACEID_STATE), every instance's together.
type BudgetError struct {
	Limit int
	// Reset is when the budget starts again (midnight, China Standard Time).
	Reset time.Time
}

func (e *BudgetError) Error() string {
	return fmt.Sprintf("daily budget of %d paid calls used up; resets at %s", e.Limit, e.Reset.Format(time.RFC3339))
}

// MayHaveReached is false: nothing was sent.
func (e *BudgetError) MayHaveReached() bool { return false }

// budget caps paid calls per China day (the seller's: midnight UTC+8). The
// count is kept in a state.Store, so instances sharing a store share one
// budget. A call that provably never reached the upstream is refunded.
type budget struct {
	limit int // ≤ 0: unlimited
	now   func() time.Time
	store state.Store
}

// reserve takes one call from today's budget and returns the counter to
// refund it to (the day may turn during the call). A store that cannot be
// consulted is an error: nothing is sent on an unknown budget.
func (b *budget) reserve(ctx context.Context) (string, error) {
	if b.limit <= 0 {
		return "", nil
	}
	day, end := state.ChinaDay(b.now())
	key := "budget:" + day
	// The counter outlives its day by a day: expiry only cleans up, the
	// key's date is what starts a new budget.
	ok, err := b.store.Reserve(ctx, key, int64(b.limit), end.Add(24*time.Hour))
	switch {
	case err != nil:
		return "", err
	case !ok:
		return "", &BudgetError{Limit: b.limit, Reset: end}
	}
	return key, nil
}

// refund gives back a reservation. If the store fails, the call stays
// counted: the budget errs on the side of fewer calls.
func (b *budget) refund(ctx context.Context, key string) {
	if key != "" {
		_ = b.store.Refund(ctx, key)
	}
}
