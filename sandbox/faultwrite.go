package sandbox

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"strconv"
	"time"
)

const (
	defaultSlowBody = 2 * time.Second
	maxStall        = 10 * time.Minute // a safety net; the client normally gives up first
	oversizePadding = 16 << 20
	// resetGrace lets the half body reach the client before the reset:
	// a RST can discard data still in flight.
	resetGrace = 50 * time.Millisecond
)

// gatewayStatusMessage is the gateway's text for an injected status
// (gateway-auth.md §1b); 503 and others are assumptions in the same style.
func gatewayStatusMessage(status int) string {
	switch status {
	case http.StatusInternalServerError:
		return "Internal Server Error."
	case http.StatusBadGateway:
		return "Bad Gateway."
	case http.StatusGatewayTimeout:
		return "Gateway Time-out."
	}
	return http.StatusText(status) + "."
}

// beforeSeller applies a fault that acts before the seller and reports
// whether the call goes on to the seller.
func (s *Server) beforeSeller(w http.ResponseWriter, r *http.Request, f Fault, ev *event) bool {
	switch f.Kind {
	case FaultLatency:
		if !s.wait(r.Context(), f.Latency) {
			ev.note = "client went away during injected latency"
			return false
		}
		return true
	case FaultStatus:
		ev.status, ev.message = f.Status, gatewayStatusMessage(f.Status)
		writeGatewayError(w, f.Status, ev.message)
	case FaultEmpty:
		ev.status = http.StatusOK
		writeBody(w, http.StatusOK, nil)
	case FaultReset:
		s.reset(w, ev)
	}
	return false
}

// afterSeller delivers the seller's payload the way the fault breaks it.
func (s *Server) afterSeller(w http.ResponseWriter, r *http.Request, f Fault, payload []byte, ev *event) {
	ctx := r.Context()
	ev.status = http.StatusOK
	switch f.Kind {
	case FaultMalformed:
		// `{"msg"=…`: broken from the first field, so even a streaming
		// decoder that stops after one value fails.
		writeBody(w, http.StatusOK, bytes.Replace(payload, []byte(":"), []byte("="), 1))
	case FaultTruncated:
		writeBody(w, http.StatusOK, payload[:len(payload)/2])
	case FaultSlowBody:
		d := f.Latency
		if d == 0 {
			d = defaultSlowBody
		}
		writeHead(w, len(payload))
		const chunks = 10
		step := max(len(payload)/chunks, 1)
		for off := 0; off < len(payload); off += step {
			if !s.wait(ctx, d/chunks) || !writeFlush(w, payload[off:min(off+step, len(payload))]) {
				return
			}
		}
	case FaultStall:
		writeHead(w, len(payload))
		writeFlush(w, nil)
		s.wait(ctx, maxStall)
	case FaultResetMidBody:
		writeHead(w, len(payload))
		if writeFlush(w, payload[:len(payload)/2]) && s.wait(ctx, resetGrace) {
			s.reset(w, ev)
		}
	case FaultOversize:
		// Whitespace after '{' keeps the JSON valid: only the size is wrong.
		writeHead(w, len(payload)+oversizePadding)
		if !writeFlush(w, payload[:1]) {
			return
		}
		pad := bytes.Repeat([]byte(" "), 64<<10)
		for left := oversizePadding; left > 0; left -= len(pad) {
			if ctx.Err() != nil || !writeFlush(w, pad[:min(len(pad), left)]) {
				return
			}
		}
		writeFlush(w, payload[1:])
	}
}

// writeHead sends 200 headers declaring the full body length.
func writeHead(w http.ResponseWriter, n int) {
	w.Header().Set("Content-Type", contentTypeJSON)
	w.Header().Set("Content-Length", strconv.Itoa(n))
	w.WriteHeader(http.StatusOK)
}

// writeFlush writes b and pushes it to the client; false once it is gone.
func writeFlush(w http.ResponseWriter, b []byte) bool {
	if _, err := w.Write(b); err != nil {
		return false
	}
	return http.NewResponseController(w).Flush() == nil
}

// wait sleeps for d and reports whether the client is still there. Once
// the Server is closed it stops holding calls: it returns at once, so a
// delayed answer goes out now and a stall ends with a short body.
func (s *Server) wait(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.stop:
	case <-ctx.Done():
		return false
	}
	return ctx.Err() == nil
}

// reset drops the connection with a TCP RST (SO_LINGER 0) instead of an
// orderly close. It needs HTTP/1.x: an HTTP/2 stream cannot be hijacked.
func (s *Server) reset(w http.ResponseWriter, ev *event) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		ev.note = "reset needs HTTP/1.x: " + err.Error()
		return
	}
	if tcp := underlyingTCP(conn); tcp != nil {
		_ = tcp.SetLinger(0)
		_ = tcp.Close() // closing the TCP conn directly skips a TLS close_notify
		return
	}
	_ = conn.Close()
}

// underlyingTCP finds the TCP connection under a (possibly TLS) conn.
func underlyingTCP(c net.Conn) *net.TCPConn {
	for range 4 { // a few wrapper layers at most
		switch v := c.(type) {
		case *net.TCPConn:
			return v
		case interface{ NetConn() net.Conn }:
			c = v.NetConn()
		default:
			return nil
		}
	}
	return nil
}
