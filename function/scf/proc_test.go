package main

import (
	"bytes"
	"net"
	"net/rpc"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/tencentyun/scf-go-lib/cloudfunction/messages"
)

// buildMain builds this function as SCF runs it, or skips the test when
// the toolchain cannot.
func buildMain(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "main")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Env = append(cmd.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("cannot build the function (%v):\n%s", err, out)
	}
	return bin
}

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// syncBuffer collects the function's output for failure messages.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startFunction runs the binary as the SCF runtime does (_LAMBDA_SERVER_PORT
// and nothing else of ours in the environment) and connects to it over
// net/rpc once Function.Ping answers.
func startFunction(t *testing.T, bin string) (*rpc.Client, *syncBuffer) {
	t.Helper()
	port := strconv.Itoa(freePort(t))
	cmd := exec.Command(bin)
	cmd.Env = []string{"_LAMBDA_SERVER_PORT=" + port, "HOME=" + t.TempDir()}
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("function output:\n%s", out.String())
		}
	})
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		c, err := rpc.Dial("tcp", "127.0.0.1:"+port)
		if err == nil {
			if err = c.Call("Function.Ping", &messages.PingRequest{}, &messages.PingResponse{}); err == nil {
				t.Cleanup(func() { c.Close() })
				return c, out
			}
			c.Close()
		}
		if time.Now().After(deadline) {
			t.Fatalf("function not answering Function.Ping on port %s: %v\n%s", port, err, out.String())
		}
	}
}
