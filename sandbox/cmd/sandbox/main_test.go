package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/core/hmacauth"
	"github.com/faceid-verify/faceid/sandbox"
)

// startRun runs the command in-process and returns its URL (from the first
// log line) and a stop function that waits for a clean exit.
func startRun(t *testing.T, args ...string) (url string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, args, pw)
		pw.Close()
	}()
	first := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			select {
			case first <- sc.Text():
			default:
			}
		}
		_, _ = io.Copy(io.Discard, pr) // keep draining after a long line
	}()
	var line string
	select {
	case line = <-first:
	case err := <-done:
		cancel()
		t.Fatalf("run exited early: %v", err)
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("no log line from run")
	}
	var rec struct {
		Msg string `json:"msg"`
		URL string `json:"url"`
	}
	if err := json.Unmarshal([]byte(line), &rec); err != nil || rec.URL == "" {
		cancel()
		t.Fatalf("first log line %q: %v", line, err)
	}
	if !strings.Contains(rec.Msg, "offline sandbox") || !strings.Contains(rec.Msg, "NOT the real") {
		t.Errorf("first log line does not say it is the offline sandbox: %q", rec.Msg)
	}
	return rec.URL, func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("run did not shut down")
		}
	}
}

func signedPost(t *testing.T, url, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/release/face_id_card/post", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	hmacauth.Sign(req.Header, hmacauth.Credentials{SecretID: sandbox.DefaultSecretID, SecretKey: sandbox.DefaultSecretKey,
		Source: "market", Variant: hmacauth.XDate}, time.Now())
	return req
}

func decodeCode(t *testing.T, client *http.Client, req *http.Request) (code, incorrect int) {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct {
		Code int `json:"code"`
		Data struct {
			Incorrect int `json:"incorrect"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil {
		t.Fatal(err)
	}
	return env.Code, env.Data.Incorrect
}

const remotePhoto = "idcard=110101199003070011&name=%E5%BC%A0%E4%B8%89&url=https%3A%2F%2Fexample.com%2Fa.jpg"

func TestRunHTTP(t *testing.T) {
	url, stop := startRun(t, "-addr", "127.0.0.1:0", "-quota", "1")
	defer stop()
	if !strings.HasPrefix(url, "http://127.0.0.1:") || strings.HasSuffix(url, ":0") {
		t.Fatalf("url %q", url)
	}
	if code, inc := decodeCode(t, http.DefaultClient, signedPost(t, url, remotePhoto)); code != 200 || inc != 100 {
		t.Errorf("code %d incorrect %d", code, inc)
	}
	resp, err := http.DefaultClient.Do(signedPost(t, url, remotePhoto))
	if err != nil || resp.StatusCode != 429 {
		t.Errorf("second call with -quota 1: %v %v", resp, err)
	}
	if resp != nil {
		resp.Body.Close()
	}
}

func TestRunClockSkew(t *testing.T) {
	url, stop := startRun(t, "-addr", "127.0.0.1:0", "-clock-skew", "-20m")
	defer stop()
	resp, err := http.DefaultClient.Do(signedPost(t, url, remotePhoto))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("a call signed with the true time to a sandbox 20 minutes behind: %d", resp.StatusCode)
	}
	d, err := http.ParseTime(resp.Header.Get("Date"))
	if off := time.Until(d); err != nil || off > -19*time.Minute || off < -21*time.Minute {
		t.Errorf("Date %q is not 20 minutes behind (%v)", resp.Header.Get("Date"), err)
	}
}

func TestRunTLS(t *testing.T) {
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	url, stop := startRun(t, "-addr", "127.0.0.1:0", "-tls", "-tls-ca-out", caFile)
	defer stop()
	pemBytes, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("CA file holds no certificate")
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	defer client.CloseIdleConnections()
	for _, u := range []string{url, strings.Replace(url, "127.0.0.1", "localhost", 1)} {
		if code, inc := decodeCode(t, client, signedPost(t, u, remotePhoto)); code != 200 || inc != 100 {
			t.Errorf("%s: code %d incorrect %d", u, code, inc)
		}
	}
}

func TestRunIdentitiesFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "ids.json")
	if err := os.WriteFile(p, []byte(`[{"idcard":"110101199003070011","name":"张三","code":604}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	url, stop := startRun(t, "-addr", "127.0.0.1:0", "-identities", p)
	defer stop()
	if code, _ := decodeCode(t, http.DefaultClient, signedPost(t, url, remotePhoto)); code != 604 {
		t.Errorf("code %d, want the file's 604", code)
	}
}

func TestRunBadFlags(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	_ = os.WriteFile(bad, []byte(`[{"idcard":"1","name":"x"}]`), 0o600)
	tests := []struct {
		args []string
		want error
	}{
		{[]string{"-nope"}, errUsage},
		{[]string{"-tls-ca-out", "x.pem"}, errUsage},
		{[]string{"-rate", "-1"}, errUsage},
		{[]string{"-clock-skew", "20"}, errUsage}, // a duration needs its unit
		{[]string{"extra"}, errUsage},
		{[]string{"-h"}, flag.ErrHelp},
		{[]string{"-addr", "127.0.0.1:0", "-identities", bad}, nil}, // a load error, reported as such
	}
	for _, tc := range tests {
		err := run(context.Background(), tc.args, io.Discard)
		if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Errorf("run(%v) = %v, want %v", tc.args, err, tc.want)
		}
	}
}
