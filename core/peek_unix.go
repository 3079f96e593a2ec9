//go:build unix

package core

import (
	"errors"
	"net"
	"syscall"
)

// peekSocket looks at a connection's socket without reading from it or
// waiting: MSG_PEEK leaves any bytes for the reader.
func peekSocket(c net.Conn) int {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return socketClosed
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return socketClosed
	}
	var (
		n    int
		perr error
		b    [1]byte
	)
	err = rc.Read(func(fd uintptr) bool {
		n, _, perr = syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		return true // one look, never a wait
	})
	switch {
	case err != nil:
		return socketClosed
	case errors.Is(perr, syscall.EAGAIN) || errors.Is(perr, syscall.EWOULDBLOCK):
		return socketIdle
	case perr == nil && n > 0:
		return socketPending
	}
	return socketClosed // n == 0: the peer closed it; or reset
}
