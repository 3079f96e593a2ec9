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

	"github.com/faceid-verify/faceid/core/hmacauth"
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
			return c.Endpoint == DefaultEndpoint && c.Source == "market" && c.Signature == "auto" &&
				c.SignatureVariant() == hmacauth.XDate &&
				c.MaxImageBytes == 3<<20 && c.SameThreshold == 0.45 && c.UncertainThreshold == 0.40
		}},
		{"overrides", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "sk-98765", "FACEID_TIMEOUT": "2s",
			"FACEID_SIGNED_HEADERS": "date", "FACEID_ENDPOINT": "http://127.0.0.1:8081/release/face_id_card/post"}, "",
			func(c Config) bool {
				return c.Timeout == 2*time.Second && c.Signature == "date" && c.SignatureVariant() == hmacauth.Date
			}},
		{"auto on the new gateway", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "sk-98765",
			"FACEID_ENDPOINT": "https://ap-shanghai.cloudmarket-apigw.com/service-abcd1234/face_id_card/post"}, "",
			func(c Config) bool { return c.Signature == "auto" && c.SignatureVariant() == hmacauth.CloudMarket }},
		{"signature set", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "sk-98765", "FACEID_SIGNATURE": "cloudmarket"}, "",
			func(c Config) bool { return c.SignatureVariant() == hmacauth.CloudMarket }},
		{"old and new name agree", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "sk-98765",
			"FACEID_SIGNATURE": "x-date", "FACEID_SIGNED_HEADERS": "x-date"}, "",
			func(c Config) bool { return c.SignatureVariant() == hmacauth.XDate }},
		{"old and new name disagree", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "sk-98765",
			"FACEID_SIGNATURE": "cloudmarket", "FACEID_SIGNED_HEADERS": "x-date"}, "FACEID_SIGNED_HEADERS", nil},
		{"bad signature", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "sk-98765", "FACEID_SIGNATURE": "hmac"}, "FACEID_SIGNATURE", nil},
		{"signature is case-sensitive", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "sk-98765", "FACEID_SIGNATURE": "CloudMarket"}, "FACEID_SIGNATURE", nil},
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

func TestSignatureVariant(t *testing.T) {
	tests := []struct {
		signature, endpoint string
		want                hmacauth.Variant
	}{
		{"auto", "https://ap-shanghai.cloudmarket-apigw.com/service-abcd1234/face_id_card/post", hmacauth.CloudMarket},
		{"auto", "https://ap-guangzhou.cloudmarket-apigw.com/service-abcd1234/face_id_card/post", hmacauth.CloudMarket},
		{"auto", "https://AP-BEIJING.CloudMarket-APIGW.com./service-abcd1234/face_id_card/post", hmacauth.CloudMarket},
		{"auto", "https://ap-shanghai.cloudmarket-apigw.com:443/service-abcd1234/face_id_card/post", hmacauth.CloudMarket},
		{"auto", DefaultEndpoint, hmacauth.XDate},
		{"auto", "http://127.0.0.1:8081/service-abcd1234/face_id_card/post", hmacauth.XDate},
		{"auto", "https://cloudmarket-apigw.com/service-abcd1234/face_id_card/post", hmacauth.XDate}, // not a subdomain
		{"auto", "https://evilcloudmarket-apigw.com/x", hmacauth.XDate},
		{"auto", "https://ap-shanghai.cloudmarket-apigw.com.example.com/x", hmacauth.XDate},
		{"", DefaultEndpoint, hmacauth.XDate},
		{"cloudmarket", "http://127.0.0.1:8081/service-abcd1234/face_id_card/post", hmacauth.CloudMarket},
		{"x-date", "https://ap-shanghai.cloudmarket-apigw.com/service-abcd1234/face_id_card/post", hmacauth.XDate},
		{"date", DefaultEndpoint, hmacauth.Date},
	}
	for _, tc := range tests {
		c := Config{Signature: tc.signature, Endpoint: tc.endpoint}
		if got := c.SignatureVariant(); got != tc.want {
			t.Errorf("Signature %q, endpoint %s: %s, want %s", tc.signature, tc.endpoint, got, tc.want)
		}
	}
}

func TestRetiringDefaultWarning(t *testing.T) {
	tests := []struct {
		endpoint string
		want     bool
	}{
		{"", true}, // the default
		{DefaultEndpoint, true},
		{"https://SERVICE-NDQ49QVJ-1256140209.ap-shanghai.apigateway.myqcloud.com/test/face_id_card/post", true},
		{"https://ap-shanghai.cloudmarket-apigw.com/service-abcd1234/face_id_card/post", false},
		{"https://service-abcd1234-1250000000.ap-beijing.apigateway.myqcloud.com/release/face_id_card/post", false},
		{"http://127.0.0.1:8081/release/face_id_card/post", false},
	}
	for _, tc := range tests {
		c := Config{SecretID: "id", SecretKey: "k", Endpoint: tc.endpoint}.WithDefaults()
		var sb strings.Builder
		WarnIfRetiringDefault(slog.New(slog.NewJSONHandler(&sb, nil)), c)
		if got := c.UsesRetiringDefault(); got != tc.want {
			t.Errorf("%q: UsesRetiringDefault = %v", tc.endpoint, got)
		}
		logged := strings.Contains(sb.String(), `"level":"WARN"`) && strings.Contains(sb.String(), "2026-10-30") &&
			strings.Contains(sb.String(), "FACEID_ENDPOINT") && strings.Count(sb.String(), "\n") == 1
		if logged != tc.want {
			t.Errorf("%q: logged %q", tc.endpoint, sb.String())
		}
	}
}
