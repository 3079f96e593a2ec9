package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"

	"github.com/faceid-verify/faceid/adapters/httphandler"
	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/faceid-verify/faceid/config"
	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/metrics"
	"github.com/faceid-verify/faceid/state"
	"github.com/faceid-verify/faceid/state/redisstate"
	"github.com/faceid-verify/faceid/state/stores"
)

// fromEnv wires the function from its settings (package config, read at
// the first invocation: SCF sets the environment then) and, for COS, the
// role credentials SCF provides. Both builders share the settings, one
// core client and one state store, so a broken setting stops both, as it
// stops the whole function on Lambda.
func fromEnv(log *slog.Logger) builders {
	var built lazy[*parts]
	build := func(ctx context.Context) (*parts, error) {
		return built.get(ctx, func(ctx context.Context) (*parts, error) {
			var p parts
			// Before the settings: the decode memory is half the limit.
			if err := applyMemoryLimit(); err != nil {
				return nil, err
			}
			var err error
			if p.set, err = config.Load(); err != nil {
				return nil, err
			}
			cfg := p.set.Core
			core.WarnIfRetiringDefault(log, cfg)
			// The function's name is the platform's variable, not a setting.
			reg, err := metrics.New(metrics.Options{UnitPriceFen: cfg.PriceFen, Function: os.Getenv("SCF_FUNCTIONNAME")})
			if err != nil {
				return nil, err
			}
			// SCF has no EMF: metric lines are JSON log lines.
			p.lines = &metrics.Lines{Registry: reg, Out: os.Stderr, Format: metrics.FormatJSON}
			// The money guards' memory: per instance, or TencentDB for
			// Redis (FACEID_STATE), which then also holds the COS claims.
			// DynamoDB is not linked: its SDK would double the package.
			if p.state, err = stores.Open(ctx, p.set.State, map[state.Kind]stores.Opener{state.KindRedis: redisstate.Opener}); err != nil {
				return nil, err
			}
			if p.client, err = core.New(cfg, core.WithObserver(p.lines), core.WithLogger(log), core.WithState(p.state)); err != nil {
				if p.state != nil {
					p.state.Close()
				}
				return nil, err
			}
			// Config logs as redacted: Secret and a Redis password never print.
			log.Info("configured", "config", p.client.Config(), "drop_in", p.set.DropIn, "state", p.set.State)
			return &p, nil
		})
	}
	return builders{
		handler: func(ctx context.Context) (http.Handler, error) {
			p, err := build(ctx)
			if err != nil {
				return nil, err
			}
			uploads, err := newUploads(ctx, log, p.client, p.set)
			if err != nil {
				return nil, err
			}
			return httphandler.New(httphandler.Options{Verifier: p.client, Logger: log,
				ClientKeys: p.set.DropIn.ClientKeys, LenientDate: p.set.DropIn.LenientDate, State: p.state, Uploads: uploads}), nil
		},
		pipeline: func(ctx context.Context) (upload.Processor, error) {
			p, err := build(ctx)
			if err != nil {
				return nil, err
			}
			// nil without a shared store: the claims use the COS header.
			return newPipeline(ctx, log, p.client, p.set, p.state, upload.WithDuplicates(p.lines.DuplicateSkipped))
		},
	}
}

// parts are what the handler and the pipeline share.
type parts struct {
	set    config.Settings
	client *core.Client
	lines  *metrics.Lines
	state  state.Store
}
