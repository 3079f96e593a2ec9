package core

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestFromEnv(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "key")
	os.WriteFile(keyFile, []byte("file-secret\n"), 0o600)
	tests := []struct {
		name    string
		env     map[string]string
		wantKey string // the ConfigError key, "" for success
		check   func(Config) bool
	}{
		{"defaults", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "sk-98765"}, "", func(c Config) bool {
			return c.Endpoint == DefaultEndpoint && c.Source == "market" && c.SignedHeaders == "x-date" &&
				c.MaxImageBytes == 3<<20 && c.SameThreshold == 0.45 && c.UncertainThreshold == 0.40
		}},
		{"overrides", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "sk-98765", "FACEID_TIMEOUT": "2s",
			"FACEID_SIGNED_HEADERS": "date", "FACEID_ENDPOINT": "http://127.0.0.1:8081/release/face_id_card/post"}, "",
			func(c Config) bool { return c.Timeout == 2*time.Second && c.SignedHeaders == "date" }},
		{"key from file", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY_FILE": keyFile}, "",
			func(c Config) bool { return c.SecretKey.Reveal() == "file-secret" }},
		{"missing id", map[string]string{"FACEID_SECRET_KEY": "sk-98765"}, "FACEID_SECRET_ID", nil},
		{"set but empty key", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": ""}, "FACEID_SECRET_KEY", nil},
		{"set but blank id", map[string]string{"FACEID_SECRET_ID": "  ", "FACEID_SECRET_KEY": "sk-98765"}, "FACEID_SECRET_ID", nil},
		{"both key and file", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "sk-98765", "FACEID_SECRET_KEY_FILE": keyFile}, "FACEID_SECRET_KEY_FILE", nil},
		{"unreadable file", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY_FILE": keyFile + ".none"}, "FACEID_SECRET_KEY_FILE", nil},
		{"plain http off loopback", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "sk-98765", "FACEID_ENDPOINT": "http://example.com/x"}, "FACEID_ENDPOINT", nil},
		{"bad variant", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "sk-98765", "FACEID_SIGNED_HEADERS": "x-source"}, "FACEID_SIGNED_HEADERS", nil},
		{"bad duration", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "sk-98765", "FACEID_TIMEOUT": "soon"}, "FACEID_TIMEOUT", nil},
		{"thresholds out of order", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "sk-98765", "FACEID_UNCERTAIN_THRESHOLD": "0.5"}, "FACEID_SAME_THRESHOLD", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range os.Environ() {
				if name, _, _ := strings.Cut(k, "="); strings.HasPrefix(name, "FACEID_") {
					t.Setenv(name, "")
					os.Unsetenv(name)
				}
			}
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			c, err := FromEnv()
			if tc.wantKey == "" {
				if err != nil || !tc.check(c) {
					t.Fatalf("FromEnv = %+v, %v", c, err)
				}
				return
			}
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Key != tc.wantKey {
				t.Fatalf("FromEnv err = %v, want a ConfigError for %s", err, tc.wantKey)
			}
			if v := tc.env["FACEID_SECRET_KEY"]; v != "" && strings.Contains(err.Error(), v) {
				t.Fatalf("error shows the secret: %v", err)
			}
		})
	}
}

// A config may be printed or logged whole: the secret never shows.
func TestSecretNeverPrints(t *testing.T) {
	const secret = "s3cr3t-value-xyz"
	c := Config{SecretID: "id", SecretKey: secret}.WithDefaults()
	var sb strings.Builder
	log := slog.New(slog.NewJSONHandler(&sb, nil))
	log.Info("cfg", "config", c, "key", c.SecretKey)
	slog.New(slog.NewTextHandler(&sb, nil)).Info("cfg", "config", c)
	j, _ := json.Marshal(c)
	outs := []string{fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprintf("%s %v %x", c.SecretKey, c.SecretKey, c.SecretKey), string(j), sb.String()}
	for _, o := range outs {
		if strings.Contains(o, secret) {
			t.Errorf("secret printed: %s", o)
		}
	}
	if c.SecretKey.Reveal() != secret {
		t.Error("Reveal lost the value")
	}
}
