package main

import (
	"context"
	"log/slog"

	"github.com/faceid-verify/faceid/adapters/httphandler"
	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/faceid-verify/faceid/adapters/upload/cosstore"
	"github.com/faceid-verify/faceid/config"
	"github.com/faceid-verify/faceid/core"
	"github.com/tencentyun/scf-go-lib/functioncontext"
)

// newUploads builds POST /uploads on COS when FACEID_UPLOAD_BUCKET is set
// (nil otherwise). The addresses are signed with the execution role's
// keys, read at every request as the pipeline's store reads them; the
// bucket is addressed in FACEID_UPLOAD_REGION or the function's region.
// An error leaves the HTTP handler unbuilt: callers get 503.
func newUploads(ctx context.Context, log *slog.Logger, c *core.Client, set config.Settings) (httphandler.Uploads, error) {
	if !set.Issuing() {
		return nil, nil
	}
	icfg := set.Issue
	scfg := cosstore.Config{BaseURL: set.COS.BaseURL}
	if fc, ok := functioncontext.FromContext(ctx); ok {
		scfg.DefaultRegion = fc.TencentcloudRegion
	}
	if icfg.Region == "" {
		icfg.Region = scfg.DefaultRegion
	}
	if icfg.Region == "" && scfg.BaseURL == "" {
		return nil, &core.ConfigError{Key: core.EnvPrefix + "_UPLOAD_REGION", Reason: "required: the function's region is not known"}
	}
	store, err := cosstore.New(scfg)
	if err != nil {
		return nil, err
	}
	is, err := upload.NewIssuer(set.Upload, icfg, c, store, store)
	if err != nil {
		return nil, err
	}
	log.Info("upload issuing configured", "issue", icfg)
	return is, nil
}
