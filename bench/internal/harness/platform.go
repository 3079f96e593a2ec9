package harness

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/rpc"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tencentyun/scf-go-lib/cloudfunction/messages"

	"github.com/faceid-verify/faceid/internal/syncbuf"
)

// FunctionURLEvent is a Function URL request (the same shape on Lambda and,
// as a subset of the API Gateway event, on SCF) posting body to /verify.
func FunctionURLEvent(body []byte, requestID string) []byte {
	b, _ := json.Marshal(map[string]any{
		"version": "2.0", "rawPath": "/verify", "rawQueryString": "", "path": "/verify", "httpMethod": "POST",
		"headers": map[string]string{"content-type": "application/json"}, "queryString": map[string]any{},
		"body": string(body), "isBase64Encoded": false,
		"requestContext": map[string]any{"requestId": requestID, "domainName": "bench.lambda-url.us-east-1.on.aws",
			"http": map[string]string{"method": "POST", "path": "/verify", "sourceIp": "203.0.113.1"}},
	})
	return b
}

// Passed reports whether a function's answer event carries a passed
// verification.
func Passed(answer []byte) bool {
	var a struct {
		StatusCode int    `json:"statusCode"`
		Body       string `json:"body"`
	}
	return json.Unmarshal(answer, &a) == nil && a.StatusCode == 200 && strings.Contains(a.Body, `"passed":true`)
}

// FreePort returns a loopback port that was free a moment ago.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// RIE is the Lambda bootstrap under the Runtime Interface Emulator. The
// emulator starts the bootstrap on the first invocation.
type RIE struct {
	cmd    *exec.Cmd
	url    string
	out    *syncbuf.Buffer
	Start  time.Time // when the emulator process was started
	Listen time.Time // when its invoke port first accepted a connection
}

// StartRIE starts rie with bootstrap and env, in its own process group so
// that stopping it also stops the bootstrap, and waits for its port.
func StartRIE(rie, bootstrap string, env []string) (*RIE, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	apiPort, err := FreePort()
	if err != nil {
		return nil, err
	}
	// The emulator runs in the bootstrap's directory: relative paths would
	// resolve from there.
	if rie, err = filepath.Abs(rie); err != nil {
		return nil, err
	}
	if bootstrap, err = filepath.Abs(bootstrap); err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(rie, "--runtime-interface-emulator-address", addr,
		"--runtime-api-address", "127.0.0.1:"+strconv.Itoa(apiPort), bootstrap)
	cmd.Dir = filepath.Dir(bootstrap)
	cmd.Env = env
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	r := &RIE{cmd: cmd, url: "http://" + addr + "/2015-03-31/functions/function/invocations", out: &syncbuf.Buffer{}}
	cmd.Stdout, cmd.Stderr = r.out, r.out
	r.Start = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	if err := waitPort(addr, 30*time.Second); err != nil {
		r.Stop()
		return nil, fmt.Errorf("rie: %v\n%s", err, r.out.String())
	}
	r.Listen = time.Now()
	return r, nil
}

// Invoke posts one event and returns the answer.
func (r *RIE) Invoke(event []byte) ([]byte, error) {
	resp, err := http.Post(r.url, "application/json", bytes.NewReader(event))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

var initReport = regexp.MustCompile(`INIT REPORT\(durationMs: ([0-9.]+)\)`)

// InitDuration is the init phase the emulator reported: from starting the
// bootstrap to its first request for an event.
func (r *RIE) InitDuration() (time.Duration, error) {
	m := initReport.FindStringSubmatch(r.out.String())
	if m == nil {
		return 0, fmt.Errorf("rie: no INIT REPORT in its output:\n%s", tail(r.out.String()))
	}
	ms, err := strconv.ParseFloat(m[1], 64)
	return time.Duration(ms * float64(time.Millisecond)), err
}

// BootstrapPID finds the bootstrap, the emulator's child.
func (r *RIE) BootstrapPID() (int, error) {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		return 0, err
	}
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) > 1 && f[1] == strconv.Itoa(r.cmd.Process.Pid) {
			return pid, nil
		}
	}
	return 0, fmt.Errorf("rie: no child process")
}

