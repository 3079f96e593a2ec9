package core

import (
	"fmt"
	"sync"
	"time"
)

// BudgetError is returned without calling the upstream when this instance
// has used its daily paid-call budget.
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

// chinaTime is the seller's day: budgets reset at midnight UTC+8.
func chinaTime() *time.Location { return time.FixedZone("CST", 8*3600) }

// budget caps paid calls per day for one function instance. A call that
// provably never reached the upstream is refunded.
type budget struct {
	limit int // ≤ 0: unlimited
	now   func() time.Time

	mu   sync.Mutex
	day  string
	used int
}

func (b *budget) reserve() error {
	if b.limit <= 0 {
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now().In(chinaTime())
	if d := now.Format(time.DateOnly); d != b.day {
		b.day, b.used = d, 0
	}
	if b.used >= b.limit {
		y, m, d := now.Date()
		return &BudgetError{Limit: b.limit, Reset: time.Date(y, m, d+1, 0, 0, 0, 0, now.Location())}
	}
	b.used++
	return nil
}

func (b *budget) refund() {
	if b.limit <= 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used > 0 {
		b.used--
	}
}
