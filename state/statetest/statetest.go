// Package statetest holds what every state.Store must do, as one table
// that each store's tests run, and starts the real servers the shared
// stores are tested against. Import it only from _test files.
package statetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/state"
)

// Run checks s against the Store contract. The store may be shared with
// other tests: every key is new.
func Run(t *testing.T, s state.Store) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			tc.run(ctx, t, s, newKey())
		})
	}
}

// Short lives for the expiry cases: long enough for a round trip to a
// loopback server, short enough to wait out.
const (
	shortTTL = 300 * time.Millisecond
	longTTL  = time.Hour
)

var cases = []struct {
	name string
	run  func(ctx context.Context, t *testing.T, s state.Store, key string)
}{
	{"claim once", func(ctx context.Context, t *testing.T, s state.Store, key string) {
		claim(ctx, t, s, key, "first", longTTL, true, "")
		claim(ctx, t, s, key, "second", longTTL, false, "first")
		get(ctx, t, s, key, "first", true)
	}},
	{"claim retried with the same value is still ours", func(ctx context.Context, t *testing.T, s state.Store, key string) {
		claim(ctx, t, s, key, "token-1", longTTL, true, "")
		claim(ctx, t, s, key, "token-1", longTTL, true, "")
	}},
	{"claim after expiry", func(ctx context.Context, t *testing.T, s state.Store, key string) {
		claim(ctx, t, s, key, "first", shortTTL, true, "")
		time.Sleep(shortTTL + 100*time.Millisecond)
		get(ctx, t, s, key, "", false)
		claim(ctx, t, s, key, "second", longTTL, true, "")
		get(ctx, t, s, key, "second", true)
	}},
	{"claim after delete", func(ctx context.Context, t *testing.T, s state.Store, key string) {
		claim(ctx, t, s, key, "first", longTTL, true, "")
		if err := s.Delete(ctx, key); err != nil {
			t.Fatalf("Delete: %v", err)
		}
		get(ctx, t, s, key, "", false)
		claim(ctx, t, s, key, "second", longTTL, true, "")
	}},
	{"delete of nothing", func(ctx context.Context, t *testing.T, s state.Store, key string) {
		if err := s.Delete(ctx, key); err != nil {
			t.Fatalf("Delete of a missing key: %v", err)
		}
	}},
	{"put replaces and get reads", func(ctx context.Context, t *testing.T, s state.Store, key string) {
		get(ctx, t, s, key, "", false)
		claim(ctx, t, s, key, "pending", longTTL, true, "")
		put(ctx, t, s, key, "answer", longTTL)
		get(ctx, t, s, key, "answer", true)
		claim(ctx, t, s, key, "other", longTTL, false, "answer")
	}},
	{"put expires", func(ctx context.Context, t *testing.T, s state.Store, key string) {
		put(ctx, t, s, key, "answer", shortTTL)
		time.Sleep(shortTTL + 100*time.Millisecond)
		get(ctx, t, s, key, "", false)
	}},
	{"values are bytes", func(ctx context.Context, t *testing.T, s state.Store, key string) {
		v := string([]byte{0, 0xff, '\n', 0xe5, 0xbc, '"', '\\', 0})
		claim(ctx, t, s, key, v, longTTL, true, "")
		get(ctx, t, s, key, v, true)
		claim(ctx, t, s, key, "x", longTTL, false, v)
	}},
	{"one claim among concurrent ones", func(ctx context.Context, t *testing.T, s state.Store, key string) {
		const n = 16
		var mu sync.Mutex
		won := 0
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				ok, _, err := s.Claim(ctx, key, []byte{'a' + byte(i)}, longTTL)
				if err != nil {
					t.Errorf("Claim: %v", err)
				}
				if ok {
					mu.Lock()
					won++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if won != 1 {
			t.Fatalf("%d of %d concurrent claims won, want 1", won, n)
		}
	}},
	{"reserve up to the limit", func(ctx context.Context, t *testing.T, s state.Store, key string) {
		until := time.Now().Add(longTTL)
		for i := range 4 {
			reserve(ctx, t, s, key, 3, until, i < 3)
		}
		// Another period's counter starts at zero.
		reserve(ctx, t, s, key+"-next", 3, until, true)
	}},
	{"refund gives one back, never below zero", func(ctx context.Context, t *testing.T, s state.Store, key string) {
		until := time.Now().Add(longTTL)
		for _, k := range []string{key, key + "-unused"} {
			if err := s.Refund(ctx, k); err != nil {
				t.Fatalf("Refund: %v", err)
			}
		}
		reserve(ctx, t, s, key, 2, until, true)
		reserve(ctx, t, s, key, 2, until, true)
		reserve(ctx, t, s, key, 2, until, false)
		if err := s.Refund(ctx, key); err != nil {
			t.Fatalf("Refund: %v", err)
		}
		reserve(ctx, t, s, key, 2, until, true)
		reserve(ctx, t, s, key, 2, until, false)
		// Refunds before the first reservation did not make room.
		reserve(ctx, t, s, key+"-unused", 1, until, true)
		reserve(ctx, t, s, key+"-unused", 1, until, false)
	}},
	{"a zero limit allows nothing", func(ctx context.Context, t *testing.T, s state.Store, key string) {
		reserve(ctx, t, s, key, 0, time.Now().Add(longTTL), false)
	}},
	{"concurrent reservations stop at the limit", func(ctx context.Context, t *testing.T, s state.Store, key string) {
		const n, limit = 24, 5
		until := time.Now().Add(longTTL)
		var mu sync.Mutex
		got := 0
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				ok, err := s.Reserve(ctx, key, limit, until)
				if err != nil {
					t.Errorf("Reserve: %v", err)
				}
				if ok {
					mu.Lock()
					got++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if got != limit {
			t.Fatalf("%d of %d concurrent reservations granted, want %d", got, n, limit)
		}
	}},
}

func claim(ctx context.Context, t *testing.T, s state.Store, key, value string, ttl time.Duration, want bool, wantCur string) {
	t.Helper()
	ok, cur, err := s.Claim(ctx, key, []byte(value), ttl)
	if err != nil {
		t.Fatalf("Claim(%q): %v", value, err)
	}
	if ok != want || (!ok && !bytes.Equal(cur, []byte(wantCur))) {
		t.Fatalf("Claim(%q) = %v, %q; want %v, %q", value, ok, cur, want, wantCur)
	}
}

func put(ctx context.Context, t *testing.T, s state.Store, key, value string, ttl time.Duration) {
	t.Helper()
	if err := s.Put(ctx, key, []byte(value), ttl); err != nil {
		t.Fatalf("Put(%q): %v", value, err)
	}
}

func get(ctx context.Context, t *testing.T, s state.Store, key, want string, wantOK bool) {
	t.Helper()
	v, ok, err := s.Get(ctx, key)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if ok != wantOK || string(v) != want {
		t.Fatalf("Get = %q, %v; want %q, %v", v, ok, want, wantOK)
	}
}

func reserve(ctx context.Context, t *testing.T, s state.Store, key string, limit int64, until time.Time, want bool) {
	t.Helper()
	ok, err := s.Reserve(ctx, key, limit, until)
	if err != nil {
		t.Fatalf("Reserve: %v", err)
	}
	if ok != want {
		t.Fatalf("Reserve(limit %d) = %v, want %v", limit, ok, want)
	}
}

// RunDown checks that every operation on a store whose server is gone
// fails with an *state.UnavailableError, within the context's time.
func RunDown(t *testing.T, s state.Store) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	key := newKey()
	check := func(op string, err error) {
		t.Helper()
		var u *state.UnavailableError
		if !errors.As(err, &u) {
			t.Errorf("%s on a store that is down: %v, want a *state.UnavailableError", op, err)
		}
	}
	_, _, err := s.Claim(ctx, key, []byte("v"), time.Minute)
	check("Claim", err)
	check("Put", s.Put(ctx, key, []byte("v"), time.Minute))
	_, _, err = s.Get(ctx, key)
	check("Get", err)
	check("Delete", s.Delete(ctx, key))
	_, err = s.Reserve(ctx, key, 1, time.Now().Add(time.Minute))
	check("Reserve", err)
	check("Refund", s.Refund(ctx, key))
}

func newKey() string {
	var b [8]byte
	rand.Read(b[:])
	return "statetest-" + hex.EncodeToString(b[:])
}
