package main

import (
	"context"
	"log/slog"
	"os"
	"testing"

	"github.com/faceid-verify/faceid/internal/retiringcheck"
)

// TestRetiringGatewayWarning: with no FACEID_ENDPOINT the function would
// call the built-in default address on the gateway being retired, and
// says so once at init.
func TestRetiringGatewayWarning(t *testing.T) {
	// The AWS SDK only loads its configuration here; nothing is called.
	aws := map[string]string{"AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull}
	retiringcheck.Run(t, "ap-shanghai", aws, func(t *testing.T, log *slog.Logger) {
		if _, err := fromEnv(context.Background(), log); err != nil {
			t.Fatal(err)
		}
	})
}
