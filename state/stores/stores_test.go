package stores_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/state"
	"github.com/faceid-verify/faceid/state/statetest"
	"github.com/faceid-verify/faceid/state/stores"
)

func TestFromEnv(t *testing.T) {
	ctx := context.Background()
	t.Run("unset is memory", func(t *testing.T) {
		t.Setenv(stores.EnvState, "")
		os.Unsetenv(stores.EnvState)
		s, cfg, err := stores.FromEnv(ctx)
		if err != nil || cfg.Kind != state.KindMemory {
			t.Fatalf("FromEnv = %v, %v", cfg, err)
		}
		if _, ok := s.(*state.Memory); !ok {
			t.Fatalf("store is %T, want *state.Memory", s)
		}
	})
	for _, v := range []string{"", "  ", "dynamo://t", "redis://:s3cret@h/x", "memcached://h"} {
		t.Run("refused "+v, func(t *testing.T) {
			t.Setenv(stores.EnvState, v)
			_, _, err := stores.FromEnv(ctx)
			var ce *core.ConfigError
			if !errors.As(err, &ce) || ce.Key != "FACEID_STATE" {
				t.Fatalf("FromEnv(%q) = %v, want a ConfigError on FACEID_STATE", v, err)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Fatalf("the error shows the password: %v", err)
			}
		})
	}
	t.Run("unreachable fails the start", func(t *testing.T) {
		t.Setenv(stores.EnvState, "redis://:s3cret@127.0.0.1:1/0")
		_, _, err := stores.FromEnv(ctx)
		if !state.IsUnavailable(err) {
			t.Fatalf("FromEnv = %v, want an UnavailableError", err)
		}
		if strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), "FACEID_STATE=redis://:xxxxx@127.0.0.1:1/0") {
			t.Fatalf("the error should name the store without its password: %v", err)
		}
	})
	t.Run("redis", func(t *testing.T) {
		srv := statetest.StartRedis(t)
		t.Setenv(stores.EnvState, "redis://"+srv.Addr)
		s, cfg, err := stores.FromEnv(ctx)
		if err != nil || cfg.Kind != state.KindRedis {
			t.Fatalf("FromEnv = %v, %v", cfg, err)
		}
		defer s.Close()
		if ok, _, err := s.Claim(ctx, "k", []byte("v"), 0); !ok || err != nil {
			t.Fatalf("Claim = %v, %v", ok, err)
		}
	})
}
