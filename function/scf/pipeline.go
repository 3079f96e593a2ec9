package main

import (
	"context"
	"log/slog"

	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/faceid-verify/faceid/adapters/upload/cosstore"
	"github.com/faceid-verify/faceid/config"
	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/state"
	"github.com/tencentyun/scf-go-lib/functioncontext"
)

// newPipeline builds the COS upload pipeline from the settings and the
// execution role's keys, which cosstore reads at every request (SCF
// rotates them between invocations). Buckets whose event names no known
// region are addressed in the function's own region. A shared state store
// (claims, non-nil) decides the claims instead of x-cos-forbid-overwrite.
func newPipeline(ctx context.Context, log *slog.Logger, c *core.Client, set config.Settings, claims state.Store, opts ...upload.Option) (upload.Processor, error) {
	ucfg := set.Upload
	scfg := cosstore.Config{BaseURL: set.COS.BaseURL}
	if fc, ok := functioncontext.FromContext(ctx); ok {
		scfg.DefaultRegion = fc.TencentcloudRegion
	}
	scfg.Claims, scfg.ClaimTTL = claims, ucfg.ClaimTTL
	store, err := cosstore.New(scfg)
	if err != nil {
		return nil, err
	}
	p, err := upload.New(ucfg, c, store, append([]upload.Option{upload.WithLogger(log)}, opts...)...)
	if err != nil {
		return nil, err
	}
	log.Info("upload pipeline configured", "upload", ucfg, "cos_region", scfg.DefaultRegion,
		"cos_base_url", scfg.BaseURL, "claims_in_state_store", claims != nil)
	return p, nil
}
