// Package stores opens the state.Store that FACEID_STATE names (read by
// package config), with the backends an entry point links: SCF links Redis
// alone, since the AWS SDK would double its package for a store it cannot
// reach.
package stores

import (
	"context"
	"fmt"
	"time"

	"github.com/faceid-verify/faceid/state"
)

// openTimeout bounds the start-up check of a shared store.
const openTimeout = 10 * time.Second

// An Opener opens a shared store of one kind and checks that it answers
// (dynamostate.Opener, redisstate.Opener).
type Opener func(ctx context.Context, cfg state.Config) (state.Store, error)

// Open opens the shared store cfg names with the opener for its kind, and
// checks that it answers. For memory it returns nil: each guard then keeps
// its own bounded memory in this process (core.WithState,
// httphandler.Options.State), as sized for it. An unreachable store is an
// error wrapping a *state.UnavailableError that names the store without
// its password.
func Open(ctx context.Context, cfg state.Config, openers map[state.Kind]Opener) (state.Store, error) {
	s, err := open(ctx, cfg, openers)
	if err != nil {
		return nil, fmt.Errorf("FACEID_STATE=%s: %w", cfg, err)
	}
	return s, nil
}

func open(ctx context.Context, cfg state.Config, openers map[state.Kind]Opener) (state.Store, error) {
	if cfg.Kind == state.KindMemory || cfg.Kind == "" {
		return nil, nil
	}
	o := openers[cfg.Kind]
	if o == nil {
		return nil, fmt.Errorf("this function is built without the %s store", cfg.Kind)
	}
	ctx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	return o(ctx, cfg)
}
