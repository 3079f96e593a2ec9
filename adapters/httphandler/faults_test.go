package httphandler

import (
	"context"
	"encoding/json"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/internal/syncbuf"
	"github.com/faceid-verify/faceid/metrics"
	"github.com/faceid-verify/faceid/sandbox"
)

// blackhole returns a loopback address whose accept queue is full, so a new
// connection attempt hangs until the dialer gives up: a connect timeout
// without leaving this machine.
func blackhole(t *testing.T) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Skipf("raw socket: %v", err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, _ := syscall.Getsockname(fd)
	addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: sa.(*syscall.SockaddrInet4).Port}
	// Fill the queue (backlog 0 admits one) and keep it full.
	for i := 0; i < 4; i++ {
		c, err := net.DialTimeout("tcp", addr.String(), 200*time.Millisecond)
		if err != nil {
			break
		}
		t.Cleanup(func() { c.Close() })
	}
	return addr.String()
}

type faultCase struct {
	name    string
	sandbox sandbox.Config
	core    core.Config
	fault   *sandbox.Fault
	// endpoint, when set, replaces the sandbox's address.
	endpoint func(t *testing.T, sbURL string) string
	tls      bool
	seller   http.HandlerFunc // a stand-in seller for answers the sandbox cannot give
	calls    int              // requests to send; the last one is checked
	status   int
	kind     string
	charged  bool
}

