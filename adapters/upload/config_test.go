package upload

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/core"
)

func TestFromEnv(t *testing.T) {
	tests := []struct {
		name   string
		env    map[string]string
		want   Config
		errKey string
	}{
		{"defaults", nil, Config{UploadPrefix: "uploads/", ResultPrefix: "results/", ClaimPrefix: "results/.claims/", ClaimTTL: 90 * time.Second}, ""},
		{"all set", map[string]string{
			"FACEID_UPLOAD_PREFIX": "in/", "FACEID_RESULT_PREFIX": "out/", "FACEID_RESULT_BUCKET": "res-1250000000",
			"FACEID_CLAIM_PREFIX": "claims/", "FACEID_DELETE_SOURCE": "true", "FACEID_CLAIM_TTL": "3m",
		}, Config{UploadPrefix: "in/", ResultPrefix: "out/", ResultBucket: "res-1250000000", ClaimPrefix: "claims/", DeleteSource: true, ClaimTTL: 3 * time.Minute}, ""},
		{"empty upload prefix", map[string]string{"FACEID_UPLOAD_PREFIX": ""}, Config{}, "FACEID_UPLOAD_PREFIX"},
		{"blank result prefix", map[string]string{"FACEID_RESULT_PREFIX": "  "}, Config{}, "FACEID_RESULT_PREFIX"},
		{"empty result bucket", map[string]string{"FACEID_RESULT_BUCKET": ""}, Config{}, "FACEID_RESULT_BUCKET"},
		{"empty delete source", map[string]string{"FACEID_DELETE_SOURCE": ""}, Config{}, "FACEID_DELETE_SOURCE"},
		{"bad bool", map[string]string{"FACEID_DELETE_SOURCE": "sure"}, Config{}, "FACEID_DELETE_SOURCE"},
		{"bad duration", map[string]string{"FACEID_CLAIM_TTL": "soon"}, Config{}, "FACEID_CLAIM_TTL"},
		{"negative ttl", map[string]string{"FACEID_CLAIM_TTL": "-1s"}, Config{}, "FACEID_CLAIM_TTL"},
		{"results under uploads", map[string]string{"FACEID_RESULT_PREFIX": "uploads/results/"}, Config{}, "FACEID_RESULT_PREFIX"},
		{"claims under uploads", map[string]string{"FACEID_CLAIM_PREFIX": "uploads/.c/"}, Config{}, "FACEID_CLAIM_PREFIX"},
		{"claims among results", map[string]string{"FACEID_CLAIM_PREFIX": "results/uploads/c/"}, Config{}, "FACEID_CLAIM_PREFIX"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"UPLOAD_PREFIX", "RESULT_PREFIX", "RESULT_BUCKET", "CLAIM_PREFIX", "DELETE_SOURCE", "CLAIM_TTL"} {
				t.Setenv("FACEID_"+k, "") // restored after the test
				os.Unsetenv("FACEID_" + k)
			}
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			got, err := FromEnv()
			if tt.errKey != "" {
				var ce *core.ConfigError
				if !errors.As(err, &ce) || ce.Key != tt.errKey {
					t.Fatalf("FromEnv() error = %v, want a ConfigError on %s", err, tt.errKey)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("FromEnv() = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestIgnored(t *testing.T) {
	p := &Pipeline{cfg: Config{}.WithDefaults()}
	for key, want := range map[string]bool{
		"uploads/a.jpg": false, "uploads/x/y.png": false,
		"results/uploads/a.jpg.json": true, "results/.claims/x.json": true,
		"other/a.jpg": true, "uploads/dir/": true, "Uploads/a.jpg": true,
	} {
		if got := p.ignored(key) != ""; got != want {
			t.Errorf("ignored(%q) = %v, want %v", key, got, want)
		}
	}
}

func TestNewRejectsShortClaimTTL(t *testing.T) {
	c, err := core.New(core.Config{Endpoint: "http://127.0.0.1:1/release/face_id_card/post", SecretID: "id", SecretKey: "key"})
	if err != nil {
		t.Fatal(err)
	}
	var store struct{ Store }
	_, err = New(Config{ClaimTTL: 5 * time.Second}, c, store)
	var ce *core.ConfigError
	if !errors.As(err, &ce) || ce.Key != "FACEID_CLAIM_TTL" {
		t.Errorf("New with a TTL below the call timeout = %v", err)
	}
	if _, err := New(Config{}, c, store); err != nil {
		t.Errorf("New with defaults: %v", err)
	}
}
