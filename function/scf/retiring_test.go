package main

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/internal/syncbuf"
)

// TestRetiringGatewayWarning: with no FACEID_ENDPOINT the function would
// call the built-in default address on the gateway being retired, and
// says so once, when the first invocation loads the configuration.
func TestRetiringGatewayWarning(t *testing.T) {
	for _, tc := range []struct {
		endpoint string
		want     int
	}{
		{"", 1},
		{core.DefaultEndpoint, 1},
		{"https://ap-guangzhou.cloudmarket-apigw.com/service-abcd1234/face_id_card/post", 0},
	} {
		t.Run(tc.endpoint, func(t *testing.T) {
			for _, kv := range os.Environ() {
				if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "FACEID_") {
					t.Setenv(k, "")
					os.Unsetenv(k)
				}
			}
			t.Setenv("FACEID_SECRET_ID", "id")
			t.Setenv("FACEID_SECRET_KEY", "key")
			if tc.endpoint != "" {
				t.Setenv("FACEID_ENDPOINT", tc.endpoint)
			}
			logs := &syncbuf.Buffer{}
			b := fromEnv(slog.New(slog.NewJSONHandler(logs, nil)))
			// Warm invocations reuse the client: still one warning.
			for range 2 {
				if _, err := b.handler(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			if got := strings.Count(logs.String(), "retires in batches from 2026-10-30"); got != tc.want {
				t.Errorf("%d retirement warnings, want %d:\n%s", got, tc.want, logs.String())
			}
		})
	}
}
