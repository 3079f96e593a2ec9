package upload

import (
	"errors"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/core"
)

// TestValidate: the layout's own rules, each naming its variable. Reading
// the variables is package config's (config_test.go there).
func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		cfg    Config
		errKey string
	}{
		{"defaults", Config{}, ""},
		{"all set", Config{UploadPrefix: "in/", ResultPrefix: "out/", ResultBucket: "res-1250000000",
			ClaimPrefix: "claims/", DeleteSource: true, ClaimTTL: 3 * time.Minute}, ""},
		{"negative ttl", Config{ClaimTTL: -time.Second}, "FACEID_CLAIM_TTL"},
		{"results under uploads", Config{ResultPrefix: "uploads/results/"}, "FACEID_RESULT_PREFIX"},
		{"claims under uploads", Config{ClaimPrefix: "uploads/.c/"}, "FACEID_CLAIM_PREFIX"},
		{"claims among results", Config{ClaimPrefix: "results/uploads/c/"}, "FACEID_CLAIM_PREFIX"},
		{"MAC key", Config{MACKey: "0123456789abcdef0123456789abcdef"}, ""},
		{"short MAC key", Config{MACKey: "${env:FACEID_UPLOAD_MAC_KEY}"}, "FACEID_UPLOAD_MAC_KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.WithDefaults().Validate()
			if tt.errKey == "" {
				if err != nil {
					t.Fatalf("Validate() = %v", err)
				}
				return
			}
			var ce *core.ConfigError
			if !errors.As(err, &ce) || ce.Key != tt.errKey {
				t.Fatalf("Validate() = %v, want a ConfigError on %s", err, tt.errKey)
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
