package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/faceid-verify/faceid/adapters/httphandler"
	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/faceid-verify/faceid/adapters/upload/s3store"
	"github.com/faceid-verify/faceid/config"
	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/metrics"
	"github.com/faceid-verify/faceid/state"
	"github.com/faceid-verify/faceid/state/dynamostate"
	"github.com/faceid-verify/faceid/state/redisstate"
	"github.com/faceid-verify/faceid/state/stores"
)

// fromEnv wires the function from its settings (package config) and the
// AWS SDK's standard configuration (the execution role, AWS_REGION, and
// endpoint overrides such as AWS_ENDPOINT_URL_S3 and AWS_ENDPOINT_URL_DYNAMODB). The HTTP handler and the upload
// pipeline share one core client and its connection pool.
func fromEnv(ctx context.Context, log *slog.Logger) (*app, error) {
	set, err := config.Load()
	if err != nil {
		return nil, err
	}
	cfg := set.Core
	core.WarnIfRetiringDefault(log, cfg)
	// The function's name is the platform's variable, not a setting.
	reg, err := metrics.New(metrics.Options{UnitPriceFen: cfg.PriceFen, Function: os.Getenv("AWS_LAMBDA_FUNCTION_NAME")})
	if err != nil {
		return nil, err
	}
	// One EMF line per upstream attempt, avoided call and skipped
	// duplicate: CloudWatch turns them into metrics.
	lines := &metrics.Lines{Registry: reg, Out: os.Stdout, Format: metrics.FormatEMF}
	// The money guards' memory: StateTable in the SAM stack (FACEID_STATE),
	// shared by every instance; unreachable, the function does not start.
	st, err := stores.Open(ctx, set.State, map[state.Kind]stores.Opener{
		state.KindDynamoDB: dynamostate.Opener, state.KindRedis: redisstate.Opener,
	})
	if err != nil {
		return nil, err
	}
	client, err := core.New(cfg, core.WithObserver(lines), core.WithLogger(log), core.WithState(st))
	if err != nil {
		return nil, err
	}
	store, err := s3store.Load(ctx)
	if err != nil {
		return nil, err
	}
	p, err := upload.New(set.Upload, client, store, upload.WithLogger(log), upload.WithDuplicates(lines.DuplicateSkipped))
	if err != nil {
		return nil, err
	}
	// FACEID_UPLOAD_BUCKET turns on POST /uploads (config has required
	// FACEID_UPLOAD_MAC_KEY with it).
	var uploads httphandler.Uploads
	if set.Issuing() {
		if uploads, err = upload.NewIssuer(set.Upload, set.Issue, client, store, store); err != nil {
			return nil, err
		}
	}
	// Config and upload.Config log without secrets (core.Secret is redacted).
	log.Info("configured", "config", client.Config(), "upload", set.Upload, "drop_in_signatures", len(set.DropIn.ClientKeys) > 0,
		"state", set.State, "issue_uploads", set.Issuing(), "issue", set.Issue)
	return &app{
		log: log,
		handler: httphandler.New(httphandler.Options{Verifier: client, Logger: log,
			ClientKeys: set.DropIn.ClientKeys, LenientDate: set.DropIn.LenientDate, State: st, Uploads: uploads}),
		pipeline: p,
	}, nil
}
