// Package proctest holds the helpers tests use to build a binary, run it as
// a real process and show its output when they fail. Import it only from
// _test files.
package proctest

import (
	"net"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/faceid-verify/faceid/internal/syncbuf"
)

// GoBuild runs `go build -o <temp dir>/name args...` without cgo and
// returns the binary's path, or skips the test when the toolchain cannot.
func GoBuild(t testing.TB, name string, args ...string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), name)
	cmd := exec.Command("go", append([]string{"build", "-o", bin}, args...)...)
	cmd.Env = append(cmd.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("cannot build %v (%v):\n%s", args, err, out)
	}
	return bin
}

// FreePort returns a loopback port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Output collects a process's output for failure messages; the mutex is
// Start starts cmd with its output collected, in its own process group so
// that children it starts (the Lambda emulator runs the function as one)
// are killed with it at cleanup. The output is logged if the test failed.
func Start(t testing.TB, cmd *exec.Cmd) *syncbuf.Buffer {
	t.Helper()
	out := &syncbuf.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	newGroup(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		killGroup(cmd)
		cmd.Wait()
		if t.Failed() {
			t.Logf("%s output:\n%s", filepath.Base(cmd.Path), out.String())
		}
	})
	return out
}
