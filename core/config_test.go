package core

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/core/hmacauth"
)

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
		if got := c.usesRetiringDefault(); got != tc.want {
			t.Errorf("%q: UsesRetiringDefault = %v", tc.endpoint, got)
		}
		logged := strings.Contains(sb.String(), `"level":"WARN"`) && strings.Contains(sb.String(), "2026-10-30") &&
			strings.Contains(sb.String(), "FACEID_ENDPOINT") && strings.Count(sb.String(), "\n") == 1
		if logged != tc.want {
			t.Errorf("%q: logged %q", tc.endpoint, sb.String())
		}
	}
}
