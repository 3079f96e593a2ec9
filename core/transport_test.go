package core

import (
	"context"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// countingServer counts the connections and requests it receives.
type countingServer struct {
	*httptest.Server
	conns, reqs atomic.Int32
}

func newCountingServer(t *testing.T, h http.HandlerFunc, tlsToo bool) *countingServer {
	t.Helper()
	cs := &countingServer{}
	cs.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cs.reqs.Add(1)
		io.Copy(io.Discard, r.Body)
		h(w, r)
	}))
	cs.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			cs.conns.Add(1)
		}
	}
	if tlsToo {
		cs.StartTLS()
	} else {
		cs.Start()
	}
	t.Cleanup(cs.Close)
	return cs
}

func newSyncTransport(tlsCfg *tls.Config) *syncTransport {
	d := &net.Dialer{Timeout: time.Second}
	fallback := &http.Transport{DialContext: d.DialContext}
	return &syncTransport{
		fallback: func() *http.Transport { return fallback }, dialer: d,
		tls:       func() *tls.Config { return tlsCfg },
		handshake: time.Second, header: time.Second, idleFor: time.Minute, maxIdle: 4,
	}
}

func post(t *testing.T, rt http.RoundTripper, ctx context.Context, u string) (*http.Response, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader("idcard=1&image=QUJD"))
	if err != nil {
		t.Fatal(err)
	}
	return rt.RoundTrip(req)
}

func ok(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, `{"code":200}`) }

// TestSyncTransportKeepsConnections checks that sequential calls share one
// connection, over TLS and plain HTTP alike.
func TestSyncTransportKeepsConnections(t *testing.T) {
	for _, useTLS := range []bool{false, true} {
		cs := newCountingServer(t, ok, useTLS)
		var cfg *tls.Config
		if useTLS {
			cfg = cs.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
		} else {
			cfg = &tls.Config{}
		}
		rt := newSyncTransport(cfg)
		for range 5 {
			resp, err := post(t, rt, context.Background(), cs.URL)
			if err != nil {
				t.Fatal(err)
			}
			if b, _ := io.ReadAll(resp.Body); string(b) != `{"code":200}` {
				t.Fatalf("answer %q", b)
			}
			resp.Body.Close()
		}
		if c, r := cs.conns.Load(), cs.reqs.Load(); c != 1 || r != 5 {
			t.Errorf("tls=%v: 5 calls used %d connections and reached the server %d times", useTLS, c, r)
		}
		rt.CloseIdleConnections()
	}
}

// TestSyncTransportDropsClosedConnections checks that a connection the
// server closed while idle is not written to (the request would be lost
// after it might have been read), and that answers saying "close", or not
// read to the end, do not leave their connection for reuse.
func TestSyncTransportDropsClosedConnections(t *testing.T) {
	for _, useTLS := range []bool{false, true} {
		t.Run(map[bool]string{false: "http", true: "https"}[useTLS], func(t *testing.T) { dropsClosed(t, useTLS) })
	}
}

func dropsClosed(t *testing.T, useTLS bool) {
	cs := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/close" {
			w.Header().Set("Connection", "close")
		}
		if r.URL.Path == "/big" {
			w.Write(make([]byte, 1<<20))
			return
		}
		ok(w, r)
	}, useTLS)
	cfg := &tls.Config{}
	if useTLS {
		cfg = cs.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	}
	rt := newSyncTransport(cfg)
	call := func(path string, readAll bool) {
		t.Helper()
		resp, err := post(t, rt, context.Background(), cs.URL+path)
		if err != nil {
			t.Fatal(err)
		}
		if readAll {
			io.Copy(io.Discard, resp.Body)
		} else {
			resp.Body.Read(make([]byte, 10))
		}
		resp.Body.Close()
	}
	call("/", true)
	cs.CloseClientConnections() // the server drops its idle connection
	time.Sleep(50 * time.Millisecond)
	call("/", true)
	call("/close", true)
	call("/big", false)
	call("/", true)
	if c, r := cs.conns.Load(), cs.reqs.Load(); c != 4 || r != 5 {
		t.Errorf("5 calls: %d connections, %d requests; want 4 and 5", c, r)
	}
}

// TestSyncTransportCancel checks that a call's context ends a stalled
// answer promptly, with the context's error.
func TestSyncTransportCancel(t *testing.T) {
	release := make(chan struct{})
	cs := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) { <-release }, false)
	defer close(release)
	rt := newSyncTransport(&tls.Config{})
	rt.header = time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := post(t, rt, ctx, cs.URL)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v, want the deadline", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("the stalled answer was waited for")
	}
	if len(rt.idle) != 0 {
		t.Fatal("a cancelled call's connection was kept")
	}
}

// TestSyncTransportProxy checks that a request the environment routes
// through a proxy is handed to the fallback transport, which sends it
// there.
func TestSyncTransportProxy(t *testing.T) {
	var proxied atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied.Add(1)
		ok(w, r)
	}))
	defer proxy.Close()
	rt := newSyncTransport(&tls.Config{})
	pu, _ := url.Parse(proxy.URL)
	rt.proxy = http.ProxyURL(pu)
	rt.fallback().Proxy = rt.proxy
	resp, err := post(t, rt, context.Background(), "http://upstream.invalid/release/face_id_card/post")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if proxied.Load() != 1 {
		t.Fatal("the request did not go through the proxy")
	}
}

