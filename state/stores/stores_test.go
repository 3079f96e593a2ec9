package stores_test

import (
	"context"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/state"
	"github.com/faceid-verify/faceid/state/redisstate"
	"github.com/faceid-verify/faceid/state/statetest"
	"github.com/faceid-verify/faceid/state/stores"
)

// TestOpen: the settings' FACEID_STATE (package config parses it) opens
// its store with the openers linked; one that does not answer fails the
// start, named without its password.
func TestOpen(t *testing.T) {
	ctx := context.Background()
	// As SCF links them: Redis alone.
	openers := map[state.Kind]stores.Opener{state.KindRedis: redisstate.Opener}
	t.Run("memory", func(t *testing.T) {
		s, err := stores.Open(ctx, state.Config{Kind: state.KindMemory}, openers)
		if err != nil {
			t.Fatal(err)
		}
		if s != nil {
			t.Fatalf("store is %T, want nil: each guard keeps its own memory", s)
		}
	})
	t.Run("not linked", func(t *testing.T) {
		cfg, _ := state.Parse("dynamodb://faceid-state")
		if _, err := stores.Open(ctx, cfg, openers); err == nil || !strings.Contains(err.Error(), "FACEID_STATE=dynamodb://faceid-state: this function is built without the dynamodb store") {
			t.Fatalf("Open = %v", err)
		}
	})
	t.Run("unreachable fails the start", func(t *testing.T) {
		cfg, err := state.Parse("redis://:s3cret@127.0.0.1:1/0")
		if err != nil {
			t.Fatal(err)
		}
		_, err = stores.Open(ctx, cfg, openers)
		if !state.IsUnavailable(err) {
			t.Fatalf("Open = %v, want an UnavailableError", err)
		}
		if strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "FACEID_STATE=redis://:xxxxx@127.0.0.1:1/0") {
			t.Fatalf("the error should name the store without its password: %v", err)
		}
	})
	t.Run("redis", func(t *testing.T) {
		srv := statetest.StartRedis(t)
		cfg, err := state.Parse("redis://" + srv.Addr)
		if err != nil {
			t.Fatal(err)
		}
		s, err := stores.Open(ctx, cfg, openers)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if ok, _, err := s.Claim(ctx, "k", []byte("v"), 0); !ok || err != nil {
			t.Fatalf("Claim = %v, %v", ok, err)
		}
	})
}
