package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/core/hmacauth"
	"github.com/faceid-verify/faceid/internal/cleanenv"
	"github.com/faceid-verify/faceid/sandbox"
)

// upstreamEnv points the local server at a sandbox the test can count.
func upstreamEnv(t *testing.T, extra map[string]string) (map[string]string, *sandbox.Server) {
	t.Helper()
	sb := sandbox.New(sandbox.Config{})
	srv := httptest.NewServer(sb)
	t.Cleanup(func() { sb.Close(); srv.Close() })
	env := map[string]string{
		"FACEID_ENDPOINT":  srv.URL + "/release/face_id_card/post",
		"FACEID_SECRET_ID": sandbox.DefaultSecretID, "FACEID_SECRET_KEY": sandbox.DefaultSecretKey,
	}
	for k, v := range extra {
		env[k] = v
	}
	return env, sb
}

func formBody(t *testing.T) string {
	t.Helper()
	jpeg, err := os.ReadFile("../../testdata/photos/small-320x240.jpg")
	if err != nil {
		t.Fatal(err)
	}
	return url.Values{"idcard": {"110101199003070011"}, "name": {"张三"},
		"image": {base64.StdEncoding.EncodeToString(jpeg)}}.Encode()
}

// runFails runs the local function with env and returns its error if it
// refuses to start; if it starts serving instead, it is stopped and nil
// returned.
func runFails(t *testing.T, env map[string]string) error {
	t.Helper()
	cleanenv.Set(t, map[string]string{"FACEID_ADDR": "127.0.0.1:0", "FACEID_S3_ADDR": "127.0.0.1:0"}, "FACEID_")
	for k, v := range env {
		t.Setenv(k, v)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ready := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- run(ctx, io.Discard, io.Discard, ready) }()
	select {
	case <-ready:
		cancel()
		<-done
		return nil
	case err := <-done:
		return err
	}
}

// waitClosed reads conn until the server closes it, failing the test if
// that takes longer than a generous bound (the server's timeouts are a
// fraction of it; without them it never happens).
func waitClosed(t *testing.T, conn net.Conn) string {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	got, err := io.ReadAll(conn)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the server kept the connection open; read so far: %q", got)
	}
	return string(got)
}

// A stalled upload is cut off at FACEID_READ_TIMEOUT (it held a 6 MB
// buffer for as long as the caller liked), and an idle kept-alive
// connection is closed at FACEID_IDLE_TIMEOUT.
func TestServerTimeouts(t *testing.T) {
	env, sb := upstreamEnv(t, map[string]string{"FACEID_READ_TIMEOUT": "300ms", "FACEID_IDLE_TIMEOUT": "300ms"})
	base, _, _ := startLocal(t, env)
	addr := strings.TrimPrefix(base, "http://")

	t.Run("stalled body", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		io.WriteString(conn, "POST /verify HTTP/1.1\r\nHost: "+addr+"\r\nContent-Type: application/json\r\n"+
			"Content-Length: 6000000\r\n\r\n{\"idcard\":\"1101")
		got := waitClosed(t, conn)
		if !strings.HasPrefix(got, "HTTP/1.1 400") && got != "" {
			t.Errorf("answer %.200q", got)
		}
		if n := sb.Stats().Received; n != 0 {
			t.Errorf("the upstream saw %d requests", n)
		}
	})

	t.Run("idle keep-alive", func(t *testing.T) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: "+addr+"\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("healthz: %v", err)
		}
		io.Copy(io.Discard, resp.Body)
		waitClosed(t, conn)
	})
}

// FACEID_MAX_CONCURRENT reaches the handler: past it, 503 at once.
func TestServerMaxConcurrent(t *testing.T) {
	env, sb := upstreamEnv(t, map[string]string{"FACEID_MAX_CONCURRENT": "1"})
	sb.InjectFault(sandbox.Fault{Kind: sandbox.FaultLatency, Latency: 2 * time.Second, Times: 1})
	base, _, _ := startLocal(t, env)
	form := formBody(t)
	post := func() int {
		resp, err := http.Post(base+"/verify", "application/x-www-form-urlencoded", strings.NewReader(form))
		if err != nil {
			t.Error(err)
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	var wg sync.WaitGroup
	var first int
	wg.Go(func() { first = post() })
	for deadline := time.Now().Add(10 * time.Second); sb.Stats().Received < 1; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the first request never reached the upstream")
		}
	}
	if got := post(); got != 503 {
		t.Errorf("second request in flight: %d, want 503", got)
	}
	wg.Wait()
	if first != 200 || sb.Stats().Received != 1 {
		t.Errorf("first %d, upstream saw %d", first, sb.Stats().Received)
	}
}

func TestServerSettingsRefused(t *testing.T) {
	for _, bad := range []map[string]string{
		{"FACEID_READ_TIMEOUT": "0s"}, {"FACEID_READ_TIMEOUT": "soon"}, {"FACEID_IDLE_TIMEOUT": "-1s"},
		{"FACEID_MAX_CONCURRENT": "0"}, {"FACEID_MAX_CONCURRENT": "many"}, {"FACEID_LENIENT_DATE": "maybe"},
	} {
		env, _ := upstreamEnv(t, bad)
		if err := runFails(t, env); err == nil {
			t.Errorf("%v: started", bad)
		} else if !strings.Contains(err.Error(), "FACEID_") {
			t.Errorf("%v: %v does not name the setting", bad, err)
		}
	}
}

// In drop-in mode a Date signature needs a current date, as the product
// page's curl sample (a fixed 2018 Date) shows; FACEID_LENIENT_DATE=true
// accepts it, as the legacy gateway does.
func TestLenientDate(t *testing.T) {
	form := formBody(t)
	send := func(base string) int {
		date := "Mon, 19 Mar 2018 12:08:40 GMT"
		sig := hmacauth.Signature("app-secret", "date: "+date+"\nsource: source")
		req, _ := http.NewRequest("POST", base+"/release/face_id_card/post", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Date", date)
		req.Header.Set("Source", "source")
		req.Header.Set("Authorization", hmacauth.AuthorizationValue("app-id", "hmac-sha1", []string{"date", "source"}, sig))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, tc := range []struct {
		lenient string
		status  int
	}{{"", 401}, {"false", 401}, {"true", 200}} {
		env, _ := upstreamEnv(t, map[string]string{"FACEID_CLIENT_KEYS": "app-id:app-secret"})
		if tc.lenient != "" {
			env["FACEID_LENIENT_DATE"] = tc.lenient
		}
		base, _, _ := startLocal(t, env)
		if got := send(base); got != tc.status {
			t.Errorf("FACEID_LENIENT_DATE=%q: %d, want %d", tc.lenient, got, tc.status)
		}
	}
}
