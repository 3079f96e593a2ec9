package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/core/hmacauth"
	"github.com/faceid-verify/faceid/internal/proctest"
	"github.com/faceid-verify/faceid/sandbox"
	"github.com/faceid-verify/faceid/state"
	"github.com/faceid-verify/faceid/state/statetest"
)

// Two instances of the function are two processes sharing one store and
// one upstream (the sandbox, whose billable counter is what the real
// service would charge). Each shared store is tested: Redis and a
// DynamoDB-compatible server.
func TestSharedStateAcrossInstances(t *testing.T) {
	bin := proctest.GoBuild(t, "local", ".")
	photo, err := os.ReadFile("../../testdata/photos/small-320x240.jpg")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]string{"idcard": "110101199003070011", "name": "张三",
		"image": base64.StdEncoding.EncodeToString(photo)})

	backends := []struct {
		name  string
		start func(t *testing.T) (env map[string]string, stop func())
	}{
		{"redis", func(t *testing.T) (map[string]string, func()) {
			srv := statetest.StartRedis(t)
			return map[string]string{"FACEID_STATE": "redis://" + srv.Addr}, srv.Stop
		}},
		{"dynamodb", func(t *testing.T) (map[string]string, func()) {
			srv := statetest.StartMoto(t)
			srv.SetEnv(t)
			if err := statetest.CreateDynamoTable(context.Background(), "faceid-state"); err != nil {
				t.Fatal(err)
			}
			env := map[string]string{"FACEID_STATE": "dynamodb://faceid-state"}
			for k, v := range srv.Env {
				env[k] = v
			}
			return env, srv.Stop
		}},
	}
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			storeEnv, stopStore := be.start(t)
			sb := sandbox.New(sandbox.Config{})
			up := httptest.NewServer(sb)
			t.Cleanup(func() { sb.Close(); up.Close() })
			env := map[string]string{
				"FACEID_ENDPOINT":  up.URL + "/release/face_id_card/post",
				"FACEID_SECRET_ID": sandbox.DefaultSecretID, "FACEID_SECRET_KEY": sandbox.DefaultSecretKey,
			}
			for k, v := range storeEnv {
				env[k] = v
			}
			pair := func(budget int, clientKeys string) [2]string {
				env["FACEID_DAILY_BUDGET"] = strconv.Itoa(budget)
				if clientKeys != "" {
					env["FACEID_CLIENT_KEYS"] = clientKeys
					defer delete(env, "FACEID_CLIENT_KEYS")
				}
				return [2]string{startInstance(t, bin, env), startInstance(t, bin, env)}
			}
			send := func(base, key string) (int, map[string]any) {
				return post(t, base+"/verify", key, body, nil)
			}

			// First, while the day's counter is fresh: a budget of N for
			// both instances together, 3N requests at once.
			const n = 4
			budgeted := pair(n, "")
			var mu sync.Mutex
			statuses := map[int]int{}
			var wg sync.WaitGroup
			for i := range 3 * n {
				wg.Go(func() {
					status, _ := send(budgeted[i%2], "")
					mu.Lock()
					statuses[status]++
					mu.Unlock()
				})
			}
			wg.Wait()
			if got := sb.Stats().Billable; got != n || statuses[200] != n || statuses[429] != 2*n {
				t.Fatalf("budget of %d over two instances: %d billable, answers %v", n, got, statuses)
			}

			free := pair(0, "")
			// Drop-in mode: callers sign as for the gateway.
			signing := pair(0, "app-id:app-secret")
			signed := func(b []byte) http.Header {
				h := http.Header{}
				hmacauth.Sign(h, hmacauth.Credentials{SecretID: "app-id", SecretKey: "app-secret", Source: "market",
					Variant: hmacauth.XDate}, time.Now())
				return h
			}
			t.Run("one key, one instance after the other", func(t *testing.T) {
				sb.ResetStats()
				s1, b1 := send(free[0], "order-1")
				s2, b2 := send(free[1], "order-1")
				if s1 != 200 || s2 != 200 || fmt.Sprint(b1) != fmt.Sprint(b2) {
					t.Fatalf("first %d %v\nsecond %d %v", s1, b1, s2, b2)
				}
				if got := sb.Stats().Billable; got != 1 {
					t.Fatalf("%d billable, want 1", got)
				}
			})
			t.Run("one key, both instances at once", func(t *testing.T) {
				sb.ResetStats()
				var wg sync.WaitGroup
				for i := range 6 {
					wg.Go(func() {
						if s, b := send(free[i%2], "order-2"); s != 200 {
							t.Errorf("%d %v", s, b)
						}
					})
				}
				wg.Wait()
				if got := sb.Stats().Billable; got != 1 {
					t.Fatalf("%d billable, want 1", got)
				}
			})
			t.Run("one drop-in signature replayed on the other instance", func(t *testing.T) {
				sb.ResetStats()
				sig := signed(body)
				s1, b1 := post(t, signing[0]+"/verify", "", body, sig)
				// Captured and sent with another request to the other
				// instance, which has not seen it: refused there too.
				other, _ := json.Marshal(map[string]string{"idcard": "130102197809210037", "name": "王五", "url": "https://example.com/p.jpg"})
				if s, b := post(t, signing[1]+"/verify", "", other, sig); s != http.StatusForbidden {
					t.Fatalf("another body under the same signature: %d %v", s, b)
				}
				// Retried as it was: the first answer, without paying.
				s2, b2 := post(t, signing[1]+"/verify", "", body, sig)
				if s1 != 200 || s2 != 200 || fmt.Sprint(b1) != fmt.Sprint(b2) {
					t.Fatalf("first %d %v\nreplayed %d %v", s1, b1, s2, b2)
				}
				if got := sb.Stats().Billable; got != 1 {
					t.Fatalf("%d billable, want 1", got)
				}
			})
			t.Run("store down", func(t *testing.T) {
				stopStore()
				sb.ResetStats()
				for _, c := range []struct {
					base, key, guard string
					header           http.Header
				}{
					{free[0], "order-3", "Idempotency-Key", nil}, {budgeted[1], "", "daily budget", nil},
					{signing[0], "", "drop-in replay memory", signed(body)},
				} {
					s, b := post(t, c.base+"/verify", c.key, body, c.header)
					info, _ := b["error"].(map[string]any)
					if s != 503 || info["kind"] != "state_unavailable" || info["may_have_charged"] != false {
						t.Errorf("%s with the store down: %d %v", c.guard, s, b)
					}
				}
				if got := sb.Stats().Received; got != 0 {
					t.Fatalf("the upstream received %d requests with the store down", got)
				}
			})
		})
	}
}

