package state_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/state"
	"github.com/faceid-verify/faceid/state/statetest"
)

func TestMemoryContract(t *testing.T) {
	statetest.Run(t, state.NewMemory(0, nil))
}

// Past its bound the store forgets expired records first, then the oldest;
// a budget's counter is never forgotten, or the budget would start again.
func TestMemoryBound(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	m := state.NewMemory(32, func() time.Time { return now })
	day := now.Add(12 * time.Hour)
	if ok, _ := m.Reserve(ctx, "budget", 1, day); !ok {
		t.Fatal("first reservation refused")
	}
	m.Put(ctx, "short", []byte("s"), time.Second)
	m.Put(ctx, "oldest", []byte("o"), time.Hour)
	now = now.Add(2 * time.Second) // "short" has expired
	for i := range 31 {
		m.Put(ctx, fmt.Sprint("k", i), []byte("v"), time.Hour)
	}
	if _, ok, _ := m.Get(ctx, "oldest"); ok {
		t.Error("the oldest record outlived the bound")
	}
	if _, ok, _ := m.Get(ctx, "k30"); !ok {
		t.Error("the newest record was forgotten")
	}
	if ok, _ := m.Reserve(ctx, "budget", 1, day); ok {
		t.Error("the budget's counter was forgotten: a second reservation was granted")
	}
	// The next day's counter replaces the old one once the old expired.
	now = day
	if ok, _ := m.Reserve(ctx, "budget-2", 1, day.Add(24*time.Hour)); !ok {
		t.Error("a new day's reservation refused")
	}
}

func TestChinaDay(t *testing.T) {
	for _, tc := range []struct {
		at, day, end string
	}{
		{"2026-11-01T15:59:59Z", "2026-11-01", "2026-11-02T00:00:00+08:00"},
		{"2026-11-01T16:00:00Z", "2026-11-02", "2026-11-03T00:00:00+08:00"},
		{"2026-12-31T23:00:00+08:00", "2026-12-31", "2027-01-01T00:00:00+08:00"},
	} {
		at, _ := time.Parse(time.RFC3339, tc.at)
		day, end := state.ChinaDay(at)
		if day != tc.day || end.Format(time.RFC3339) != tc.end {
			t.Errorf("ChinaDay(%s) = %s, %s; want %s, %s", tc.at, day, end.Format(time.RFC3339), tc.day, tc.end)
		}
	}
}
