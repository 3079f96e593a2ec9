package decode

import (
	"context"
	"fmt"
	"math"
	"runtime/debug"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"
)

// Budget is the memory a process lets photo decoding hold at once, shared
// by every request: a decode reserves what Estimate says it will allocate
// before it starts, and waits, first come first served, while others hold
// the rest. Create one per process (core.Client holds it). A nil *Budget
// is private to each decode: DefaultSize for one photo, nothing shared.
type Budget struct {
	sem     *semaphore.Weighted
	size    int64
	wait    time.Duration
	waiting atomic.Int64
}

// DefaultWait is how long a decode waits for its share by default: about
// ten rewrites of a 12-megapixel photo, one after another, and half the
// upstream call's own timeout.
const DefaultWait = 10 * time.Second

// NewBudget returns a budget of size bytes (DefaultSize if size <= 0) on
// which a decode waits at most wait (DefaultWait if wait <= 0) besides
// its context's own deadline.
func NewBudget(size int64, wait time.Duration) *Budget {
	if size <= 0 {
		size = DefaultSize()
	}
	if wait <= 0 {
		wait = DefaultWait
	}
	return &Budget{sem: semaphore.NewWeighted(size), size: size, wait: wait}
}

// DefaultSize is half the Go runtime's memory limit (GOMEMLIMIT), or
// 128 MiB when none is set. The other half holds what a request carries
// besides pixels — its body, the decoded photo bytes, the rewritten
// JPEG — and the collector's headroom: the limit is soft, and a heap
// held at it collects continuously.
func DefaultSize() int64 {
	if lim := debug.SetMemoryLimit(-1); lim > 0 && lim < math.MaxInt64 {
		return lim / 2
	}
	return 128 << 20
}

// Size is the most one decode can reserve.
func (b *Budget) Size() int64 {
	if b == nil {
		return DefaultSize()
	}
	return b.size
}

// Waiting is the number of decodes waiting for their share now.
func (b *Budget) Waiting() int64 {
	if b == nil {
		return 0
	}
	return b.waiting.Load()
}

// Reserve holds n bytes (at most Size) until release is called, waiting
// while ctx lasts and at most the budget's wait; a *BusyError if it could
// not. Check and Image reserve what they decode; others may hold memory
// that decodes should not count on.
func (b *Budget) Reserve(ctx context.Context, n int64) (release func(), err error) {
	if b == nil {
		return func() {}, nil
	}
	if b.sem.TryAcquire(n) {
		return func() { b.sem.Release(n) }, nil
	}
	wctx, cancel := context.WithTimeout(ctx, b.wait)
	defer cancel()
	b.waiting.Add(1)
	start := time.Now()
	err = b.sem.Acquire(wctx, n)
	b.waiting.Add(-1)
	if err != nil {
		return nil, &BusyError{Need: n, Waited: time.Since(start), Err: ctx.Err()}
	}
	return func() { b.sem.Release(n) }, nil
}

// BusyError is a decode that did not get its share of the Budget in time.
// The photo may be fine: the process is busy with others, and nothing was
// sent upstream, so a retry is safe.
type BusyError struct {
	// Need is the bytes the decode asked for.
	Need   int64
	Waited time.Duration
	// Err is the caller's context error if the context ended first.
	Err error
}

func (e *BusyError) Error() string {
	s := fmt.Sprintf("photo decoding busy: %.1f MiB of decode memory not free after %s",
		float64(e.Need)/(1<<20), e.Waited.Round(time.Millisecond))
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *BusyError) Unwrap() error { return e.Err }

// MayHaveReached is false: nothing was sent.
func (e *BusyError) MayHaveReached() bool { return false }