// startInstance runs the local function on a free port with env and
// nothing else of this machine's FACEID_ or AWS_ settings, and waits for
// it to serve.
func startInstance(t *testing.T, bin string, env map[string]string) string {
	t.Helper()
	addr := "127.0.0.1:" + strconv.Itoa(proctest.FreePort(t))
	cmd := exec.Command(bin)
	cmd.Dir = t.TempDir()
	// The upload store on a port of its own choosing: the default, the
	// next port up, may be the other instance's or any process's.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "FACEID_ADDR=" + addr, "FACEID_S3_ADDR=127.0.0.1:0"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out := proctest.Start(t, cmd)
	base := "http://" + addr
	proctest.WaitUntil(t, "instance", out, func() error {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err
	})
	return base
}

// post sends a JSON verification, with an Idempotency-Key when key is set
// and the headers in h (a drop-in signature).
func post(t *testing.T, url, key string, body []byte, h http.Header) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	for k, v := range h {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("POST %s: %v", url, err)
		return 0, nil
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Errorf("POST %s: %d %s", url, resp.StatusCode, raw)
	}
	return resp.StatusCode, m
}

// A store that is configured but unreachable stops the start, naming it
// without its password.
func TestStartRefusedWithTheStoreDown(t *testing.T) {
	for _, k := range []string{"FACEID_ENDPOINT", "FACEID_SECRET_ID", "FACEID_SECRET_KEY", "FACEID_CLIENT_KEYS"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("FACEID_ADDR", "127.0.0.1:0")
	t.Setenv("FACEID_STATE", "redis://:s3cret@127.0.0.1:1/0")
	var stderr bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err := run(ctx, io.Discard, &stderr, nil)
	if !state.IsUnavailable(err) {
		t.Fatalf("run = %v, want a state store error", err)
	}
	if bytes.Contains([]byte(err.Error()+stderr.String()), []byte("s3cret")) {
		t.Fatalf("the password was printed: %v\n%s", err, stderr.String())
	}
}
