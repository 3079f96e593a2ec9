// Package interop runs client programs in other languages, the product
// page's samples (internal/specsample) and clients of the project's own,
// as real processes, so that tests can hold the sandbox and the drop-in
// function to what those clients see. Each language's tool is looked up
// when needed and a test skips, saying what to install, when it is absent;
// .ci/run installs them all. Import it only from _test files.
package interop

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Output is what a client printed and how it ended.
type Output struct {
	Stdout, Stderr string
	// Exit is the exit status; -1 when the process did not finish.
	Exit int
}

func (o Output) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", o.Exit, o.Stdout, o.Stderr)
}

// runTimeout bounds one client's run, a JVM's start included.
const runTimeout = 60 * time.Second

// Runner runs clients for one test and its subtests.
type Runner struct {
	dir      string
	javaShim func() (string, error)
}

// NewRunner returns a Runner whose files live in t's temp dir.
func NewRunner(t testing.TB) *Runner {
	dir := t.TempDir()
	return &Runner{dir: dir, javaShim: sync.OnceValues(func() (string, error) { return compileJavaShim(dir) })}
}

// Run runs the program src in language lang (python, curl, php, node, go,
// csharp, java) and returns its output. It skips t when the language's
// tool is not installed.
func (r *Runner) Run(t testing.TB, lang, src string) Output {
	t.Helper()
	l, ok := langs[lang]
	if !ok {
		t.Fatalf("interop: no runner for %q", lang)
	}
	if reason := l.missing(); reason != "" {
		t.Skipf("the %s client cannot run: %s", lang, reason)
	}
	dir := t.TempDir()
	file := filepath.Join(dir, l.file)
	if err := os.WriteFile(file, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	return r.run(t, lang, l, dir, file, nil)
}

// OwnClients are the languages of the project's own clients of the Cloud
// Market API gateway (testdata/clients/cloudmarket.*).
var OwnClients = []string{"python", "node", "php"}

// RunOwn runs the project's own Cloud Market client in lang with env
// added to the environment (FACEID_URL, FACEID_ID, FACEID_KEY,
// FACEID_IDCARD, FACEID_NAME, FACEID_IMAGE_FILE). Such a client prints
// the HTTP status on its first line, then the body.
func (r *Runner) RunOwn(t testing.TB, lang string, env ...string) Output {
	t.Helper()
	l, ok := langs[lang]
	if !ok {
		t.Fatalf("interop: no runner for %q", lang)
	}
	if reason := l.missing(); reason != "" {
		t.Skipf("the %s client cannot run: %s", lang, reason)
	}
	file := filepath.Join(packageDir(), "testdata", "clients", "cloudmarket"+filepath.Ext(l.file))
	return r.run(t, lang, l, t.TempDir(), file, env)
}

func (r *Runner) run(t testing.TB, lang string, l language, dir, file string, env []string) Output {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd, err := l.command(ctx, r, dir, file)
	if err != nil {
		t.Fatalf("%s: %v", lang, err)
	}
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Dir = dir
	err = cmd.Run()
	out := Output{Stdout: stdout.String(), Stderr: stderr.String(), Exit: cmd.ProcessState.ExitCode()}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("%s: %v\n%s", lang, err, out)
	}
	if ctx.Err() != nil {
		t.Fatalf("%s client did not finish in %v\n%s", lang, runTimeout, out)
	}
	return out
}

// Available reports why lang cannot run here, or "" when it can.
func Available(lang string) string {
	l, ok := langs[lang]
	if !ok {
		return "no runner for " + lang
	}
	return l.missing()
}

type language struct {
	file    string
	missing func() string
	command func(ctx context.Context, r *Runner, dir, file string) (*exec.Cmd, error)
}

