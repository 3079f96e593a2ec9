package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/internal/cleanenv"
	"github.com/faceid-verify/faceid/internal/syncbuf"
	"github.com/faceid-verify/faceid/sandbox"
)

// A FACEID_CLIENT_KEYS that is set but blank or broken stops the function
// (HTTP answers 503, uploads fail) instead of serving unsigned requests;
// unset, the same request is served and paid for.
func TestClientKeysFailClosed(t *testing.T) {
	sb := sandbox.New(sandbox.Config{})
	up := httptest.NewServer(sb)
	t.Cleanup(func() { sb.Close(); up.Close() })
	photo, err := os.ReadFile("../../testdata/photos/small-320x240.jpg")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]string{"name": "张三", "idcard": photoID,
		"image": base64.StdEncoding.EncodeToString(photo)})
	urlEvent, _ := json.Marshal(map[string]any{
		"httpMethod": "POST", "path": "/verify", "body": string(body), "queryString": map[string]any{},
		"headers": map[string]string{"content-type": "application/json",
			"host": "1250000000-abcdefgh12.ap-guangzhou.tencentscf.com"},
	})
	env := func(t *testing.T) {
		cleanenv.Set(t, map[string]string{"FACEID_ENDPOINT": up.URL + "/release/face_id_card/post",
			"FACEID_SECRET_ID": sandbox.DefaultSecretID, "FACEID_SECRET_KEY": sandbox.DefaultSecretKey}, "FACEID_")
	}
	status := func(t *testing.T, a *app) int {
		out, err := a.Invoke(context.Background(), urlEvent)
		if err != nil {
			t.Fatal(err)
		}
		var resp struct {
			StatusCode int `json:"statusCode"`
		}
		json.Unmarshal(out, &resp)
		return resp.StatusCode
	}
	for _, v := range []string{"", " ", ",", "client-id", "client-id:", "${env:FACEID_CLIENT_KEYS}"} {
		t.Run(v, func(t *testing.T) {
			env(t)
			t.Setenv("FACEID_CLIENT_KEYS", v)
			logs := &syncbuf.Buffer{}
			log := slog.New(slog.NewJSONHandler(logs, nil))
			b := fromEnv(log)
			if _, err := b.pipeline(context.Background()); err == nil || !strings.Contains(err.Error(), "FACEID_CLIENT_KEYS") {
				t.Errorf("pipeline built: %v", err)
			}
			before := sb.Stats().Received
			if got := status(t, newApp(log, b)); got != 503 {
				t.Errorf("status %d, want 503", got)
			}
			if n := sb.Stats().Received - before; n != 0 {
				t.Errorf("the upstream saw %d requests", n)
			}
			if !strings.Contains(logs.String(), "FACEID_CLIENT_KEYS") {
				t.Errorf("the log does not name the variable:\n%s", logs)
			}
		})
	}
	t.Run("unset", func(t *testing.T) {
		env(t)
		before := sb.Stats().Billable
		if got := status(t, newApp(slog.New(slog.DiscardHandler), fromEnv(slog.New(slog.DiscardHandler)))); got != 200 {
			t.Errorf("status %d, want 200", got)
		}
		if n := sb.Stats().Billable - before; n != 1 {
			t.Errorf("billed %d, want 1", n)
		}
	})
}

// FACEID_UPLOAD_BUCKET turns on POST /uploads with addresses signed for
// COS; without FACEID_UPLOAD_MAC_KEY the HTTP handler is not built and
// callers get 503, never unticketed addresses.
func TestUploadsWiring(t *testing.T) {
	env := func(t *testing.T) {
		cleanenv.Set(t, map[string]string{
			"FACEID_ENDPOINT": "http://127.0.0.1:1/release/face_id_card/post", "FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "key",
			"TENCENTCLOUD_SECRETID": "role-id", "TENCENTCLOUD_SECRETKEY": "role-key", "TENCENTCLOUD_SESSIONTOKEN": "role-token",
			"FACEID_UPLOAD_BUCKET": "photos-1250000000",
		}, "FACEID_", "TENCENTCLOUD_")
	}
	post := func(t *testing.T) (int, string) {
		ev, _ := json.Marshal(map[string]any{
			"httpMethod": "POST", "path": "/uploads", "queryString": map[string]any{},
			"body":    `{"name":"张三","idcard":"110101199003070011"}`,
			"headers": map[string]string{"content-type": "application/json", "host": "1250000000-abcdefgh12.ap-guangzhou.tencentscf.com"},
		})
		logs := &syncbuf.Buffer{}
		log := slog.New(slog.NewJSONHandler(logs, nil))
		out, err := newApp(log, fromEnv(log)).Invoke(context.Background(), ev)
		if err != nil {
			t.Fatal(err)
		}
		var resp struct {
			StatusCode int    `json:"statusCode"`
			Body       string `json:"body"`
		}
		json.Unmarshal(out, &resp)
		if strings.Contains(logs.String(), "role-key") {
			t.Error("the role's key was logged")
		}
		return resp.StatusCode, resp.Body + logs.String()
	}
	t.Run("no MAC key", func(t *testing.T) {
		env(t)
		t.Setenv("FACEID_UPLOAD_REGION", "ap-guangzhou")
		if st, out := post(t); st != 503 || !strings.Contains(out, "FACEID_UPLOAD_MAC_KEY") {
			t.Fatalf("%d %s", st, out)
		}
	})
	t.Run("no region", func(t *testing.T) {
		env(t)
		t.Setenv("FACEID_UPLOAD_MAC_KEY", "0123456789abcdef0123456789abcdef")
		if st, out := post(t); st != 503 || !strings.Contains(out, "FACEID_UPLOAD_REGION") {
			t.Fatalf("%d %s", st, out)
		}
	})
	t.Run("on", func(t *testing.T) {
		env(t)
		t.Setenv("FACEID_UPLOAD_REGION", "ap-guangzhou")
		t.Setenv("FACEID_UPLOAD_MAC_KEY", "0123456789abcdef0123456789abcdef")
		st, out := post(t)
		if st != 200 || !strings.Contains(out, `"upload_url":"https://photos-1250000000.cos.ap-guangzhou.myqcloud.com/uploads/issued/`) ||
			!strings.Contains(out, "x-cos-security-token=role-token") || !strings.Contains(out, `"X-Cos-Meta-Faceid-Ticket":"v1;`) {
			t.Fatalf("%d %s", st, out)
		}
	})
}
