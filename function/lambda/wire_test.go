package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/internal/cleanenv"
)

// baseEnv is extra plus what every wiring test sets: an upstream that
// never answers, a key pair, and an AWS SDK that reads no file.
func baseEnv(extra map[string]string) map[string]string {
	env := map[string]string{
		"FACEID_ENDPOINT": "http://127.0.0.1:1/release/face_id_card/post", "FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "key",
		"AWS_REGION": "us-east-1", "AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

// A FACEID_CLIENT_KEYS that is set but blank or broken fails the init
// phase (main exits) instead of serving unsigned requests.
func TestClientKeysFailClosed(t *testing.T) {
	env := func(t *testing.T) { cleanenv.Set(t, baseEnv(nil), "FACEID_", "AWS_") }
	log := slog.New(slog.DiscardHandler)
	for _, v := range []string{"", " ", ",", "client-id", "client-id:", "${env:FACEID_CLIENT_KEYS}",
		"{{resolve:secretsmanager:faceid/upstream:SecretString:client_keys}}"} {
		t.Run(v, func(t *testing.T) {
			env(t)
			t.Setenv("FACEID_CLIENT_KEYS", v)
			if a, err := fromEnv(context.Background(), log); err == nil || !strings.Contains(err.Error(), "FACEID_CLIENT_KEYS") {
				t.Fatalf("fromEnv = %v, %v: want an error naming FACEID_CLIENT_KEYS", a, err)
			}
		})
	}
	// Set and valid, callers must sign: an unsigned request gets the
	// gateway's 401 before anything else happens.
	t.Run("valid", func(t *testing.T) {
		env(t)
		t.Setenv("FACEID_CLIENT_KEYS", "client-id:client-secret")
		a, err := fromEnv(context.Background(), log)
		if err != nil {
			t.Fatal(err)
		}
		ev, _ := json.Marshal(map[string]any{
			"version": "2.0", "rawPath": "/verify", "headers": map[string]string{"content-type": "application/json"},
			"requestContext": map[string]any{"domainName": "abc.lambda-url.us-east-1.on.aws",
				"http": map[string]any{"method": "POST", "path": "/verify"}},
			"body": `{"name":"张三","idcard":"110101199003070011","url":"https://example.com/p.jpg"}`,
		})
		out, err := a.Invoke(context.Background(), ev)
		if err != nil || !strings.Contains(string(out), `"statusCode":401`) {
			t.Fatalf("unsigned request: %s, %v", out, err)
		}
	})
}

// The SAM stack's FACEID_STATE names a DynamoDB table, reached where the
// AWS SDK's settings say (AWS_ENDPOINT_URL_DYNAMODB here): one that does
// not answer fails the init phase, and the error names the setting.
func TestStateStoreUnreachableFailsInit(t *testing.T) {
	cleanenv.Set(t, baseEnv(map[string]string{
		"FACEID_STATE": "dynamodb://faceid-state", "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:1", "AWS_MAX_ATTEMPTS": "1",
		"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
	}), "FACEID_", "AWS_")
	a, err := fromEnv(context.Background(), slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "FACEID_STATE=dynamodb://faceid-state") || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Fatalf("fromEnv = %v, %v: want an error naming the store and where it was sought", a, err)
	}
}

// FACEID_UPLOAD_BUCKET turns on POST /uploads, which then needs
// FACEID_UPLOAD_MAC_KEY: without one, or with a blank or short one, the
// init phase fails.
func TestUploadsWiring(t *testing.T) {
	env := func(t *testing.T) {
		cleanenv.Set(t, baseEnv(map[string]string{"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}), "FACEID_", "AWS_")
	}
	log := slog.New(slog.DiscardHandler)
	post := func(t *testing.T, a *app) (int, string) {
		ev, _ := json.Marshal(map[string]any{
			"version": "2.0", "rawPath": "/uploads", "headers": map[string]string{"content-type": "application/json"},
			"requestContext": map[string]any{"domainName": "abc.lambda-url.us-east-1.on.aws",
				"http": map[string]any{"method": "POST", "path": "/uploads"}},
			"body": `{"name":"张三","idcard":"110101199003070011"}`,
		})
		out, err := a.Invoke(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		var resp struct {
			StatusCode int    `json:"statusCode"`
			Body       string `json:"body"`
		}
		json.Unmarshal(out, &resp)
		return resp.StatusCode, resp.Body
	}
	for _, v := range []string{"", " ", "short", "${env:FACEID_UPLOAD_MAC_KEY}"} {
		t.Run("MAC key "+v, func(t *testing.T) {
			env(t)
			t.Setenv("FACEID_UPLOAD_BUCKET", "photos")
			if v != "" {
				t.Setenv("FACEID_UPLOAD_MAC_KEY", v)
			}
			if _, err := fromEnv(context.Background(), log); err == nil || !strings.Contains(err.Error(), "FACEID_UPLOAD_MAC_KEY") {
				t.Fatalf("fromEnv = %v: want an error naming FACEID_UPLOAD_MAC_KEY", err)
			}
		})
	}
	t.Run("on", func(t *testing.T) {
		env(t)
		t.Setenv("FACEID_UPLOAD_BUCKET", "photos")
		t.Setenv("FACEID_UPLOAD_MAC_KEY", "0123456789abcdef0123456789abcdef")
		a, err := fromEnv(context.Background(), log)
		if err != nil {
			t.Fatal(err)
		}
		st, body := post(t, a)
		if st != 200 || !strings.Contains(body, `"upload_url":"https://photos.s3.us-east-1.amazonaws.com/uploads/issued/`) {
			t.Fatalf("POST /uploads: %d %s", st, body)
		}
	})
	t.Run("off", func(t *testing.T) {
		env(t)
		a, err := fromEnv(context.Background(), log)
		if err != nil {
			t.Fatal(err)
		}
		if st, body := post(t, a); st != 404 {
			t.Fatalf("POST /uploads without FACEID_UPLOAD_BUCKET: %d %s", st, body)
		}
	})
}
