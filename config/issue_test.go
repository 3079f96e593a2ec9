package config

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/core"
)

// TestIssue: POST /uploads is off without FACEID_UPLOAD_BUCKET; with it,
// the MAC key is required and the durations are checked.
func TestIssue(t *testing.T) {
	const key = "0123456789abcdef0123456789abcdef"
	tests := []struct {
		name    string
		env     map[string]string
		wantKey string
		check   func(Settings) bool
	}{
		{"off", nil, "", func(s Settings) bool {
			return !s.Issuing() && s.Issue.URLTTL == 10*time.Minute && s.Issue.ResultURLTTL == time.Hour
		}},
		{"on", map[string]string{"FACEID_UPLOAD_BUCKET": "photos", "FACEID_UPLOAD_MAC_KEY": key, "FACEID_UPLOAD_URL_TTL": "5m",
			"FACEID_UPLOAD_REGION": "ap-guangzhou"}, "", func(s Settings) bool {
			return s.Issuing() && s.Issue.Bucket == "photos" && s.Issue.Region == "ap-guangzhou" && s.Issue.URLTTL == 5*time.Minute &&
				s.Upload.MACKey == key
		}},
		{"no MAC key", map[string]string{"FACEID_UPLOAD_BUCKET": "photos"}, "FACEID_UPLOAD_MAC_KEY", nil},
		{"blank MAC key", map[string]string{"FACEID_UPLOAD_BUCKET": "photos", "FACEID_UPLOAD_MAC_KEY": " "}, "FACEID_UPLOAD_MAC_KEY", nil},
		{"short MAC key", map[string]string{"FACEID_UPLOAD_MAC_KEY": "short"}, "FACEID_UPLOAD_MAC_KEY", nil},
		{"blank bucket", map[string]string{"FACEID_UPLOAD_BUCKET": ""}, "FACEID_UPLOAD_BUCKET", nil},
		{"bad duration", map[string]string{"FACEID_UPLOAD_BUCKET": "photos", "FACEID_UPLOAD_MAC_KEY": key, "FACEID_UPLOAD_URL_TTL": "ten"},
			"FACEID_UPLOAD_URL_TTL", nil},
		{"result shorter than upload", map[string]string{"FACEID_UPLOAD_BUCKET": "photos", "FACEID_UPLOAD_MAC_KEY": key,
			"FACEID_RESULT_URL_TTL": "1m"}, "FACEID_RESULT_URL_TTL", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			setEnv(t, withKeys(tt.env))
			s, err := Load()
			var ce *core.ConfigError
			switch {
			case tt.wantKey != "" && (!errors.As(err, &ce) || ce.Key != tt.wantKey):
				t.Fatalf("Load() = %v, want a ConfigError on %s", err, tt.wantKey)
			case tt.wantKey == "" && (err != nil || !tt.check(s)):
				t.Fatalf("Load() = %+v, %v", s.Issue, err)
			}
			if err != nil && strings.Contains(err.Error(), key) {
				t.Error("the error repeats the key")
			}
		})
	}
}