// TestSyncTransportVerifiesCertificates checks that TLS is verified: a
// server whose certificate is not trusted is refused with x509's error.
func TestSyncTransportVerifiesCertificates(t *testing.T) {
	cs := newCountingServer(t, ok, true)
	rt := newSyncTransport(&tls.Config{})
	_, err := post(t, rt, context.Background(), cs.URL)
	var cve *tls.CertificateVerificationError
	if !errors.As(err, &cve) {
		t.Fatalf("error %v, want a certificate verification error", err)
	}
	if cs.reqs.Load() != 0 {
		t.Fatal("a request reached an untrusted server")
	}
}

// TestSyncTransportEarlyAnswer checks that an answer sent before the body
// was read (a gateway refusing a body's size, then closing) is returned,
// not the failed write.
func TestSyncTransportEarlyAnswer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		c.Read(make([]byte, 4096)) // the headers, and no more
		io.WriteString(c, "HTTP/1.1 413 Request Entity Too Large\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
		c.Close()
	}()
	rt := newSyncTransport(&tls.Config{})
	req, _ := http.NewRequest(http.MethodPost, "http://"+ln.Addr().String()+"/", strings.NewReader(strings.Repeat("x", 16<<20)))
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatalf("error %v, want the 413 answer", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if len(rt.idle) != 0 {
		t.Fatal("a connection whose request was cut short was kept")
	}
}

// TestSyncTransportConcurrent runs calls from many goroutines at once
// (the local server's case): each gets a connection of its own, at most
// maxIdle are kept, and none is shared by two calls.
func TestSyncTransportConcurrent(t *testing.T) {
	cs := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(time.Millisecond)
		ok(w, r)
	}, true)
	rt := newSyncTransport(cs.Client().Transport.(*http.Transport).TLSClientConfig.Clone())
	const workers, calls = 16, 10
	errs := make(chan error, workers*calls)
	for range workers {
		go func() {
			for range calls {
				resp, err := post(t, rt, context.Background(), cs.URL)
				if err == nil {
					var b []byte
					b, err = io.ReadAll(resp.Body)
					resp.Body.Close()
					if err == nil && string(b) != `{"code":200}` {
						err = errors.New("answer " + string(b))
					}
				}
				errs <- err
			}
		}()
	}
	for range workers * calls {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if r := cs.reqs.Load(); r != workers*calls {
		t.Fatalf("%d requests reached the server, want %d", r, workers*calls)
	}
	rt.mu.Lock()
	idle := len(rt.idle)
	rt.mu.Unlock()
	if idle > rt.maxIdle {
		t.Fatalf("%d idle connections kept, at most %d allowed", idle, rt.maxIdle)
	}
}

// TestSyncTransportIdleTimeout checks that a connection idle for longer
// than idleFor is closed rather than reused.
func TestSyncTransportIdleTimeout(t *testing.T) {
	cs := newCountingServer(t, ok, false)
	rt := newSyncTransport(&tls.Config{})
	rt.idleFor = 20 * time.Millisecond
	for range 2 {
		resp, err := post(t, rt, context.Background(), cs.URL)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		time.Sleep(50 * time.Millisecond)
	}
	if c := cs.conns.Load(); c != 2 {
		t.Fatalf("%d connections, want a new one after the idle timeout", c)
	}
}

// TestSyncTransportSkipsInformational checks that a 103 Early Hints before
// the answer is passed over, as net/http does.
func TestSyncTransportSkipsInformational(t *testing.T) {
	cs := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</a.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		ok(w, r)
	}, false)
	rt := newSyncTransport(&tls.Config{})
	resp, err := post(t, rt, context.Background(), cs.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusOK || string(b) != `{"code":200}` {
		t.Fatalf("answer %d %q", resp.StatusCode, b)
	}
}

// TestCAFile checks FACEID_CA_FILE end to end: a bad file fails when the
// client is built, not at the first call, and a good one is trusted on
// top of the system roots (loaded at the first dial).
func TestCAFile(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(ok))
	defer srv.Close()
	dir := t.TempDir()
	good := filepath.Join(dir, "ca.pem")
	os.WriteFile(good, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600)
	notPEM := filepath.Join(dir, "not.pem")
	os.WriteFile(notPEM, []byte("not a certificate"), 0o600)

	for _, tc := range []struct{ file, reason string }{
		{filepath.Join(dir, "missing.pem"), "cannot read the file"},
		{notPEM, "no PEM certificate found"},
	} {
		_, err := NewHTTPClient(Config{CAFile: tc.file}.WithDefaults())
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Key != "FACEID_CA_FILE" || ce.Reason != tc.reason {
			t.Fatalf("CA file %s: error %v, want FACEID_CA_FILE: %s", filepath.Base(tc.file), err, tc.reason)
		}
	}

	hc, err := NewHTTPClient(Config{CAFile: good}.WithDefaults())
	if err != nil {
		t.Fatal(err)
	}
	defer hc.CloseIdleConnections()
	resp, err := post(t, hc.Transport, context.Background(), srv.URL)
	if err != nil {
		t.Fatalf("server signed by the CA file: %v", err)
	}
	resp.Body.Close()
	// Without the file the same server is refused.
	plain, err := NewHTTPClient(Config{}.WithDefaults())
	if err != nil {
		t.Fatal(err)
	}
	_, err = post(t, plain.Transport, context.Background(), srv.URL)
	var cve *tls.CertificateVerificationError
	if !errors.As(err, &cve) {
		t.Fatalf("without the CA file: error %v, want a certificate verification error", err)
	}
}
