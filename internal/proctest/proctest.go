// Package proctest holds the helpers tests use to build a binary, run it as
// a real process and show its output when they fail. Import it only from
// _test files.
package proctest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

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

// WaitUntil polls ready every 20 ms until it returns nil, and fails t
// with ready's last error and the output collected so far (out, which may
// be nil) if that takes over 30 s: what a test does after Start until the
// process serves.
func WaitUntil(t testing.TB, what string, out *syncbuf.Buffer, ready func() error) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		err := ready()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			msg := fmt.Sprintf("%s did not start: %v", what, err)
			if out != nil {
				msg += "\n" + out.String()
			}
			t.Fatal(msg)
		}
	}
}

// DialReady is a WaitUntil condition: addr accepts TCP connections.
func DialReady(addr string) func() error {
	return func() error {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
		}
		return err
	}
}

// RepoRoot is the module's root: the nearest folder above the test's
// working directory (its package's) that holds go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = up
	}
}
