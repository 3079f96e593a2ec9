package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"

	"github.com/faceid-verify/faceid/adapters/httpapi"
	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/faceid-verify/faceid/config"
	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/core/metrics"
)

// fromEnv wires the function from its settings (package config, read at
// the first invocation: SCF sets the environment then) and, for COS, the
// role credentials SCF provides. Both builders share the settings and one
// core client, so a broken setting stops both, as it stops the whole
// function on Lambda.
func fromEnv(log *slog.Logger) builders {
	var client lazy[*core.Client]
	var lines *metrics.Lines
	var set config.Settings
	newClient := func(ctx context.Context) (*core.Client, error) {
		return client.get(ctx, func(context.Context) (*core.Client, error) {
			var err error
			if set, err = config.Load(); err != nil {
				return nil, err
			}
			cfg := set.Core
			core.WarnIfRetiringDefault(log, cfg)
			// The function's name is the platform's variable, not a setting.
			reg, err := metrics.New(metrics.Options{UnitPriceFen: cfg.PriceFen, Function: os.Getenv("SCF_FUNCTIONNAME")})
			if err != nil {
				return nil, err
			}
			// SCF has no EMF: metric lines are JSON log lines.
			lines = &metrics.Lines{Registry: reg, Out: os.Stderr, Format: metrics.FormatJSON}
			c, err := core.New(cfg, core.WithObserver(lines), core.WithLogger(log))
			if err != nil {
				return nil, err
			}
			// Config logs as redacted: Secret never prints.
			log.Info("configured", "config", c.Config(), "drop_in", set.DropIn)
			return c, nil
		})
	}
	return builders{
		handler: func(ctx context.Context) (http.Handler, error) {
			c, err := newClient(ctx)
			if err != nil {
				return nil, err
			}
			return httpapi.New(httpapi.Options{Verifier: c, Logger: log,
				ClientKeys: set.DropIn.ClientKeys, LenientDate: set.DropIn.LenientDate}), nil
		},
		pipeline: func(ctx context.Context) (processor, error) {
			c, err := newClient(ctx)
			if err != nil {
				return nil, err
			}
			return newPipeline(ctx, log, c, set, upload.WithDuplicates(lines.DuplicateSkipped))
		},
	}
}
