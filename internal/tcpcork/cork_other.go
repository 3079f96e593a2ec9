//go:build !linux

package tcpcork

import (
	"errors"
	"net"
	"syscall"
)

func set(net.Conn, bool) bool { return false }

func corked(syscall.Conn) (bool, error) { return false, errors.ErrUnsupported }
