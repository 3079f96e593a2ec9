package core

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"

	"github.com/faceid-verify/faceid/internal/tcpcork"
)

// rawConn lets tcpcork.Corked look at a socket the dialer handed over.
type rawConn struct{ rc syscall.RawConn }

func (r rawConn) SyscallConn() (syscall.RawConn, error) { return r.rc, nil }

// corkedReader reports, at its first Read, whether the socket is corked.
type corkedReader struct {
	io.Reader
	sock   *rawConn
	seen   bool
	corked bool
	err    error
}

func (r *corkedReader) Read(p []byte) (int, error) {
	if !r.seen {
		r.seen = true
		r.corked, r.err = tcpcork.Corked(*r.sock)
	}
	return r.Reader.Read(p)
}

// The socket is corked while the request is written and uncorked once it
// is sent, over TLS and plain HTTP alike.
func TestSyncTransportCorksWhileWriting(t *testing.T) {
	for _, useTLS := range []bool{false, true} {
		cs := newCountingServer(t, ok, useTLS)
		cfg := &tls.Config{}
		if useTLS {
			cfg = cs.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
		}
		rt := newSyncTransport(cfg)
		sock := new(rawConn)
		rt.dialer.Control = func(_, _ string, rc syscall.RawConn) error {
			sock.rc = rc
			return nil
		}
		body := &corkedReader{Reader: strings.NewReader("idcard=1&image=" + strings.Repeat("QUJD", 50_000)), sock: sock}
		req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, cs.URL, body)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := rt.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		io.ReadAll(resp.Body)
		resp.Body.Close()
		after, aerr := tcpcork.Corked(*sock)
		if !body.corked || body.err != nil || after || aerr != nil {
			t.Errorf("tls=%v: corked while writing %v (%v), after %v (%v); want true, then false", useTLS, body.corked, body.err, after, aerr)
		}
		rt.CloseIdleConnections()
	}
}
