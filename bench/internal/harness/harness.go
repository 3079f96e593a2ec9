// Package harness holds what the benchmark programs share: building the
// project's binaries, starting the standalone TLS sandbox and the
// functions as child processes, test photos, and order statistics.
// Standard library only, so the measuring code adds nothing to measure.
package harness

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Sandbox credentials and an identity the sandbox passes.
const (
	SecretID  = "sandbox-secret-id"
	SecretKey = "sandbox-secret-key"
	Name      = "张三"
	IDCard    = "110101199003070011"
	// EndpointPath is the upstream's path, which the sandbox serves.
	EndpointPath = "/release/face_id_card/post"
)

// RepoRoot walks up from the working directory to the directory with
// go.mod.
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("harness: no go.mod above the working directory")
		}
		dir = parent
	}
}

// Build compiles the package pkg (an import path or ./dir relative to the
// repository root) into dir/name and returns the binary's path.
func Build(ctx context.Context, dir, name, pkg string, tags ...string) (string, error) {
	root, err := RepoRoot()
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, name)
	args := []string{"build", "-o", out}
	if len(tags) > 0 {
		args = append(args, "-tags", strings.Join(tags, ","))
	}
	cmd := exec.CommandContext(ctx, "go", append(args, pkg)...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
	}
	return out, nil
}

// Proc is a child process whose stderr is scanned for one JSON log line
// and then drained, so the child never blocks on a full pipe.
type Proc struct {
	Cmd   *exec.Cmd
	Start time.Time
	done  chan struct{}
}

// StartProc starts cmd and returns the value of key in the first JSON
// line on its stderr whose "msg" contains msg (any line when msg is "").
func StartProc(cmd *exec.Cmd, msg, key string, timeout time.Duration) (*Proc, string, error) {
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, "", err
	}
	p := &Proc{Cmd: cmd, Start: time.Now(), done: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	found := make(chan string, 1)
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		sent := false
		for sc.Scan() {
			if sent {
				continue
			}
			var line map[string]any
			if json.Unmarshal(sc.Bytes(), &line) != nil {
				continue
			}
			if m, _ := line["msg"].(string); strings.Contains(m, msg) {
				if v, ok := line[key].(string); ok {
					found <- v
					sent = true
				}
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	select {
	case v := <-found:
		return p, v, nil
	case <-p.done:
	case <-time.After(timeout):
	}
	p.Stop()
	return nil, "", fmt.Errorf("%s: no %q in a %q log line", filepath.Base(cmd.Path), key, msg)
}

// Stop ends the process and waits for it.
func (p *Proc) Stop() {
	if p.Cmd.ProcessState == nil {
		p.Cmd.Process.Kill()
		p.Cmd.Wait()
	}
	<-p.done
}

// Sandbox is the standalone sandbox serving HTTPS on a free loopback port.
type Sandbox struct {
	*Proc
	URL    string // https://127.0.0.1:port
	CAFile string // the certificate to trust
	// Dir is the temporary directory the certificate is in, for the
	// caller's files too; Stop removes it.
	Dir string
}

// Endpoint is the URL a client posts verifications to.
func (s *Sandbox) Endpoint() string { return s.URL + EndpointPath }

// StartSandbox makes a temporary directory named after prefix and runs the
// sandbox binary with -tls on a free port, writing its certificate there.
func StartSandbox(bin, prefix string) (*Sandbox, error) {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return nil, err
	}
	ca := filepath.Join(dir, "sandbox-ca.pem")
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-tls", "-tls-ca-out", ca)
	p, url, err := StartProc(cmd, "", "url", 30*time.Second)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &Sandbox{Proc: p, URL: url, CAFile: ca, Dir: dir}, nil
}

// Stop ends the sandbox and removes its directory.
func (s *Sandbox) Stop() {
	s.Proc.Stop()
	os.RemoveAll(s.Dir)
}

// Trust is how a function process comes to trust the sandbox's
// certificate.
type Trust string

const (
	// TrustCAFile sets FACEID_CA_FILE: core checks the file at init and
	// adds it to the system roots, which it loads at its first dial.
	TrustCAFile Trust = "ca-file"
	// TrustSystem makes the certificate the system roots (SSL_CERT_FILE),
	// as the real endpoint's CA is in production: nothing is loaded at
	// init, and Go reads the roots at the first handshake.
	TrustSystem Trust = "system"
	// TrustSandboxOnly is TrustSystem without the machine's certificate
	// directory (SSL_CERT_DIR names one that does not exist): the roots
	// are the sandbox's certificate alone. Go reads every file of the
	// default directory at the first handshake, which on this machine is
	// most of the first verification's time; this row shows the rest.
	TrustSandboxOnly Trust = "sandbox-only"
)

// trustEnv is the process environment that trust needs besides
// FACEID_CA_FILE.
func trustEnv(sb *Sandbox, trust Trust) []string {
	switch trust {
	case TrustSystem:
		return []string{"SSL_CERT_FILE=" + sb.CAFile}
	case TrustSandboxOnly:
		// A missing directory is skipped without an error (crypto/x509).
		return []string{"SSL_CERT_FILE=" + sb.CAFile, "SSL_CERT_DIR=" + filepath.Join(sb.Dir, "no-cert-dir")}
	}
	return nil
}

// FunctionEnv is the environment a function process gets: the sandbox as
// its upstream and nothing inherited but PATH, so no real endpoint or key
// can leak in.
func FunctionEnv(sb *Sandbox, dir string, trust Trust, extra ...string) []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + dir,
		"FACEID_ENDPOINT=" + sb.Endpoint(),
		"FACEID_SECRET_ID=" + SecretID, "FACEID_SECRET_KEY=" + SecretKey,
	}
	if te := trustEnv(sb, trust); te != nil {
		env = append(env, te...)
	} else {
		env = append(env, "FACEID_CA_FILE="+sb.CAFile)
	}
	return append(env, extra...)
}

// CPU is the user plus system time of an exited process.
func CPU(ps *os.ProcessState) time.Duration { return ps.UserTime() + ps.SystemTime() }

// Binaries maps the names the benchmark programs use to their packages and
// build tags.
var Binaries = map[string]struct{ Pkg, Tags string }{
	"sandbox":        {"./sandbox/cmd/sandbox", ""},
	"local":          {"./function/local", ""},
	"main":           {"./function/scf", ""},
	"bootstrap":      {"./function/lambda", "lambda.norpc"},
	"aws-lambda-rie": {"github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie", ""},
	"coreclient":     {"./bench/cmd/coreclient", ""},
}

// BuildAll builds the named Binaries into dir and returns their paths.
func BuildAll(ctx context.Context, dir string, names ...string) (map[string]string, error) {
	out := map[string]string{}
	for _, n := range names {
		b, ok := Binaries[n]
		if !ok {
			return nil, fmt.Errorf("harness: unknown binary %q", n)
		}
		var tags []string
		if b.Tags != "" {
			tags = []string{b.Tags}
		}
		p, err := Build(ctx, dir, n, b.Pkg, tags...)
		if err != nil {
			return nil, err
		}
		out[n] = p
	}
	return out, nil
}
