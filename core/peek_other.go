//go:build !unix

package core

import "net"

// peekSocket cannot look at a socket here without reading from it, so no
// idle connection is reused: each call dials afresh.
func peekSocket(net.Conn) int { return socketClosed }
