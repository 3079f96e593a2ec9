package core

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
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
	cs.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are expected
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

// caFile writes srv's certificate as a PEM file to trust.
func caFile(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
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

// TestHTTPClientKeepsConnections checks that sequential calls share one
// kept-alive connection, over TLS and plain HTTP alike.
func TestHTTPClientKeepsConnections(t *testing.T) {
	for _, useTLS := range []bool{false, true} {
		cs := newCountingServer(t, ok, useTLS)
		cfg := Config{}
		if useTLS {
			cfg.CAFile = caFile(t, cs.Server)
		}
		hc, err := newHTTPClient(cfg.WithDefaults())
		if err != nil {
			t.Fatal(err)
		}
		for range 5 {
			resp, err := post(t, hc.Transport, context.Background(), cs.URL)
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
		hc.CloseIdleConnections()
	}
}

// TestHTTPClientVerifiesCertificates checks that TLS is verified: a server
// whose certificate is not trusted is refused with x509's error, before
// any request reaches it.
func TestHTTPClientVerifiesCertificates(t *testing.T) {
	cs := newCountingServer(t, ok, true)
	hc, err := newHTTPClient(Config{}.WithDefaults())
	if err != nil {
		t.Fatal(err)
	}
	_, err = post(t, hc.Transport, context.Background(), cs.URL)
	var cve *tls.CertificateVerificationError
	if !errors.As(err, &cve) {
		t.Fatalf("error %v, want a certificate verification error", err)
	}
	if cs.reqs.Load() != 0 {
		t.Fatal("a request reached an untrusted server")
	}
}

// TestCAFile checks FACEID_CA_FILE end to end: a bad file fails when the
// client is built, not at the first call, and a good one is trusted on
// top of the system roots (loaded at the first call).
func TestCAFile(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(ok))
	defer srv.Close()
	dir := t.TempDir()
	good := caFile(t, srv)
	notPEM := filepath.Join(dir, "not.pem")
	os.WriteFile(notPEM, []byte("not a certificate"), 0o600)

	for _, tc := range []struct{ file, reason string }{
		{filepath.Join(dir, "missing.pem"), "cannot read the file"},
		{notPEM, "no PEM certificate found"},
	} {
		_, err := newHTTPClient(Config{CAFile: tc.file}.WithDefaults())
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Key != "FACEID_CA_FILE" || ce.Reason != tc.reason {
			t.Fatalf("CA file %s: error %v, want FACEID_CA_FILE: %s", filepath.Base(tc.file), err, tc.reason)
		}
	}

	hc, err := newHTTPClient(Config{CAFile: good}.WithDefaults())
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
	plain, err := newHTTPClient(Config{}.WithDefaults())
	if err != nil {
		t.Fatal(err)
	}
	_, err = post(t, plain.Transport, context.Background(), srv.URL)
	var cve *tls.CertificateVerificationError
	if !errors.As(err, &cve) {
		t.Fatalf("without the CA file: error %v, want a certificate verification error", err)
	}
}

// TestHugeResponseHeader: an upstream that answers with an endless header
// line (64 MB here) costs the client at most the header cap, and the call
// is a malformed answer that may have been billed, not a transport
// failure to retry. The bound is on bytes allocated, not on time.
func TestHugeResponseHeader(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	const headerBytes = 64 << 20
	var served atomic.Int64
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				req, err := http.ReadRequest(bufio.NewReader(c))
				if err != nil {
					return
				}
				io.Copy(io.Discard, req.Body)
				if _, err := io.WriteString(c, "HTTP/1.1 200 OK\r\nX-Pad: "); err != nil {
					return
				}
				chunk := []byte(strings.Repeat("a", 64<<10))
				for n := 0; n < headerBytes; n += len(chunk) {
					if _, err := c.Write(chunk); err != nil {
						return // the client gave up reading
					}
					served.Add(int64(len(chunk)))
				}
				io.WriteString(c, "\r\nContent-Length: 2\r\n\r\n{}")
			}()
		}
	}()
	c := newTestClient(t, "http://"+ln.Addr().String()+"/release/face_id_card/post")
	defer c.CloseIdleConnections()
	req := Request{Name: "张三", IDCard: testID, Image: testPhoto(t)}

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err = c.Verify(context.Background(), req)
	runtime.ReadMemStats(&after)

	var re *responseError
	if !errors.As(err, &re) || re.Reason != "malformed" || !MayHaveReached(err) {
		t.Fatalf("error %v, want a malformed answer that may have been billed", err)
	}
	if strings.Contains(err.Error(), "aaaa") {
		t.Fatalf("the error quotes the upstream's header: %.200s", err.Error())
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Fatalf("the call allocated %d MB for a %d MB header line; want it bounded by the header cap", alloc>>20, headerBytes>>20)
	}
}