var langs = map[string]language{
	"python": {"client.py", need("python3"), func(ctx context.Context, _ *Runner, _, file string) (*exec.Cmd, error) {
		return exec.CommandContext(ctx, "python3", file), nil
	}},
	// The curl sample is one shell command line.
	"curl": {"client.sh", need("bash", "curl"), func(ctx context.Context, _ *Runner, _, file string) (*exec.Cmd, error) {
		return exec.CommandContext(ctx, "bash", file), nil
	}},
	"php": {"client.php", phpMissing, func(ctx context.Context, _ *Runner, _, file string) (*exec.Cmd, error) {
		return exec.CommandContext(ctx, "php", file), nil
	}},
	"node": {"client.js", nodeMissing, func(ctx context.Context, _ *Runner, _, file string) (*exec.Cmd, error) {
		cmd := exec.CommandContext(ctx, "node", file)
		cmd.Env = append(os.Environ(), "NODE_PATH="+nodeModules())
		return cmd, nil
	}},
	// go run builds outside the module: the samples use the standard library only.
	"go": {"main.go", need("go"), func(ctx context.Context, _ *Runner, _, file string) (*exec.Cmd, error) {
		cmd := exec.CommandContext(ctx, "go", "run", file)
		// For this machine, even when the tests run built for another
		// (make test-arm64 sets GOARCH).
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=", "GOOS=", "GOARCH=")
		return cmd, nil
	}},
	"csharp": {"client.cs", need("mcs", "mono"), func(ctx context.Context, _ *Runner, dir, file string) (*exec.Cmd, error) {
		exe := filepath.Join(dir, "client.exe")
		if out, err := exec.CommandContext(ctx, "mcs", "-nologo", "-out:"+exe, file).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("mcs: %v\n%s", err, out)
		}
		return exec.CommandContext(ctx, "mono", exe), nil
	}},
	// The Java sample is run by the source launcher, with the JDK's removed
	// sun.misc.BASE64Encoder supplied (testdata/java).
	"java": {"Demo.java", need("java", "javac"), func(ctx context.Context, r *Runner, _, file string) (*exec.Cmd, error) {
		shim, err := r.javaShim()
		if err != nil {
			return nil, err
		}
		// A client's run is short: the first JIT tier and one GC thread
		// start it in a third of the time.
		return exec.CommandContext(ctx, "java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
			"--patch-module", "jdk.unsupported="+shim, file), nil
	}},
}

func need(tools ...string) func() string {
	return func() string {
		for _, tool := range tools {
			if _, err := exec.LookPath(tool); err != nil {
				return tool + " is not installed"
			}
		}
		return ""
	}
}

func phpMissing() string {
	if _, err := exec.LookPath("php"); err != nil {
		return "php is not installed (apt-get install php-cli php-curl)"
	}
	if exec.Command("php", "-r", `exit(function_exists("curl_init") ? 0 : 1);`).Run() != nil {
		return "php has no curl extension (apt-get install php-curl)"
	}
	return ""
}

// NodeDir is the directory of the Node clients' package.json, which
// .ci/run installs with npm ci.
func NodeDir() string { return filepath.Join(packageDir(), "testdata", "node") }

func nodeModules() string { return filepath.Join(NodeDir(), "node_modules") }

func nodeMissing() string {
	if _, err := exec.LookPath("node"); err != nil {
		return "node is not installed"
	}
	for _, pkg := range []string{"crypto-js", "request"} {
		if _, err := os.Stat(filepath.Join(nodeModules(), pkg, "package.json")); err != nil {
			return fmt.Sprintf("the npm package %s is not installed (cd %s && npm ci)", pkg, NodeDir())
		}
	}
	return ""
}

// compileJavaShim compiles the stand-in into dir, once per Runner.
func compileJavaShim(dir string) (string, error) {
	out := filepath.Join(dir, "java-shim")
	src := filepath.Join(packageDir(), "testdata", "java")
	cmd := exec.Command("javac", "-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC", "--patch-module", "jdk.unsupported="+src, "-d", out,
		filepath.Join(src, "sun", "misc", "BASE64Encoder.java"))
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("javac the BASE64Encoder stand-in: %v\n%s", err, b)
	}
	return out, nil
}

// packageDir is this package's source directory, found from the module
// root, which tests run below.
func packageDir() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "internal", "interop")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// Normalize replaces each base URL in s by "<base>", so that the outputs
// of one client against two servers compare.
func Normalize(s string, bases ...string) string {
	for _, b := range bases {
		s = strings.ReplaceAll(s, strings.TrimRight(b, "/"), "<base>")
	}
	return s
}
