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
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/sandbox"
)

// TestPythonSampleInterop runs the product page's own Python sample client,
// read from the spec at test time and changed only in its URL, keys and
// body values, against the standalone sandbox binary.
func TestPythonSampleInterop(t *testing.T) {
	root := repoRoot(t)
	spec, err := os.ReadFile(filepath.Join(root, "..", "shared", "spec", "face_id_card_api.txt"))
	if err != nil {
		t.Skipf("the product page spec is not beside the repository (../shared/spec/face_id_card_api.txt): %v", err)
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed; the Python sample client cannot run")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH; cannot build the sandbox binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	dir := t.TempDir()

	bin := filepath.Join(dir, "sandbox")
	if out, err := exec.CommandContext(ctx, goBin, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	caFile := filepath.Join(dir, "ca.pem")
	// HTTPS, as in the sample; it turns certificate checks off itself.
	url, stop := startBinary(t, bin, "-addr", "127.0.0.1:0", "-tls", "-tls-ca-out", caFile)
	defer stop()

	jpeg, err := os.ReadFile(filepath.Join(root, "testdata", "photos", "small-320x240.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	sample := pythonSample(t, string(spec), url, base64.StdEncoding.EncodeToString(jpeg))
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

// pythonSample cuts the Python client out of the product page and swaps in
// the sandbox's URL, the sandbox keys and the test values, failing if the
// sample no longer has the expected shape.
func pythonSample(t *testing.T, spec, baseURL, imageB64 string) string {
	t.Helper()
	start := strings.Index(spec, "# -*- coding: utf-8 -*-")
	end := strings.Index(spec, "\ncurl -v")
	if start < 0 || end < start {
		t.Fatal("spec: Python sample (from '# -*- coding: utf-8 -*-' to 'curl -v') not found")
	}
	sample := spec[start : end+1]
	replaceOnce := func(old, repl string) {
		t.Helper()
		if n := strings.Count(sample, old); n != 1 {
			t.Fatalf("spec: %q occurs %d times in the Python sample, want once", old, n)
		}
		sample = strings.Replace(sample, old, repl, 1)
	}
	const urlPrefix = "\nurl = '"
	i := strings.Index(sample, urlPrefix)
	if i < 0 {
		t.Fatal("spec: the sample's url = '…' line not found")
	}
	j := strings.Index(sample[i+len(urlPrefix):], "'")
	if j < 0 {
		t.Fatal("spec: the sample's url = '…' line is not closed")
	}
	upstream := sample[i+len(urlPrefix) : i+len(urlPrefix)+j]
	u, err := neturl.Parse(upstream)
	if err != nil {
		t.Fatalf("spec: sample url %q: %v", upstream, err)
	}
	replaceOnce(urlPrefix+upstream+"'", urlPrefix+baseURL+u.Path+"'")
	replaceOnce(`secretId = "xxxx"`, `secretId = "`+sandbox.DefaultSecretID+`"`)
	replaceOnce(`secretKey = "xxxx"`, `secretKey = "`+sandbox.DefaultSecretKey+`"`)
	replaceOnce(`'idcard': ''`, `'idcard': '110101199003070011'`)
	replaceOnce(`'name': ''`, `'name': '张三'`)
	replaceOnce(`'image': ''`, `'image': '`+imageB64+`'`)
	return sample
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

func fetchStats(t *testing.T, url, caFile string) sandbox.Stats {
	t.Helper()
	pemBytes, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pemBytes)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
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

// repoRoot walks up from the test's directory to the module root.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}
