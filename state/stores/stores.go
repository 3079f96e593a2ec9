// Package stores opens the state.Store that FACEID_STATE names. It is
// apart from package state so that the guards can use the interface
// without linking both cloud clients.
package stores

import (
	"context"
	"fmt"
	"time"

	"github.com/faceid-verify/faceid/state"
	"github.com/faceid-verify/faceid/state/dynamostate"
	"github.com/faceid-verify/faceid/state/redisstate"
)

// openTimeout bounds the start-up check of a shared store.
const openTimeout = 10 * time.Second

// Open opens the store cfg names (FACEID_STATE, read by package config)
// and checks that it answers. An unreachable store is an error wrapping a
// *state.UnavailableError that names the store without its password.
func Open(ctx context.Context, cfg state.Config) (state.Store, error) {
	s, err := open(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("FACEID_STATE=%s: %w", cfg, err)
	}
	return s, nil
}

func open(ctx context.Context, cfg state.Config) (state.Store, error) {
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
