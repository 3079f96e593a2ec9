package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
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

	"github.com/faceid-verify/faceid/internal/proctest"
	"github.com/faceid-verify/faceid/internal/specsample"
	"github.com/faceid-verify/faceid/sandbox"
)

// TestPythonSampleInterop runs the product page's own Python sample client,
// read from the spec at test time and changed only in its URL, keys and
// body values, against the standalone sandbox binary.
func TestPythonSampleInterop(t *testing.T) {
	root := proctest.RepoRoot(t)
	spec, err := specsample.Load()
	if err != nil {
		t.Skipf("the Python sample cannot run: %v", err)
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed; the Python sample client cannot run")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()

	bin := proctest.GoBuild(t, "sandbox", ".")
	caFile := filepath.Join(dir, "ca.pem")
	// HTTPS, as in the sample; it turns certificate checks off itself.
	url, stop := startBinary(t, bin, "-addr", "127.0.0.1:0", "-tls", "-tls-ca-out", caFile)
	defer stop()

	jpeg, err := os.ReadFile(filepath.Join(root, "testdata", "photos", "small-320x240.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	sample, err := specsample.Python(spec, specsample.Values{
		BaseURL: url, SecretID: sandbox.DefaultSecretID, SecretKey: sandbox.DefaultSecretKey,
		IDCard: "110101199003070011", Name: "张三", Image: base64.StdEncoding.EncodeToString(jpeg),
	})
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(dir, "sample.py")
	if err := os.WriteFile(script, []byte(sample), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, python, script)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3 sample.py: %v\nstderr:\n%s", err, stderr.String())
	}
	var env struct {
		Code    int  `json:"code"`
		Success bool `json:"success"`
		Data    struct {
			Incorrect int    `json:"incorrect"`
			OrderNo   string `json:"order_no"`
		} `json:"data"`
	}
	if err := json.Unmarshal(out, &env); err != nil || env.Code != 200 || !env.Success || env.Data.Incorrect != 100 {
		t.Fatalf("sample printed %q (%v), want code 200 incorrect 100", out, err)
	}
	t.Logf("the sample printed: %s", strings.TrimSpace(string(out)))

	st := fetchStats(t, url, caFile)
	if st != (sandbox.Stats{Received: 1, Authenticated: 1, Billable: 1}) {
		t.Errorf("stats %+v, want one billable call", st)
	}
}

// startBinary runs the sandbox binary and reads its URL from the first log
// line; stop interrupts it and expects a clean exit.
func startBinary(t *testing.T, bin string, args ...string) (url string, stop func()) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		if sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		_, _ = io.Copy(io.Discard, stderr)
	}()
	stop = func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("sandbox binary did not exit cleanly on SIGINT: %v", err)
			}
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			t.Error("sandbox binary ignored SIGINT")
		}
	}
	var first string
	select {
	case first = <-lines:
	case <-time.After(15 * time.Second):
	}
	var rec struct {
		URL string `json:"url"`
	}
	if err := json.Unmarshal([]byte(first), &rec); err != nil || rec.URL == "" {
		stop()
		t.Fatalf("first log line %q: %v", first, err)
	}
	return rec.URL, stop
}

// fetchStats reads the sandbox's counters; caFile is the certificate to
// trust, "" for plain HTTP.
func fetchStats(t *testing.T, url, caFile string) sandbox.Stats {
	t.Helper()
	tr := &http.Transport{}
	if caFile != "" {
		pemBytes, err := os.ReadFile(caFile)
		if err != nil {
			t.Fatal(err)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pemBytes)
		tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	}
	defer tr.CloseIdleConnections()
	resp, err := (&http.Client{Transport: tr, Timeout: 10 * time.Second}).Get(url + "/_sandbox/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st sandbox.Stats
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	return st
}
