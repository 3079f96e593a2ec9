package core

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/core/hmacauth"
)

const (
	testID     = "110101199003070011"
	testSecret = "test-secret-key"
)

func testPhoto(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("../testdata/photos/small-320x240.jpg")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// upstream is a minimal seller: it checks the signature with the shared
// verifier and counts what reaches it.
type upstream struct {
	hits    atomic.Int64
	lastReq atomic.Pointer[url.Values]
	answer  func(w http.ResponseWriter, r *http.Request)
}

func (u *upstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u.hits.Add(1)
	v := &hmacauth.Verifier{Lookup: func(id string) (string, bool) { return testSecret, id == "test-id" }}
	if _, err := v.VerifyFor(r, hmacauth.AnyGateway); err != nil {
		f := err.(*hmacauth.Failure)
		w.WriteHeader(f.Status)
		io.WriteString(w, `{"message":"`+f.Message+`"}`)
		return
	}
	r.ParseForm()
	form := r.PostForm
	u.lastReq.Store(&form)
	if u.answer != nil {
		u.answer(w, r)
		return
	}
	io.WriteString(w, `{"msg":"成功","success":true,"code":200,"data":{"order_no":"568753443590770688","score":0.82,"msg":"系统判断为同一人","incorrect":100}}`)
}

func newTestClient(t testing.TB, endpoint string, opts ...Option) *Client {
	t.Helper()
	c, err := New(Config{Endpoint: endpoint, SecretID: "test-id", SecretKey: testSecret}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestVerifySendsSignedForm(t *testing.T) {
	for _, variant := range []hmacauth.Variant{hmacauth.XDate, hmacauth.Date, hmacauth.CloudMarket} {
		t.Run(string(variant), func(t *testing.T) {
			up := &upstream{}
			srv := httptest.NewServer(up)
			defer srv.Close()
			c, err := New(Config{Endpoint: srv.URL + "/release/face_id_card/post", SecretID: "test-id",
				SecretKey: testSecret, SignedHeaders: variant})
			if err != nil {
				t.Fatal(err)
			}
			photo := testPhoto(t)
			res, err := c.Verify(context.Background(), Request{Name: " 张三 ", IDCard: testID, Image: photo})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Passed || res.OrderNo != "568753443590770688" || res.Verdict != VerdictSame {
				t.Fatalf("result %+v", res)
			}
			got := *up.lastReq.Load()
			if got.Get("name") != "张三" || got.Get("idcard") != testID || got.Get("url") != "" || !got.Has("url") {
				t.Fatalf("form fields %v", got)
			}
			if up.hits.Load() != 1 {
				t.Fatalf("hits = %d", up.hits.Load())
			}
		})
	}
}

// Every locally rejectable request costs nothing: the upstream sees none.
func TestInvalidRequestsNeverCallUpstream(t *testing.T) {
	up := &upstream{}
	srv := httptest.NewServer(up)
	defer srv.Close()
	c := newTestClient(t, srv.URL)
	photo := testPhoto(t)
	reqs := map[string]Request{
		"bad checksum":  {Name: "张三", IDCard: "110101199003070012", Image: photo},
		"future birth":  {Name: "张三", IDCard: "110101209901010017", Image: photo},
		"bad name":      {Name: "张三3", IDCard: testID, Image: photo},
		"no photo":      {Name: "张三", IDCard: testID},
		"image and url": {Name: "张三", IDCard: testID, Image: photo, URL: "https://example.com/a.jpg"},
		"not an image":  {Name: "张三", IDCard: testID, Image: []byte("hello world, not a photo at all")},
		"ftp url":       {Name: "张三", IDCard: testID, URL: "ftp://example.com/a.jpg"},
		"url with user": {Name: "张三", IDCard: testID, URL: "https://u:p@example.com/a.jpg"},
		"bad base64":    {Name: "张三", IDCard: testID, ImageBase64: "!!!!"},
	}
	for name, req := range reqs {
		t.Run(name, func(t *testing.T) {
			_, err := c.Verify(context.Background(), req)
			var ve *ValidationError
			if !errors.As(err, &ve) || MayHaveReached(err) {
				t.Fatalf("err = %v, want a ValidationError", err)
			}
		})
	}
	if n := up.hits.Load(); n != 0 {
		t.Fatalf("upstream saw %d requests", n)
	}
}

func TestTransportFailures(t *testing.T) {
	photo := testPhoto(t)
	req := Request{Name: "张三", IDCard: testID, Image: photo}

	t.Run("connection refused is not sent", func(t *testing.T) {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		addr := ln.Addr().String()
		ln.Close()
		_, err := newTestClient(t, "http://"+addr).Verify(context.Background(), req)
		var te *TransportError
		if !errors.As(err, &te) || te.Op != "dial" || te.Sent || MayHaveReached(err) {
			t.Fatalf("err = %#v", err)
		}
	})
	t.Run("untrusted certificate is not sent", func(t *testing.T) {
		up := &upstream{}
		srv := httptest.NewUnstartedServer(up)
		srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
		srv.StartTLS()
		defer srv.Close()
		_, err := newTestClient(t, srv.URL).Verify(context.Background(), req)
		var te *TransportError
		if !errors.As(err, &te) || te.Op != "tls" || te.Sent {
			t.Fatalf("err = %v", err)
		}
		if up.hits.Load() != 0 {
			t.Fatal("request reached the server")
		}
	})
	t.Run("timeout after sending may have reached", func(t *testing.T) {
		up := &upstream{answer: func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}}
		srv := httptest.NewServer(up)
		defer srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		c, _ := New(Config{Endpoint: srv.URL, SecretID: "test-id", SecretKey: testSecret, DeadlineMargin: time.Millisecond})
		_, err := c.Verify(ctx, req)
		var te *TransportError
		if !errors.As(err, &te) || !te.Timeout || !te.Sent || !MayHaveReached(err) {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("no time left is not sent", func(t *testing.T) {
		up := &upstream{}
		srv := httptest.NewServer(up)
		defer srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		c, _ := New(Config{Endpoint: srv.URL, SecretID: "test-id", SecretKey: testSecret, DeadlineMargin: time.Second})
		_, err := c.Verify(ctx, req)
		var te *TransportError
		if !errors.As(err, &te) || te.Sent || !te.Timeout || up.hits.Load() != 0 {
			t.Fatalf("err = %v, hits %d", err, up.hits.Load())
		}
	})
	t.Run("redirect is not followed", func(t *testing.T) {
		up := &upstream{answer: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
		}}
		srv := httptest.NewServer(up)
		defer srv.Close()
		_, err := newTestClient(t, srv.URL).Verify(context.Background(), req)
		var ge *gatewayError
		if !errors.As(err, &ge) || ge.Status != http.StatusTemporaryRedirect || up.hits.Load() != 1 {
			t.Fatalf("err = %v, hits %d", err, up.hits.Load())
		}
	})
	t.Run("oversized answer", func(t *testing.T) {
		up := &upstream{answer: func(w http.ResponseWriter, r *http.Request) {
			w.Write(make([]byte, 1<<20))
		}}
		srv := httptest.NewServer(up)
		defer srv.Close()
		_, err := newTestClient(t, srv.URL).Verify(context.Background(), req)
		var re *responseError
		if !errors.As(err, &re) || re.Reason != "too_large" {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("wrong key is a gateway auth error", func(t *testing.T) {
		srv := httptest.NewServer(&upstream{})
		defer srv.Close()
		c, _ := New(Config{Endpoint: srv.URL, SecretID: "test-id", SecretKey: "wrong"})
		_, err := c.Verify(context.Background(), req)
		var ge *gatewayError
		if !errors.As(err, &ge) || !ge.auth() || ge.Message != hmacauth.MsgSignatureMismatch {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestWhenInDoubtBilled holds the billing rule (gatewayRefused and
// MayHaveReached): only the gateway's own refusals before forwarding are
// provably unbilled; every other answer, however odd, may have been
// billed, keeps its budget reservation and is never retried.
func TestWhenInDoubtBilled(t *testing.T) {
	cases := []struct {
		name   string
		status int
		header map[string]string
		body   string
		billed bool
	}{
		{"200 without the envelope", 200, nil, `{"message":"成功"}`, true},
		{"302 redirect", 302, map[string]string{"Location": "/elsewhere"}, ``, true},
		{"307 with a flat message", 307, map[string]string{"Location": "/elsewhere"}, `{"message":"moved"}`, true},
		{"401 gateway auth", 401, nil, `{"message":"HMAC signature cannot be verified, the x-date header is out of date for HMAC Authentication."}`, false},
		{"403 gateway auth", 403, nil, `{"message":"HMAC signature does not match"}`, false},
		{"404 gateway routing", 404, nil, `{"message":"There is no api match uri[/x]"}`, false},
		{"405 gateway method", 405, nil, `{"message":"Method Not Allowed."}`, false},
		{"426 gateway scheme", 426, nil, `{"message":"Not allow use HTTP protocol."}`, false},
		{"429 gateway rate limit", 429, nil, `{"message":"API rate limit exceeded."}`, false},
		{"429 gateway quota", 429, nil, `{"message":"API quota exceeded."}`, false},
		{"401 with an empty body", 401, nil, ``, true},
		{"403 in HTML", 403, nil, `<html>Forbidden</html>`, true},
		{"404 in the seller's envelope", 404, nil, `{"msg":"not found","success":false,"code":404,"data":{}}`, true},
		{"413 from the gateway", 413, nil, `{"message":"Request Entity Too Large."}`, true},
		{"481 gateway config", 481, nil, `{"message":"API config error."}`, true},
		{"500 gateway", 500, nil, `{"message":"Internal Server Error."}`, true},
		{"seller code 400", 200, nil, `{"msg":"入参错误","success":false,"code":400,"data":{}}`, true},
	}
	req := Request{Name: "张三", IDCard: testID, Image: testPhoto(t)}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			up := &upstream{}
			up.answer = func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}
			srv := httptest.NewServer(up)
			defer srv.Close()
			c, err := New(Config{Endpoint: srv.URL, SecretID: "test-id", SecretKey: testSecret, DailyBudget: 1})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Verify(context.Background(), req)
			if err == nil {
				t.Fatal("no error")
			}
			if got := MayHaveReached(err); got != tc.billed {
				t.Fatalf("%v: may have been billed = %v, want %v", err, got, tc.billed)
			}
			want := int64(1)
			if strings.Contains(tc.body, "x-date header is out of date") {
				// A refusal of our clock is re-signed once with the
				// answer's Date (clockskew.go): free, and refused again here.
				want = 2
			}
			if up.hits.Load() != want {
				t.Fatalf("%d requests reached the upstream, want %d (nothing else is retried)", up.hits.Load(), want)
			}
			// The budget of one call is kept for a possibly billed call and
			// refunded for a refused one.
			_, err = c.Verify(context.Background(), req)
			var be *BudgetError
			if errors.As(err, &be) != tc.billed {
				t.Fatalf("second call: %v; budget kept = %v, want %v", err, errors.As(err, &be), tc.billed)
			}
		})
	}
}

// TestUpstreamTextScrubbed: what the upstream writes reaches errors and
// results (and so every log, answer and upload result) with our key pair
// redacted and the request's ID number and name masked, through Verify
// and Send alike.
func TestUpstreamTextScrubbed(t *testing.T) {
	leak := "身份证" + testID + " 姓名张三 key=" + testSecret + " id=test-id"
	for _, body := range []string{
		`{"message":"` + leak + `"}`,
		`{"msg":"` + leak + `","success":false,"code":500,"data":{}}`,
		`{"msg":"` + leak + `","success":true,"code":200,"data":{"score":0.9,"msg":"` + leak + `","incorrect":100}}`,
	} {
		up := &upstream{answer: func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(body, "message") {
				w.WriteHeader(500)
			}
			io.WriteString(w, body)
		}}
		srv := httptest.NewServer(up)
		c := newTestClient(t, srv.URL)
		req := Request{Name: "张三", IDCard: testID, Image: testPhoto(t)}
		checked, err := req.Validate(context.Background(), c.Limits(), c.Now())
		if err != nil {
			t.Fatal(err)
		}
		for _, call := range []func() (*Result, error){
			func() (*Result, error) { return c.Verify(context.Background(), req) },
			func() (*Result, error) { return c.Send(context.Background(), checked) },
		} {
			res, err := call()
			text := fmt.Sprint(err)
			if res != nil {
				text = res.Msg + " " + res.DataMsg
			}
			if !strings.Contains(text, "姓名张* key=[redacted] id=[redacted]") {
				t.Errorf("upstream text not kept, masked: %s", text)
			}
			for _, s := range []string{testID, "张三", testSecret, "test-id"} {
				if strings.Contains(text, s) {
					t.Errorf("%q kept in %s", s, text)
				}
			}
		}
		srv.Close()
	}
}

// billingObserver records what each attempt may have cost.
type billingObserver struct {
	mu                     sync.Mutex
	possiblyBilled, billed int
}

func (o *billingObserver) UpstreamCall(_ string, possiblyBilled, billed bool, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if possiblyBilled {
		o.possiblyBilled++
	}
	if billed {
		o.billed++
	}
}

func (o *billingObserver) Avoided(string) {}

// TestCertainlyBilled: an answer with the seller's code 200 is billed, as
// the seller (and the sandbox) bill it, even when its data is unusable;
// every other answer is at most possibly billed.
func TestCertainlyBilled(t *testing.T) {
	cases := []struct {
		name                   string
		status                 int
		body                   string
		possiblyBilled, billed bool
	}{
		{"a verdict", 200, `{"code":200,"data":{"score":0.9,"incorrect":100}}`, true, true},
		{"name mismatch", 200, `{"code":200,"data":{"incorrect":101}}`, true, true},
		{"score outside 0-1", 200, `{"code":200,"data":{"score":92,"incorrect":100}}`, true, true},
		{"code 200 without data", 200, `{"code":200,"data":{}}`, true, true},
		{"seller 400", 200, `{"code":400,"msg":"入参错误","data":{}}`, true, false},
		{"unreadable JSON", 200, `{"code"=200`, true, false},
		{"gateway 502", 502, `{"message":"Bad Gateway."}`, true, false},
		{"gateway 403", 403, `{"message":"HMAC signature does not match"}`, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(&upstream{answer: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}})
			defer srv.Close()
			obs := &billingObserver{}
			c := newTestClient(t, srv.URL, WithObserver(obs))
			res, err := c.Verify(context.Background(), Request{Name: "张三", IDCard: testID, Image: testPhoto(t)})
			if cl := Classify(res, err); cl.Billed != tc.billed || cl.MayHaveReached != tc.possiblyBilled {
				t.Fatalf("%v: billed %v, possibly billed %v; want %v, %v", err, cl.Billed, cl.MayHaveReached, tc.billed, tc.possiblyBilled)
			}
			if obs.billed != b2i(tc.billed) || obs.possiblyBilled != b2i(tc.possiblyBilled) {
				t.Fatalf("observer: billed %d, possibly billed %d", obs.billed, obs.possiblyBilled)
			}
		})
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestCallerHangsUp: a call that has begun is finished whatever the
// caller does, and its answer returned; a caller gone before the call
// sends nothing and is told so.
func TestCallerHangsUp(t *testing.T) {
	req := Request{Name: "张三", IDCard: testID, Image: testPhoto(t)}
	t.Run("mid-call", func(t *testing.T) {
		arrived, release := make(chan struct{}), make(chan struct{})
		up := &upstream{}
		up.answer = func(w http.ResponseWriter, r *http.Request) {
			close(arrived)
			<-release
			io.WriteString(w, `{"msg":"成功","success":true,"code":200,"data":{"order_no":"1","score":0.82,"msg":"","incorrect":100}}`)
		}
		srv := httptest.NewServer(up)
		defer srv.Close()
		obs := &billingObserver{}
		c := newTestClient(t, srv.URL, WithObserver(obs))
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-arrived; cancel(); close(release) }()
		res, err := c.Verify(ctx, req)
		if err != nil || !res.Passed {
			t.Fatalf("res %+v, err %v; want the upstream's answer", res, err)
		}
		if obs.billed != 1 {
			t.Fatalf("observer: %d billed", obs.billed)
		}
	})
	t.Run("before the call", func(t *testing.T) {
		up := &upstream{}
		srv := httptest.NewServer(up)
		defer srv.Close()
		c, err := New(Config{Endpoint: srv.URL, SecretID: "test-id", SecretKey: testSecret, DailyBudget: 1})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err = c.Verify(ctx, req)
		var cc *ClientClosedError
		if !errors.As(err, &cc) || MayHaveReached(err) || Classify(nil, err).Outcome != "client_closed" || up.hits.Load() != 0 {
			t.Fatalf("err %v, %d requests sent; want a ClientClosedError and none", err, up.hits.Load())
		}
		// Nothing was spent of the budget.
		if _, err := c.Verify(context.Background(), req); err != nil {
			t.Fatalf("next call: %v", err)
		}
	})
}
