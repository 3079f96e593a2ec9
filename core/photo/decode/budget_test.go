package decode

import (
	"context"
	"errors"
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/internal/photofixture"
)

// waitFor yields until cond holds; the test's own deadline bounds it.
func waitFor(cond func() bool) {
	for !cond() {
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
}

// TestBudgetWaits: a decode that does not fit next to those running waits
// for them, then runs; its memory is back in the budget afterwards.
func TestBudgetWaits(t *testing.T) {
	img := photofixture.ReadFile(t, photofixture.Photos, "small-320x240.jpg")
	est, _ := EstimateOf(img)
	b := NewBudget(est.Bytes, time.Hour)
	hold, err := b.Reserve(context.Background(), est.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- Check(context.Background(), img, b) }()
	waitFor(func() bool { return b.Waiting() == 1 })
	select {
	case err := <-done:
		t.Fatalf("Check returned %v while the budget was taken", err)
	default:
	}
	hold()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !b.sem.TryAcquire(est.Bytes) {
		t.Fatal("the decode did not give its memory back")
	}
}

// TestBudgetRefuses: a decode that cannot get its share within the
// budget's wait or its context's life is a BusyError, which says nothing
// was sent.
func TestBudgetRefuses(t *testing.T) {
	img := photofixture.ReadFile(t, photofixture.Photos, "small-320x240.jpg")
	est, _ := EstimateOf(img)
	for _, tc := range []struct {
		name    string
		wait    time.Duration
		ctx     func() (context.Context, context.CancelFunc)
		wantErr error
	}{
		{"budget's wait", time.Millisecond, func() (context.Context, context.CancelFunc) {
			return context.WithCancel(context.Background())
		}, nil},
		{"caller gone", time.Hour, func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, cancel
		}, context.Canceled},
		{"caller's deadline", time.Hour, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), time.Millisecond)
		}, context.DeadlineExceeded},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := NewBudget(est.Bytes, tc.wait)
			hold, _ := b.Reserve(context.Background(), 1)
			defer hold()
			ctx, cancel := tc.ctx()
			defer cancel()
			err := Check(ctx, img, b)
			var be *BusyError
			if !errors.As(err, &be) || be.Need != est.Bytes || be.MayHaveReached() || !errors.Is(be.Err, tc.wantErr) {
				t.Fatalf("Check = %v, want a BusyError for %d bytes wrapping %v", err, est.Bytes, tc.wantErr)
			}
			if b.Waiting() != 0 {
				t.Fatal("still counted as waiting")
			}
		})
	}
}

// TestDefaultSize follows the runtime's memory limit: half of it, or a
// fixed size when there is none.
func TestDefaultSize(t *testing.T) {
	old := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(old)
	debug.SetMemoryLimit(230 << 20)
	if got := NewBudget(0, 0).Size(); got != 115<<20 {
		t.Errorf("GOMEMLIMIT=230MiB: %d bytes, want 115 MiB", got)
	}
	debug.SetMemoryLimit(math.MaxInt64)
	if got := (*Budget)(nil).Size(); got != 128<<20 {
		t.Errorf("no limit: %d bytes, want 128 MiB", got)
	}
}
