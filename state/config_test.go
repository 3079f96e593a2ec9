package state_test

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/state"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in      string
		kind    state.Kind
		shows   string // String(), password hidden
		wantErr string
	}{
		{in: "memory", kind: state.KindMemory, shows: "memory"},
		{in: " memory ", kind: state.KindMemory, shows: "memory"},
		{in: "dynamodb://faceid-state", kind: state.KindDynamoDB, shows: "dynamodb://faceid-state"},
		{in: "dynamodb://My.Table_1", kind: state.KindDynamoDB, shows: "dynamodb://My.Table_1"},
		{in: "redis://127.0.0.1:6379", kind: state.KindRedis, shows: "redis://127.0.0.1:6379"},
		{in: "redis://:s3cret@10.0.0.8:6379/2", kind: state.KindRedis, shows: "redis://:xxxxx@10.0.0.8:6379/2"},
		{in: "rediss://default:s3cret@crs-abc.redis.example:6380/0", kind: state.KindRedis,
			shows: "rediss://default:xxxxx@crs-abc.redis.example:6380/0"},
		{in: "redis://:s3cret@h/0?skip_verify=true", wantErr: "no query parameters"},
		{in: "redis://:s3cret@h/0?", wantErr: "no query parameters"},
		{in: "REDIS://h", kind: state.KindRedis, shows: "redis://h"},
		{in: "", wantErr: "is empty"},
		{in: "Memory!", wantErr: "unknown store"},
		{in: "postgres://u:s3cret@h/db", wantErr: "unknown store scheme"},
		{in: "dynamodb://", wantErr: "3-255 characters"},
		{in: "dynamodb://ab", wantErr: "3-255 characters"},
		{in: "dynamodb://" + strings.Repeat("t", 256), wantErr: "3-255 characters"},
		{in: "dynamodb://table/x", wantErr: "only letters"},
		{in: "dynamodb://arn:aws:dynamodb:x", wantErr: "only letters"},
		{in: "redis://", wantErr: "needs a host"},
		{in: "redis://:s3cret@", wantErr: "needs a host"},
		{in: "redis://h:0", wantErr: "port must be"},
		{in: "redis://h:99999", wantErr: "port must be"},
		{in: "redis://:s3cret@h/x", wantErr: "database number"},
		{in: "redis://:s3cret@h/1/2", wantErr: "database number"},
		{in: "redis://:s3cret@h/-1", wantErr: "database number"},
		{in: "redis://:s3cret@h#frag", wantErr: "fragment"},
		{in: "redis://:s3cret@h\x7f:1", wantErr: "cannot be parsed"},
		{in: "redis://u:s3cret@[::1", wantErr: "cannot be parsed"},
	} {
		cfg, err := state.Parse(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Parse(%q) = %v, %v; want an error containing %q", tc.in, cfg, err, tc.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "s3cret") {
				t.Errorf("Parse(%q): the error repeats the password: %v", tc.in, err)
			}
			continue
		}
		if err != nil || cfg.Kind != tc.kind || cfg.String() != tc.shows {
			t.Errorf("Parse(%q) = %v (%s), %v; want %s (%s)", tc.in, cfg.Kind, cfg, err, tc.kind, tc.shows)
		}
		if cfg.Shared() != (tc.kind != state.KindMemory) {
			t.Errorf("Parse(%q).Shared() = %v", tc.in, cfg.Shared())
		}
	}
}

// A Config logged whole, by slog or fmt, never shows the password.
func TestConfigHidesPassword(t *testing.T) {
	cfg, err := state.Parse("rediss://user:s3cret@h:6380/1")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	slog.New(slog.NewJSONHandler(&b, nil)).Info("configured", "state", cfg)
	fmt.Fprintf(&b, "%v %+v %s", cfg, cfg, cfg)
	if strings.Contains(b.String(), "s3cret") {
		t.Fatalf("the password was printed: %s", b.String())
	}
	if cfg.URL.User.Username() != "user" {
		t.Fatal("the URL lost its user")
	}
}

// No input makes Parse panic, and no error repeats a password.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"memory", "dynamodb://faceid-state", "redis://:pw@h:6379/0", "rediss://u:pw@h",
		"redis://[::1]:6379", "redis://:pw@h/x", "dynamodb://", "redis://%zz", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		cfg, err := state.Parse(s)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error")
			}
			if strings.Contains(s, ":pw@") && strings.Contains(err.Error(), "pw@") {
				t.Fatalf("Parse(%q): the error repeats the password: %v", s, err)
			}
			return
		}
		if cfg.Kind == state.KindRedis {
			if cfg.URL == nil || cfg.URL.Host == "" {
				t.Fatalf("Parse(%q) accepted a Redis URL without a host", s)
			}
			if p, ok := cfg.URL.User.Password(); ok && p != "" && p != "xxxxx" && strings.Contains(cfg.String(), ":"+p+"@") {
				t.Fatalf("Parse(%q).String() shows the password", s)
			}
		}
	})
}
