package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"

	"github.com/faceid-verify/faceid/adapters/httpapi"
	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/core/metrics"
)

// fromEnv wires the function from FACEID_* variables (and, for COS, the
// role credentials SCF provides). Both builders share one core client.
func fromEnv(log *slog.Logger) builders {
	var client lazy[*core.Client]
	var lines *metrics.Lines
	var keys map[string]string
	var lenientDate bool
	newClient := func(ctx context.Context) (*core.Client, error) {
		return client.get(ctx, func(context.Context) (*core.Client, error) {
			cfg, err := core.FromEnv()
			if err != nil {
				return nil, err
			}
			// Checked with the rest, so that a blank or broken value stops
			// uploads too, as it stops the whole function on Lambda.
			if keys, err = httpapi.ClientKeysFromEnv(); err != nil {
				return nil, err
			}
			if lenientDate, err = httpapi.LenientDateFromEnv(); err != nil {
				return nil, err
			}
			core.WarnIfRetiringDefault(log, cfg)
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
			log.Info("configured", "config", c.Config())
			return c, nil
		})
	}
	return builders{
		handler: func(ctx context.Context) (http.Handler, error) {
			c, err := newClient(ctx)
			if err != nil {
				return nil, err
			}
			return httpapi.New(httpapi.Options{Verifier: c, Logger: log, ClientKeys: keys, LenientDate: lenientDate}), nil
		},
		pipeline: func(ctx context.Context) (processor, error) {
			c, err := newClient(ctx)
			if err != nil {
				return nil, err
			}
			return newPipeline(ctx, log, c, upload.WithDuplicates(lines.DuplicateSkipped))
		},
	}
}
