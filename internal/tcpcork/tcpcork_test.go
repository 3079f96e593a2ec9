package tcpcork

import (
	"errors"
	"net"
	"runtime"
	"testing"
)

func TestSet(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	tc := c.(*net.TCPConn)
	for _, on := range []bool{true, false, true, false} {
		ok := Set(c, on)
		got, err := Corked(tc)
		if runtime.GOOS != "linux" {
			if ok || !errors.Is(err, errors.ErrUnsupported) {
				t.Fatalf("Set = %v, Corked error %v; want false and ErrUnsupported off Linux", ok, err)
			}
			return
		}
		if !ok || err != nil || got != on {
			t.Fatalf("Set(%v) = %v; Corked = %v, %v", on, ok, got, err)
		}
	}
}

// Anything but a TCP connection is left alone.
func TestSetOtherConn(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	if Set(a, true) {
		t.Fatal("Set corked a pipe")
	}
}
