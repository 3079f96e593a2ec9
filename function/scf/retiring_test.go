package main

import (
	"context"
	"log/slog"
	"testing"

	"github.com/faceid-verify/faceid/internal/retiringcheck"
)

// TestRetiringGatewayWarning: with no FACEID_ENDPOINT the function would
// call the built-in default address on the gateway being retired, and
// says so once, when the first invocation loads the configuration.
func TestRetiringGatewayWarning(t *testing.T) {
	retiringcheck.Run(t, "ap-guangzhou", nil, func(t *testing.T, log *slog.Logger) {
		b := fromEnv(log)
		// Warm invocations reuse the client: still one warning.
		for range 2 {
			if _, err := b.handler(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
	})
}
