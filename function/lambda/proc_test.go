package main

import (
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/internal/proctest"
	"github.com/faceid-verify/faceid/internal/syncbuf"
)

// buildBootstrap builds this function as Lambda runs it, or skips the test
// when the toolchain cannot.
func buildBootstrap(t *testing.T) string {
	t.Helper()
	return proctest.GoBuild(t, "bootstrap", "-tags", "lambda.norpc", ".")
}

// buildRIE builds the Runtime Interface Emulator from the module cache (a
// tool dependency in go.mod, so no network is needed).
func buildRIE(t *testing.T) string {
	t.Helper()
	return proctest.GoBuild(t, "aws-lambda-rie", "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie")
}

// start runs cmd (killed with its children at cleanup) and waits until
// addr accepts connections.
func start(t *testing.T, cmd *exec.Cmd, addr string) *syncbuf.Buffer {
	t.Helper()
	out := proctest.Start(t, cmd)
	for deadline := time.Now().Add(15 * time.Second); ; {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not listening on %s: %v\n%s", cmd.Path, addr, err, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func addr(port int) string { return "127.0.0.1:" + strconv.Itoa(port) }
