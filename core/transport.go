package core

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/faceid-verify/faceid/internal/tcpcork"
)

// syncTransport makes the upstream calls: HTTP/1.1 on kept-alive
// connections, each request written and its answer read in the calling
// goroutine. net/http's Transport hands every request to a writer
// goroutine and every answer to a reader goroutine of the connection; for
// one call at a time those hand-offs (futex waits, scheduler wake-ups) are
// most of what a call costs besides the bytes (the "floor" and
// "floor-sync" clients in docs/benchmarks.md).
//
// What net/http adds that matters here is kept: the request is written by
// http.Request.Write and the answer parsed by http.ReadResponse, so the
// httptrace hooks fire as before (WroteHeaders is what tells a retry-safe
// failure from a maybe-charged one), and a request that goes through a
// proxy is handed to the fallback http.Transport. HTTP/2 is not offered:
// a single call at a time gains nothing from it.
type syncTransport struct {
	// proxy is the environment's proxy choice; a request it routes through
	// a proxy goes to fallback, which is built at that first request.
	proxy        func(*http.Request) (*url.URL, error)
	fallback     func() *http.Transport
	fallbackUsed atomic.Bool
	dialer       *net.Dialer
	// tls is built at the first dial: with a CA file it loads the system
	// roots, which takes longer than the rest of init.
	tls func() *tls.Config
	// handshake and header bound the TLS handshake and the wait for the
	// answer's headers, as the fallback's TLSHandshakeTimeout and
	// ResponseHeaderTimeout do; idleFor is how long an idle connection is
	// kept.
	handshake, header, idleFor time.Duration
	maxIdle                    int

	mu   sync.Mutex
	idle []*syncConn // most recently used last
}

type syncConn struct {
	addr      string   // scheme://host:port
	raw       net.Conn // the TCP connection
	conn      net.Conn // raw, or TLS over it
	br        *bufio.Reader
	bw        *bufio.Writer
	idleSince time.Time
}

// longAgo is a deadline in the past: setting it makes pending I/O fail now.
var longAgo = time.Unix(1, 0)

// RoundTrip implements http.RoundTripper.
func (t *syncTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "https" && req.URL.Scheme != "http" || t.proxied(req) {
		t.fallbackUsed.Store(true)
		return t.fallback().RoundTrip(req)
	}
	ctx := req.Context()
	c, err := t.get(ctx, req.URL)
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	// Cancelling the call fails whatever I/O is pending on the connection.
	stop := context.AfterFunc(ctx, func() { c.conn.SetDeadline(longAgo) })
	deadline, _ := ctx.Deadline() // zero: none
	fail := func(err error) (*http.Response, error) {
		stop()
		c.conn.Close()
		switch {
		case ctx.Err() != nil:
			return nil, errors.Join(ctx.Err(), err)
		case !deadline.IsZero() && !time.Now().Before(deadline):
			// The connection's deadline, which is the context's, passed
			// before the context's own timer fired.
			return nil, errors.Join(context.DeadlineExceeded, err)
		}
		return nil, err
	}
	c.conn.SetWriteDeadline(deadline)
	// Corked, the body's TLS records leave in full segments, not each with
	// its own (tcpcork); uncorking sends the rest at once.
	tcpcork.Set(c.raw, true)
	werr := req.Write(c.bw)
	if werr == nil {
		werr = c.bw.Flush()
	}
	tcpcork.Set(c.raw, false)
	wait := deadline
	if t.header > 0 {
		if d := time.Now().Add(t.header); wait.IsZero() || d.Before(wait) {
			wait = d
		}
	}
	c.conn.SetReadDeadline(wait)
	// A server may answer before it has read the whole body (a gateway
	// refusing its size) and close the connection: the write fails, but
	// its answer is there to read, and says what happened.
	resp, err := http.ReadResponse(c.br, req)
	// Informational answers (103 Early Hints) precede the real one, as
	// net/http's Transport skips them.
	for err == nil && resp.StatusCode >= 100 && resp.StatusCode < 200 && resp.StatusCode != http.StatusSwitchingProtocols {
		resp, err = http.ReadResponse(c.br, req)
	}
	if err != nil {
		if werr != nil {
			return fail(werr)
		}
		return fail(err)
	}
	c.conn.SetReadDeadline(deadline)
	reuse := werr == nil && !resp.Close && !req.Close
	resp.Body = &syncBody{body: resp.Body, t: t, c: c, stop: stop, reuse: reuse}
	return resp, nil
}

// proxied reports whether the fallback would send req through a proxy.
func (t *syncTransport) proxied(req *http.Request) bool {
	if t.proxy == nil {
		return false
	}
	u, err := t.proxy(req)
	return err != nil || u != nil
}