// Output is what the emulator and the bootstrap printed.
func (r *RIE) Output() string { return r.out.String() }

// Stop ends the emulator and the bootstrap.
func (r *RIE) Stop() {
	syscall.Kill(-r.cmd.Process.Pid, syscall.SIGKILL)
	r.cmd.Wait()
}

// SCF is the SCF function binary serving the runtime's net/rpc protocol.
type SCF struct {
	cmd    *exec.Cmd
	client *rpc.Client
	out    *syncbuf.Buffer
	Start  time.Time // when the process was started
	Ready  time.Time // when Function.Ping first answered
}

// StartSCF starts the binary as the SCF runtime does, with
// _LAMBDA_SERVER_PORT and nothing of ours in the environment, and connects
// as soon as the port answers Function.Ping (polled every 200µs).
func StartSCF(bin, home string, extraEnv ...string) (*SCF, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	cmd := exec.Command(bin)
	cmd.Env = append([]string{"_LAMBDA_SERVER_PORT=" + strconv.Itoa(port), "HOME=" + home}, extraEnv...)
	s := &SCF{cmd: cmd, out: &syncbuf.Buffer{}}
	cmd.Stdout, cmd.Stderr = s.out, s.out
	s.Start = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Microsecond) {
		c, err := rpc.Dial("tcp", addr)
		if err == nil {
			if err = c.Call("Function.Ping", &messages.PingRequest{}, &messages.PingResponse{}); err == nil {
				s.Ready, s.client = time.Now(), c
				return s, nil
			}
			c.Close()
		}
		if time.Now().After(deadline) {
			s.Stop()
			return nil, fmt.Errorf("scf: no Function.Ping answer: %v\n%s", err, tail(s.out.String()))
		}
	}
}

// Invoke calls Function.Invoke as the runtime does; env is the function's
// configuration, which SCF sends with every invocation.
func (s *SCF) Invoke(event []byte, id string, env map[string]string) ([]byte, error) {
	e, _ := json.Marshal(env)
	req := messages.InvokeRequest{
		Payload: event, RequestId: id, Environment: string(e),
		Deadline:     messages.InvokeRequest_Timestamp{Seconds: time.Now().Add(60 * time.Second).Unix()},
		FunctionName: "faceid", Namespace: "default", FunctionVersion: "$LATEST",
		MemoryLimitInMb: 128, TimeLimitInMs: 60000, TencentcloudRegion: "ap-guangzhou",
	}
	var resp messages.InvokeResponse
	if err := s.client.Call("Function.Invoke", &req, &resp); err != nil {
		return nil, err
	}
	if resp.Error != nil {
		return nil, fmt.Errorf("scf: invoke error %s", resp.Error.Message)
	}
	return resp.Payload, nil
}

// PID is the function process's id.
func (s *SCF) PID() int { return s.cmd.Process.Pid }

// Output is what the function printed.
func (s *SCF) Output() string { return s.out.String() }

// Stop ends the function.
func (s *SCF) Stop() {
	if s.client != nil {
		s.client.Close()
	}
	s.cmd.Process.Kill()
	s.cmd.Wait()
}

// SCFEnv is the configuration SCF would pass with each invocation, the
// sandbox as upstream, and what the process needs in its own environment
// for trust (see Trust).
func SCFEnv(sb *Sandbox, trust Trust) (invokeEnv map[string]string, processEnv []string) {
	invokeEnv = map[string]string{
		"FACEID_ENDPOINT": sb.Endpoint(), "FACEID_SECRET_ID": SecretID, "FACEID_SECRET_KEY": SecretKey,
	}
	if te := trustEnv(sb, trust); te != nil {
		return invokeEnv, te
	}
	invokeEnv["FACEID_CA_FILE"] = sb.CAFile
	return invokeEnv, nil
}

func waitPort(addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(200 * time.Microsecond)
	}
}

func tail(s string) string { return s[max(0, len(s)-2000):] }