func TestFaultMatrix(t *testing.T) {
	defer goleak.VerifyNone(t)
	closed := func(t *testing.T, _ string) string {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		ln.Close()
		return "http://" + ln.Addr().String() + "/release/face_id_card/post"
	}
	// Short client bounds against much slower faults: the gap absorbs a
	// loaded machine and the race detector.
	short := core.Config{Timeout: 1500 * time.Millisecond, ResponseHeaderTimeout: time.Second, DialTimeout: 300 * time.Millisecond}
	start := time.Now()
	frozen := func() time.Time { return start }
	fault := func(kind string, status int, lat time.Duration) *sandbox.Fault {
		return &sandbox.Fault{Kind: kind, Status: status, Latency: lat, Times: 1}
	}
	cases := []faultCase{
		{name: "connect refused", endpoint: closed, status: 502, kind: "upstream_unavailable", charged: false},
		{name: "connect timeout", core: short, endpoint: func(t *testing.T, _ string) string {
			return "http://" + blackhole(t) + "/release/face_id_card/post"
		}, status: 504, kind: "upstream_timeout", charged: false},
		{name: "untrusted certificate", tls: true, status: 502, kind: "upstream_unavailable", charged: false},
		{name: "slow headers", core: short, fault: fault(sandbox.FaultLatency, 0, 8*time.Second), status: 504, kind: "upstream_timeout", charged: true},
		{name: "slow body", core: short, fault: fault(sandbox.FaultSlowBody, 0, 8*time.Second), status: 504, kind: "upstream_timeout", charged: true},
		{name: "stalled body", core: short, fault: fault(sandbox.FaultStall, 0, 0), status: 504, kind: "upstream_timeout", charged: true},
		{name: "reset before answer", fault: fault(sandbox.FaultReset, 0, 0), status: 502, kind: "upstream_unavailable", charged: true},
		{name: "reset mid body", fault: fault(sandbox.FaultResetMidBody, 0, 0), status: 502, kind: "upstream_unavailable", charged: true},
		{name: "gateway 500", fault: fault(sandbox.FaultStatus, 500, 0), status: 502, kind: "upstream_unavailable", charged: true},
		{name: "gateway 502", fault: fault(sandbox.FaultStatus, 502, 0), status: 502, kind: "upstream_unavailable", charged: true},
		{name: "gateway 503", fault: fault(sandbox.FaultStatus, 503, 0), status: 502, kind: "upstream_unavailable", charged: true},
		{name: "gateway 504", fault: fault(sandbox.FaultStatus, 504, 0), status: 504, kind: "upstream_timeout", charged: true},
		{name: "our key rejected (403)", core: core.Config{SecretID: sandbox.DefaultSecretID, SecretKey: "wrong-key"}, status: 502, kind: "upstream_auth", charged: false},
		{name: "our id unknown (403)", core: core.Config{SecretID: "nobody", SecretKey: "k-unknown"}, status: 502, kind: "upstream_auth", charged: false},
		// Refused for its date even after the one re-sign with the answer's Date.
		{name: "our clock off, refused again (401)", core: core.Config{}, seller: func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(401)
			io.WriteString(w, `{"message":"HMAC signature cannot be verified, the x-date header is out of date for HMAC Authentication."}`)
		}, status: 502, kind: "upstream_auth", charged: false},
		// A frozen clock keeps both calls in one rate window.
		{name: "rate limited", sandbox: sandbox.Config{RateLimit: 1, Now: frozen}, calls: 2, status: 429, kind: "rate_limited", charged: false},
		{name: "quota exceeded", sandbox: sandbox.Config{Quota: 1}, calls: 2, status: 429, kind: "quota_exceeded", charged: false},
		{name: "seller 400", seller: func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"msg":"入参错误,身份证号[idcard]格式错误","success":false,"code":400,"data":{}}`)
		}, status: 400, kind: "seller", charged: true},
		{name: "malformed JSON", fault: fault(sandbox.FaultMalformed, 0, 0), status: 502, kind: "upstream_malformed", charged: true},
		{name: "truncated JSON", fault: fault(sandbox.FaultTruncated, 0, 0), status: 502, kind: "upstream_malformed", charged: true},
		{name: "body over the cap", fault: fault(sandbox.FaultOversize, 0, 0), status: 502, kind: "upstream_malformed", charged: true},
		{name: "empty 200", fault: fault(sandbox.FaultEmpty, 0, 0), status: 502, kind: "upstream_malformed", charged: true},
		{name: "200 without the envelope", seller: func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"message":"成功"}`)
		}, status: 502, kind: "upstream_malformed", charged: true},
		{name: "score outside 0-1", seller: func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"msg":"成功","success":true,"code":200,"data":{"order_no":"1","score":92,"msg":"系统判断为同一人","incorrect":100}}`)
		}, status: 502, kind: "upstream_malformed", charged: true},
		{name: "redirect", seller: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		}, status: 502, kind: "upstream_unavailable", charged: true},
		{name: "answer headers over the cap", seller: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-Pad", strings.Repeat("a", 1<<20))
			io.WriteString(w, `{"msg":"成功","success":true,"code":200,"data":{"order_no":"1","score":0.9,"msg":"","incorrect":100}}`)
		}, status: 502, kind: "upstream_malformed", charged: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { runFaultCase(t, tc) })
	}
	// Seller codes from the identity table.
	for _, sc := range []struct {
		id, name string
		status   int
	}{{"360102199306180149", "沈六", 502}, {"370102198009090152", "韩七", 502}, {"410102199711110165", "杨八", 502}, {"420102197503150173", "朱九", 503}} {
		t.Run("seller "+sc.name, func(t *testing.T) {
			f := newFixture(t, sandbox.Config{}, core.Config{}, Options{})
			resp, body := f.do(jsonReq("/verify", map[string]string{"idcard": sc.id, "name": sc.name, "image": f.photo}))
			if resp.StatusCode != sc.status || body["error"].(map[string]any)["kind"] != "seller" {
				t.Fatalf("%d %v", resp.StatusCode, body)
			}
			f.close()
		})
	}
}

func runFaultCase(t *testing.T, tc faultCase) {
	sb := sandbox.New(tc.sandbox)
	var handler http.Handler = sb
	if tc.seller != nil {
		handler = tc.seller
	}
	srv := httptest.NewUnstartedServer(handler)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	if tc.tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	defer srv.Close()
	defer sb.Close()
	cfg := tc.core
	if cfg.SecretID == "" {
		cfg.SecretID, cfg.SecretKey = sandbox.DefaultSecretID, sandbox.DefaultSecretKey
	}
	cfg.Endpoint = srv.URL + "/release/face_id_card/post"
	if tc.endpoint != nil {
		cfg.Endpoint = tc.endpoint(t, srv.URL)
	}
	reg, err := metrics.New(metrics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	client, err := core.New(cfg, core.WithObserver(reg))
	if err != nil {
		t.Fatal(err)
	}
	defer client.CloseIdleConnections()
	if tc.fault != nil {
		if err := sb.InjectFault(*tc.fault); err != nil {
			t.Fatal(err)
		}
	}
	logs := &syncbuf.Buffer{}
	h := New(Options{Verifier: client, Logger: newJSONLogger(logs)})
	photo := loadPhoto(t)
	calls := max(tc.calls, 1)
	var resp *http.Response
	var body map[string]any
	var elapsed time.Duration
	var billedBefore int64
	const deadline = 6 * time.Second
	for i := 0; i < calls; i++ {
		billedBefore = sb.Stats().Billable // the invariant below is about the last call
		ctx, cancel := context.WithTimeout(context.Background(), deadline)
		r := jsonReq("/verify", map[string]string{"idcard": passID, "name": "张三", "image": photo}).WithContext(ctx)
		w := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(w, r)
		elapsed = time.Since(start)
		cancel()
		resp = w.Result()
		body = map[string]any{}
		json.Unmarshal(w.Body.Bytes(), &body)
	}
	e, _ := body["error"].(map[string]any)
	if resp.StatusCode != tc.status || e["kind"] != tc.kind {
		t.Fatalf("status %d kind %v, want %d %s: %v", resp.StatusCode, e["kind"], tc.status, tc.kind, body)
	}
	if e["may_have_charged"] != tc.charged {
		t.Errorf("may_have_charged = %v, want %v", e["may_have_charged"], tc.charged)
	}
	// The money invariant: whenever the sandbox billed, we must not have
	// told the caller it was free.
	if billed := sb.Stats().Billable - billedBefore; billed > 0 && e["may_have_charged"] != true {
		t.Errorf("sandbox billed %d calls but the answer says not charged", billed)
	}
	// The money metrics bound the sandbox's bill from both sides: what
	// they call billed was billed, and nothing billed is missing from
	// what they call possibly billed.
	if s, billed := reg.Snapshot(), sb.Stats().Billable; tc.seller == nil && (s.BilledCalls > billed || billed > s.PossiblyBilledCalls) {
		t.Errorf("metrics: %d billed, %d possibly billed; the sandbox billed %d", s.BilledCalls, s.PossiblyBilledCalls, billed)
	}
	if elapsed >= deadline {
		t.Errorf("answered after %s, past the caller's deadline", elapsed)
	}
	if !strings.Contains(logs.String(), `"outcome":"`+tc.kind+`"`) {
		t.Errorf("no log line with outcome %s: %s", tc.kind, logs.String())
	}
}