// get returns a live idle connection to u's host, or dials one.
func (t *syncTransport) get(ctx context.Context, u *url.URL) (*syncConn, error) {
	addr := u.Scheme + "://" + canonicalHost(u)
	now := time.Now()
	t.mu.Lock()
	for i := len(t.idle) - 1; i >= 0; i-- {
		c := t.idle[i]
		if c.addr != addr {
			continue
		}
		t.idle = append(t.idle[:i], t.idle[i+1:]...)
		t.mu.Unlock()
		if now.Sub(c.idleSince) < t.idleFor && c.alive() {
			return c, nil
		}
		c.conn.Close()
		t.mu.Lock()
		i = len(t.idle) // the list changed: look again from the end
	}
	t.mu.Unlock()
	return t.dial(ctx, u, addr)
}

// alive reports whether an idle connection can carry a request: the
// server has neither closed it nor sent anything unasked. Writing to one
// it closed would lose the request after the server might have read it,
// leaving a call that may or may not have been charged, so the socket is
// looked at first (peekSocket) without reading from it.
func (c *syncConn) alive() bool {
	if c.br.Buffered() > 0 {
		return false
	}
	switch peekSocket(c.raw) {
	case socketIdle:
		return true
	case socketPending:
		// Over TLS this is usually a session ticket sent after the
		// handshake: read through TLS, briefly, to see what follows it.
		if c.raw == c.conn {
			return false
		}
		c.conn.SetReadDeadline(time.Now().Add(time.Millisecond))
		_, err := c.br.Peek(1)
		c.conn.SetReadDeadline(time.Time{})
		var ne net.Error
		return errors.As(err, &ne) && ne.Timeout()
	}
	return false
}

// What peekSocket finds on an idle connection's socket.
const (
	socketIdle    = iota // open, nothing to read
	socketPending        // bytes waiting
	socketClosed         // closed or failed, or cannot be told
)

func (t *syncTransport) dial(ctx context.Context, u *url.URL, addr string) (*syncConn, error) {
	raw, err := t.dialer.DialContext(ctx, "tcp", canonicalHost(u))
	if err != nil {
		return nil, err
	}
	conn := raw
	if u.Scheme == "https" {
		cfg := t.tls().Clone()
		if cfg.ServerName == "" {
			cfg.ServerName = u.Hostname()
		}
		cfg.NextProtos = []string{"http/1.1"}
		tc := tls.Client(raw, cfg)
		hctx := ctx
		if t.handshake > 0 {
			var cancel context.CancelFunc
			hctx, cancel = context.WithTimeout(ctx, t.handshake)
			defer cancel()
		}
		if err := tc.HandshakeContext(hctx); err != nil {
			raw.Close()
			return nil, err
		}
		conn = tc
	}
	return &syncConn{addr: addr, raw: raw, conn: conn, br: bufio.NewReader(conn), bw: bufio.NewWriterSize(conn, 64<<10)}, nil
}

// put keeps a connection whose last answer was read to the end.
func (t *syncTransport) put(c *syncConn) {
	c.conn.SetDeadline(time.Time{})
	c.idleSince = time.Now()
	t.mu.Lock()
	if len(t.idle) < t.maxIdle {
		t.idle = append(t.idle, c)
		c = nil
	}
	t.mu.Unlock()
	if c != nil {
		c.conn.Close()
	}
}

// CloseIdleConnections closes the kept connections, and the fallback's.
func (t *syncTransport) CloseIdleConnections() {
	t.mu.Lock()
	idle := t.idle
	t.idle = nil
	t.mu.Unlock()
	for _, c := range idle {
		c.conn.Close()
	}
	if t.fallbackUsed.Load() {
		t.fallback().CloseIdleConnections()
	}
}

// syncBody hands its connection back once the answer is read to the end
// and closed, and closes it otherwise: what is left unread may be large,
// and the connection cannot carry another request before it is gone.
type syncBody struct {
	body  io.ReadCloser
	t     *syncTransport
	c     *syncConn
	stop  func() bool
	reuse bool
	eof   bool
	done  bool
}

func (b *syncBody) Read(p []byte) (int, error) {
	n, err := b.body.Read(p)
	if err == io.EOF {
		b.eof = true
	}
	return n, err
}

func (b *syncBody) Close() error {
	if b.done {
		return nil
	}
	b.done = true
	if !b.eof {
		// Closed first, so that closing the body does not read the rest.
		b.c.conn.Close()
		b.body.Close()
		b.stop()
		return nil
	}
	err := b.body.Close()
	// stop is false when the call's context ended first and its callback
	// spoiled the connection's deadlines.
	if b.stop() && b.reuse && err == nil {
		b.t.put(b.c)
	} else {
		b.c.conn.Close()
	}
	return err
}

// canonicalHost is u's host:port, with the scheme's default port.
func canonicalHost(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "443"
		if u.Scheme == "http" {
			port = "80"
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}
