package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/core/hmacauth"
	"github.com/faceid-verify/faceid/internal/specsample"
	"github.com/faceid-verify/faceid/internal/syncbuf"
)

// startLocal runs the local function on a free port with the embedded
// sandbox and returns its base URL and what it printed.
func startLocal(t *testing.T, env map[string]string) (string, *syncbuf.Buffer, *syncbuf.Buffer) {
	t.Helper()
	for _, k := range []string{"FACEID_ENDPOINT", "FACEID_SECRET_ID", "FACEID_SECRET_KEY", "FACEID_CLIENT_KEYS",
		"FACEID_SIGNATURE", "FACEID_SIGNED_HEADERS"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("FACEID_ADDR", "127.0.0.1:0")
	t.Setenv("FACEID_S3_ADDR", "127.0.0.1:0")
	for k, v := range env {
		t.Setenv(k, v)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	stdout, stderr := &syncbuf.Buffer{}, &syncbuf.Buffer{}
	go func() { done <- run(ctx, stdout, stderr, ready) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
	})
	select {
	case addr := <-ready:
		return "http://" + addr, stdout, stderr
	case err := <-done:
		t.Fatalf("run ended early: %v\n%s", err, stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatal("local function did not start")
	}
	return "", nil, nil
}

func TestRunPrintsAWorkingExample(t *testing.T) {
	base, stdout, stderr := startLocal(t, nil)
	if !strings.Contains(stdout.String(), "curl -s "+base+"/verify") {
		t.Fatalf("no example request printed:\n%s", stdout.String())
	}
	first, _, _ := strings.Cut(stderr.String(), "\n")
	if !strings.Contains(first, "sandbox") || !strings.Contains(first, "NOT the real service") {
		t.Fatalf("first log line does not say it is the sandbox: %s", first)
	}
	// Run the printed command as a user would paste it (from the repo root).
	cmdText := stdout.String()[strings.Index(stdout.String(), "curl -s"):]
	cmdText, _, _ = strings.Cut(cmdText, "\n\n") // the first example alone
	cmdText = strings.TrimSpace(strings.ReplaceAll(cmdText, "\\\n", " "))
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	cmd := exec.Command("bash", "-c", cmdText)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("example failed: %v", err)
	}
	wantPassed(t, out)
}

// wantPassed fails t unless out is the function's answer for a passed
// verification.
func wantPassed(t *testing.T, out []byte) {
	t.Helper()
	var env struct {
		Code int `json:"code"`
		Data struct {
			Passed bool `json:"passed"`
		} `json:"data"`
	}
	if err := json.Unmarshal(out, &env); err != nil || env.Code != 200 || !env.Data.Passed {
		t.Fatalf("answer %s (%v), want a passed verification", out, err)
	}
}

// The product page's Python client calls the function in drop-in mode by
// changing only its URL and key pair.
func TestPythonSampleAgainstDropIn(t *testing.T) {
	spec, err := specsample.Load()
	if err != nil {
		t.Skipf("the Python sample cannot run: %v", err)
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	base, _, stderr := startLocal(t, map[string]string{"FACEID_CLIENT_KEYS": "app-id:app-secret"})
	jpeg, err := os.ReadFile("../../testdata/photos/small-320x240.jpg")
	if err != nil {
		t.Fatal(err)
	}
	run := func(secret string) ([]byte, error) {
		src, err := specsample.Python(spec, specsample.Values{BaseURL: base, SecretID: "app-id", SecretKey: secret,
			IDCard: "110101199003070011", Name: "张三", Image: base64.StdEncoding.EncodeToString(jpeg)})
		if err != nil {
			t.Fatal(err)
		}
		script := filepath.Join(t.TempDir(), "sample.py")
		os.WriteFile(script, []byte(src), 0o600)
		return exec.Command(python, script).CombinedOutput()
	}
	out, err := run("app-secret")
	if err != nil {
		t.Fatalf("sample: %v\n%s", err, out)
	}
	var env struct {
		Code int `json:"code"`
		Data struct {
			Incorrect int  `json:"incorrect"`
			Passed    bool `json:"passed"`
		} `json:"data"`
	}
	if err := json.Unmarshal(out, &env); err != nil || env.Code != 200 || env.Data.Incorrect != 100 || !env.Data.Passed {
		t.Fatalf("sample printed %s (%v)", out, err)
	}
	// The wrong secret is refused like the gateway refuses it.
	out, err = run("wrong-secret")
	if err == nil || !strings.Contains(string(out), "403") {
		t.Fatalf("wrong key: err %v, output %s", err, out)
	}
	if strings.Contains(stderr.String(), "app-secret") || strings.Contains(stderr.String(), "110101199003070011") {
		t.Fatal("a secret or raw ID reached the logs")
	}
	resp, err := http.Get(base + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v", err)
	}
	resp.Body.Close()
	// What was spent shows in /metrics, to signed callers in drop-in
	// mode, and in the per-request metric lines.
	resp, err = http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("unsigned /metrics in drop-in mode: %d, want 401", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", base+"/metrics", nil)
	hmacauth.Sign(req.Header, hmacauth.Credentials{SecretID: "app-id", SecretKey: "app-secret", Source: "market", Variant: hmacauth.XDate}, time.Now())
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	prom, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`faceid_upstream_calls_total{outcome="passed"} 1`, "faceid_possibly_billed_calls_total 1", "faceid_billed_calls_total 1", "faceid_billed_yuan_total 1"} {
		if !strings.Contains(string(prom), want) {
			t.Errorf("/metrics lacks %q:\n%s", want, prom)
		}
	}
	if !strings.Contains(stderr.String(), `"msg":"metrics"`) {
		t.Error("no metric line logged")
	}
}

// A FACEID_CLIENT_KEYS set but blank or broken refuses to start: it would
// otherwise serve unsigned requests.
func TestClientKeysFailClosed(t *testing.T) {
	for _, v := range []string{"", " ", ",", "client-id", "${env:FACEID_CLIENT_KEYS}"} {
		err := runFails(t, map[string]string{"FACEID_CLIENT_KEYS": v})
		if err == nil || !strings.Contains(err.Error(), "FACEID_CLIENT_KEYS") {
			t.Errorf("%q: run = %v, want a refusal naming FACEID_CLIENT_KEYS", v, err)
		}
	}
}

// TestRetiringGatewayWarning: calls to the built-in default address (the
// legacy gateway) get one startup warning; the embedded sandbox none.
func TestRetiringGatewayWarning(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want int
	}{
		{"embedded sandbox", nil, 0},
		{"default address", map[string]string{"FACEID_ENDPOINT": core.DefaultEndpoint,
			"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "key"}, 1},
		{"new gateway", map[string]string{"FACEID_ENDPOINT": "https://ap-shanghai.cloudmarket-apigw.com/service-abcd1234/face_id_card/post",
			"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "key"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, stderr := startLocal(t, tc.env)
			if got := strings.Count(stderr.String(), "retires in batches from 2026-10-30"); got != tc.want {
				t.Errorf("%d retirement warnings, want %d:\n%s", got, tc.want, stderr.String())
			}
		})
	}
}

// TestEmbeddedSandboxCloudMarket: FACEID_SIGNATURE=cloudmarket signs for
// the new gateway, and the embedded sandbox is served on its path.
func TestEmbeddedSandboxCloudMarket(t *testing.T) {
	for _, sig := range []string{"cloudmarket", "x-date"} {
		t.Run(sig, func(t *testing.T) {
			base, _, stderr := startLocal(t, map[string]string{"FACEID_SIGNATURE": sig})
			jpeg, err := os.ReadFile("../../testdata/photos/small-320x240.jpg")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := json.Marshal(map[string]string{"name": "张三", "idcard": "110101199003070011",
				"image": base64.StdEncoding.EncodeToString(jpeg)})
			resp, err := http.Post(base+"/verify", "application/json", strings.NewReader(string(body)))
			if err != nil {
				t.Fatal(err)
			}
			out, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			wantPassed(t, out)
			wantPath := map[string]string{"cloudmarket": "/service-sandbox1/face_id_card/post", "x-date": "/release/face_id_card/post"}[sig]
			if !strings.Contains(stderr.String(), wantPath) {
				t.Errorf("the embedded sandbox is not on %s:\n%s", wantPath, stderr.String())
			}
		})
	}
}
