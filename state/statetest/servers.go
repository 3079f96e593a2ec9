package statetest

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/faceid-verify/faceid/internal/proctest"
	"github.com/faceid-verify/faceid/state/dynamostate"
)

// Server is a store server a test started; it is stopped at the test's
// end, or earlier by Stop.
type Server struct {
	// Addr is host:port on loopback.
	Addr string
	// Env is what a process needs to reach it (DynamoDB: fake
	// credentials, region and AWS_ENDPOINT_URL_DYNAMODB).
	Env map[string]string
	cmd *exec.Cmd
}

// Stop kills the server now (the "store is down" tests).
func (s *Server) Stop() {
	s.cmd.Process.Kill()
	s.cmd.Wait()
}

// StartRedis runs `redis-server` on a free loopback port, without
// persistence, with extra arguments (e.g. "--requirepass", "pw"). It
// skips the test when redis-server is not installed.
func StartRedis(t testing.TB, extra ...string) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not found: the Redis store is not tested (apt-get install redis-server)")
	}
	port := strconv.Itoa(proctest.FreePort(t))
	args := append([]string{"--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"}, extra...)
	s := &Server{Addr: "127.0.0.1:" + port, cmd: exec.Command(bin, args...)}
	proctest.Start(t, s.cmd)
	proctest.WaitUntil(t, "redis-server", nil, func() error {
		c, err := net.DialTimeout("tcp", s.Addr, time.Second)
		if err != nil {
			return err
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(time.Second))
		c.Write([]byte("PING\r\n"))
		// +PONG, or -NOAUTH when a password is required: either way it
		// serves.
		_, err = bufio.NewReader(c).ReadString('\n')
		return err
	})
	return s
}

// StartMoto runs `moto_server`, a DynamoDB-compatible server, on a free
// loopback port, behind a proxy that passes one request at a time: moto
// serves requests on threads without locking an item between a condition
// and its write, whereas DynamoDB applies each conditional write to an
// item atomically, and the contract tests that. It skips the test when
// moto_server is not installed.
func StartMoto(t testing.TB) *Server {
	t.Helper()
	bin, err := exec.LookPath("moto_server")
	if err != nil {
		t.Skip("moto_server not found: the DynamoDB store is not tested (it comes with Python's moto[server])")
	}
	port := strconv.Itoa(proctest.FreePort(t))
	moto := &url.URL{Scheme: "http", Host: "127.0.0.1:" + port}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", port)
	proctest.Start(t, cmd)
	proctest.WaitUntil(t, "moto_server", nil, func() error {
		resp, err := http.Get(moto.String() + "/moto-api/")
		if err != nil {
			return err
		}
		resp.Body.Close()
		return nil
	})
	var one sync.Mutex
	proxy := httputil.NewSingleHostReverseProxy(moto)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		one.Lock()
		defer one.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)
	s := &Server{Addr: front.Listener.Addr().String(), cmd: cmd}
	s.Env = map[string]string{
		"AWS_ENDPOINT_URL_DYNAMODB": front.URL,
		"AWS_REGION":                "us-east-1",
		"AWS_ACCESS_KEY_ID":         "testing",
		"AWS_SECRET_ACCESS_KEY":     "testing",
		"AWS_SESSION_TOKEN":         "",
		// Nothing from this machine's own AWS setup, and no instance
		// metadata lookups.
		"AWS_CONFIG_FILE":             "/nonexistent",
		"AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
		"AWS_PROFILE":                 "",
		"AWS_EC2_METADATA_DISABLED":   "true",
	}
	return s
}

// SetEnv sets the server's environment for the test (t.Setenv).
func (s *Server) SetEnv(t testing.TB) {
	for k, v := range s.Env {
		t.Setenv(k, v)
	}
}

// CreateDynamoTable creates a table of the store's schema where the
// environment points the AWS SDK (StartMoto's server, after SetEnv).
func CreateDynamoTable(ctx context.Context, table string) error {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return err
	}
	return dynamostate.CreateTable(ctx, dynamodb.NewFromConfig(cfg), table)
}
