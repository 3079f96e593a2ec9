// Package stores opens the state.Store that FACEID_STATE names. It is
// apart from package state so that the guards can use the interface
// without linking both cloud clients.
package stores

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/state"
	"github.com/faceid-verify/faceid/state/dynamostate"
	"github.com/faceid-verify/faceid/state/redisstate"
)

// EnvState is the variable naming the store: memory (the default),
// dynamodb://TABLE, redis://… or rediss://….
const EnvState = core.EnvPrefix + "_STATE"

// openTimeout bounds the start-up check of a shared store.
const openTimeout = 10 * time.Second

// Open opens the store cfg names and checks that it answers.
func Open(ctx context.Context, cfg state.Config) (state.Store, error) {
	ctx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	switch cfg.Kind {
	case state.KindDynamoDB:
		return dynamostate.Open(ctx, cfg.Table)
	case state.KindRedis:
		return redisstate.Open(ctx, cfg.URL)
	case state.KindMemory, "":
		return state.NewMemory(0, nil), nil
	}
	return nil, fmt.Errorf("stores: unknown kind %q", cfg.Kind)
}

// FromEnv reads FACEID_STATE (unset: memory) and opens the store. A bad
// value is a *core.ConfigError that never repeats it (it may hold a
// password); an unreachable store is an error wrapping a
// *state.UnavailableError.
func FromEnv(ctx context.Context) (state.Store, state.Config, error) {
	cfg := state.Config{Kind: state.KindMemory}
	if v, ok := os.LookupEnv(EnvState); ok {
		var err error
		if cfg, err = state.Parse(v); err != nil {
			return nil, state.Config{}, &core.ConfigError{Key: EnvState, Reason: err.Error()}
		}
	}
	s, err := Open(ctx, cfg)
	if err != nil {
		return nil, cfg, fmt.Errorf("%s=%s: %w", EnvState, cfg, err)
	}
	return s, cfg, nil
}
