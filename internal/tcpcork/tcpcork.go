// Package tcpcork holds back a TCP connection's partial segments while a
// request is written, so that a large body leaves in full segments.
//
// crypto/tls writes each record of at most 16 KiB with its own write
// call, and with Nagle's algorithm off (Go's default) each of those is
// sent as it comes, waking the receiver every time. Corked, the kernel
// sends only full segments until the cork is removed, which sends the
// rest at once: on loopback, where a segment holds 64 KiB, a 700 KB body
// goes in 11 segments instead of 44.
package tcpcork

import (
	"net"
	"syscall"
)

// Set corks (on) or uncorks c's socket, and reports whether it could. It
// does nothing where the system has no such option, or c is no TCP
// connection; a connection left as it was still works, only less
// efficiently.
func Set(c net.Conn, on bool) bool { return set(c, on) }

// Corked reports whether c's socket is corked; where the option does not
// exist it answers errors.ErrUnsupported.
func Corked(c syscall.Conn) (bool, error) { return corked(c) }
