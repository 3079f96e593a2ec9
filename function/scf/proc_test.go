package main

import (
	"net/rpc"
	"os/exec"
	"strconv"
	"testing"

	"github.com/tencentyun/scf-go-lib/cloudfunction/messages"

	"github.com/faceid-verify/faceid/internal/proctest"
	"github.com/faceid-verify/faceid/internal/syncbuf"
)

// buildMain builds this function as SCF runs it, or skips the test when
// the toolchain cannot.
func buildMain(t *testing.T) string {
	t.Helper()
	return proctest.GoBuild(t, "main", ".")
}

// startFunction runs the binary as the SCF runtime does (_LAMBDA_SERVER_PORT
// and nothing else of ours in the environment) and connects to it over
// net/rpc once Function.Ping answers.
func startFunction(t *testing.T, bin string) (*rpc.Client, *syncbuf.Buffer) {
	t.Helper()
	port := strconv.Itoa(proctest.FreePort(t))
	cmd := exec.Command(bin)
	cmd.Env = []string{"_LAMBDA_SERVER_PORT=" + port, "HOME=" + t.TempDir()}
	out := proctest.Start(t, cmd)
	var c *rpc.Client
	proctest.WaitUntil(t, "Function.Ping on port "+port, out, func() error {
		var err error
		if c, err = rpc.Dial("tcp", "127.0.0.1:"+port); err != nil {
			return err
		}
		if err = c.Call("Function.Ping", &messages.PingRequest{}, &messages.PingResponse{}); err != nil {
			c.Close()
		}
		return err
	})
	t.Cleanup(func() { c.Close() })
	return c, out
}
