package main

import (
	"os/exec"
	"strconv"
	"testing"

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
	proctest.WaitUntil(t, cmd.Path+" on "+addr, out, proctest.DialReady(addr))
	return out
}

func addr(port int) string { return "127.0.0.1:" + strconv.Itoa(port) }
