// Package retiringcheck holds the test both functions run on their
// warning about the built-in default endpoint, whose gateway is being
// retired. Import it only from _test files.
package retiringcheck

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/internal/cleanenv"
	"github.com/faceid-verify/faceid/internal/syncbuf"
)

// Run configures a function with build, as its platform does, with no
// FACEID_ENDPOINT, with core.DefaultEndpoint and with a Cloud Market
// address in region, the other FACEID_ settings cleared but a key pair,
// and env set. The first two must log the retirement warning exactly
// once, the third never.
func Run(t *testing.T, region string, env map[string]string, build func(t *testing.T, log *slog.Logger)) {
	for _, tc := range []struct {
		endpoint string
		want     int
	}{
		{"", 1},
		{core.DefaultEndpoint, 1},
		{"https://" + region + ".cloudmarket-apigw.com/service-abcd1234/face_id_card/post", 0},
	} {
		t.Run(tc.endpoint, func(t *testing.T) {
			cleanenv.Set(t, env, "FACEID_")
			t.Setenv("FACEID_SECRET_ID", "id")
			t.Setenv("FACEID_SECRET_KEY", "key")
			if tc.endpoint != "" {
				t.Setenv("FACEID_ENDPOINT", tc.endpoint)
			}
			logs := &syncbuf.Buffer{}
			build(t, slog.New(slog.NewJSONHandler(logs, nil)))
			if got := strings.Count(logs.String(), "retires in batches from 2026-10-30"); got != tc.want {
				t.Errorf("%d retirement warnings, want %d:\n%s", got, tc.want, logs.String())
			}
		})
	}
}
