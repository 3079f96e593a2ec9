package httphandler

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/core/hmacauth"
	"github.com/faceid-verify/faceid/sandbox"
)

// The drop-in surface answers as the upstream does where the product
// page's clients can tell. Each test sends the same request to the handler
// and to the sandbox, the upstream's stand-in, and compares.

const (
	dropID, dropKey = "client-id", "client-secret"
	servicePath     = "/service-ndq49qvj/face_id_card/post"
)

// both sends a request built by mk to the drop-in handler (signed with the
// client key) and to the sandbox (signed with the sandbox's key).
func (f *fixture) both(t *testing.T, mk func() *http.Request, sign bool) (fn, sb *httptest.ResponseRecorder) {
	t.Helper()
	fn, sb = httptest.NewRecorder(), httptest.NewRecorder()
	r := mk()
	if sign {
		signXDate(r, dropID, dropKey)
	}
	f.handler.ServeHTTP(fn, r)
	r = mk()
	if sign {
		signXDate(r, sandbox.DefaultSecretID, sandbox.DefaultSecretKey)
	}
	f.sb.ServeHTTP(sb, r)
	return fn, sb
}

// signXDate signs r as the market's samples do, with a source of its own:
// two different requests under one signature are refused as a replay
// (replay.go), and the samples' signatures change only once a second.
func signXDate(r *http.Request, id, key string) {
	hmacauth.Sign(r.Header, hmacauth.Credentials{SecretID: id, SecretKey: key, Source: freshSource(), Variant: hmacauth.XDate}, time.Now())
}

// upstreamFields are the fields of an answer the upstream defines.
type upstreamFields struct {
	Msg     string `json:"msg"`
	Success bool   `json:"success"`
	Code    int    `json:"code"`
	Data    struct {
		Score     float64 `json:"score"`
		Msg       string  `json:"msg"`
		Incorrect int     `json:"incorrect"`
	} `json:"data"`
	Message string `json:"message"` // the gateway's
}

func readFields(t *testing.T, w *httptest.ResponseRecorder) upstreamFields {
	t.Helper()
	var u upstreamFields
	if err := json.Unmarshal(w.Body.Bytes(), &u); err != nil {
		t.Fatalf("answer is not JSON: %v: %q", err, w.Body)
	}
	return u
}

// fieldOf returns the bracketed field of a 400 message, "[idcard]".
func fieldOf(msg string) string {
	i, j := strings.IndexByte(msg, '['), strings.IndexByte(msg, ']')
	if i < 0 || j < i {
		return ""
	}
	return msg[i : j+1]
}

func TestBodyOpeningWithBraceIsJSON(t *testing.T) {
	f := newFixture(t, sandbox.Config{}, core.Config{}, Options{})
	js := `{"idcard":"` + passID + `","name":"张三","image":"` + f.photo + `"}`
	form := url.Values{"idcard": {passID}, "name": {"张三"}, "image": {f.photo}}.Encode()
	tests := []struct {
		name, contentType, body string
		code                    float64
	}{
		// curl -d sends its default form type, as the product page's curl sample does.
		{"JSON as curl's default form type", "application/x-www-form-urlencoded", js, 200},
		// Tencent's SCF Function URL sample event has no Content-Type.
		{"JSON without a Content-Type", "", js, 200},
		{"JSON after whitespace", "application/x-www-form-urlencoded", " \r\n\t" + js, 200},
		{"JSON as text/plain", "text/plain", js, 200},
		{"JSON with a malformed Content-Type", "application/", js, 200},
		{"a form without a Content-Type", "", form, 200},
		{"a form as a form", "application/x-www-form-urlencoded", form, 200},
		{"JSON with a trailing comma", "application/x-www-form-urlencoded", strings.TrimSuffix(js, "}") + ",}", 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f.sb.ResetStats()
			r := httptest.NewRequest("POST", "/verify", strings.NewReader(tc.body))
			if tc.contentType != "" {
				r.Header.Set("Content-Type", tc.contentType)
			}
			_, body := f.do(r)
			if body["code"] != tc.code {
				t.Fatalf("code %v, want %v: %v", body["code"], tc.code, body)
			}
			if want := int64(map[float64]int{200: 1}[tc.code]); f.sb.Stats().Billable != want {
				t.Errorf("billable %d, want %d", f.sb.Stats().Billable, want)
			}
		})
	}
	// The curl sample's own body ends in a comma: the seller cannot read
	// it, and neither can the function; both say so the same way.
	t.Run("the curl sample's body, as the sandbox answers it", func(t *testing.T) {
		mk := func() *http.Request {
			r := httptest.NewRequest("POST", "/release/face_id_card/post",
				strings.NewReader(`{"idcard":"`+passID+`","image":"`+f.photo+`","name":"张三","url":"",}`))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}
		fn, sb := f.both(t, mk, true)
		got, want := readFields(t, fn), readFields(t, sb)
		if fn.Code != sb.Code || got != want {
			t.Fatalf("function %d %+v, sandbox %d %+v", fn.Code, got, sb.Code, want)
		}
	})
}

func TestBodyType(t *testing.T) {
	for _, tc := range []struct {
		ct, body, want string
		err            bool
	}{
		{"", "", typeForm, false},
		{"", "{", typeJSON, false},
		{"application/x-www-form-urlencoded", "\n{}", typeJSON, false},
		{"application/x-www-form-urlencoded", "a={", typeForm, false},
		{"application/json", "[]", typeJSON, false},
		{"application/json; charset=utf-8", "", typeJSON, false},
		{"text/plain", "x", "text/plain", false},
		{"text/plain", "\v{", "text/plain", false}, // not JSON whitespace
		{"a/", "x", "", true},
	} {
		got, err := bodyType(tc.ct, tc.body)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("bodyType(%q, %q) = %q, %v; want %q, error %v", tc.ct, tc.body, got, err, tc.want, tc.err)
		}
	}
}

// On the upstream's paths the function answers with the upstream's HTTP
// statuses; /verify keeps its own.
func TestUpstreamPathStatuses(t *testing.T) {
	// The seller's refusals would open the circuit breaker.
	f := newFixture(t, sandbox.Config{}, core.Config{BreakerThreshold: -1}, Options{ClientKeys: map[string]string{dropID: dropKey}})
	req := func(path, id, name string) func() *http.Request {
		return func() *http.Request {
			return formReq(path, url.Values{"idcard": {id}, "name": {name}, "image": {f.photo}, "url": {""}}.Encode())
		}
	}
	tests := []struct {
		name     string
		id, nm   string
		unsigned bool
		verify   int // status on /verify
		upstream int // status on the upstream's paths, as the sandbox answers
	}{
		{name: "same person", id: passID, nm: "张三", verify: 200, upstream: 200},
		{name: "seller 404", id: "360102199306180149", nm: "沈六", verify: 502, upstream: 200},
		{name: "seller 500", id: "370102198009090152", nm: "韩七", verify: 502, upstream: 200},
		{name: "seller 501", id: "410102199711110165", nm: "杨八", verify: 502, upstream: 200},
		{name: "seller 604", id: "420102197503150173", nm: "朱九", verify: 503, upstream: 200},
		{name: "bad input found locally", id: "110101199003070012", nm: "张三", verify: 400, upstream: 200},
		{name: "no name", id: passID, nm: "", verify: 400, upstream: 200},
		{name: "unsigned", id: passID, nm: "张三", unsigned: true, verify: 401, upstream: 401},
	}
	for _, tc := range tests {
		for _, path := range []string{"/verify", "/release/face_id_card/post", "/test/face_id_card/post", servicePath} {
			t.Run(tc.name+path, func(t *testing.T) {
				w := httptest.NewRecorder()
				r := req(path, tc.id, tc.nm)()
				if !tc.unsigned {
					signXDate(r, dropID, dropKey)
				}
				f.handler.ServeHTTP(w, r)
				want := tc.upstream
				if path == "/verify" {
					want = tc.verify
				}
				if w.Code != want {
					t.Fatalf("status %d, want %d: %s", w.Code, want, w.Body)
				}
			})
		}
		// The sandbox answers the same on its own path: the same status
		// and the same upstream fields, except that a local rejection
		// names the field in the function's own words.
		t.Run(tc.name+" as the sandbox", func(t *testing.T) {
			fn, sb := f.both(t, req("/release/face_id_card/post", tc.id, tc.nm), !tc.unsigned)
			got, want := readFields(t, fn), readFields(t, sb)
			if fn.Code != sb.Code {
				t.Fatalf("function %d, sandbox %d", fn.Code, sb.Code)
			}
			if got.Code == 400 && want.Code == 400 && fieldOf(got.Msg) == fieldOf(want.Msg) && fieldOf(got.Msg) != "" {
				got.Msg = want.Msg
			}
			if got != want {
				t.Fatalf("function %+v\nsandbox  %+v", got, want)
			}
		})
	}
	// Gateway-level refusals keep their statuses everywhere.
	t.Run("wrong key", func(t *testing.T) {
		r := req(servicePath, passID, "张三")()
		signXDate(r, dropID, "not-"+dropKey)
		w := httptest.NewRecorder()
		f.handler.ServeHTTP(w, r)
		if w.Code != 403 || w.Body.String() != `{"message":"HMAC signature does not match"}` {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
	})
	t.Run("too large", func(t *testing.T) {
		r := formReq("/release/face_id_card/post", "image="+strings.Repeat("A", DefaultMaxBody+1))
		signXDate(r, dropID, dropKey)
		w := httptest.NewRecorder()
		f.handler.ServeHTTP(w, r)
		if w.Code != 413 {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
	})
}

func TestUpstreamPathStatusesWithoutDropInKeys(t *testing.T) {
	f := newFixture(t, sandbox.Config{Quota: 1}, core.Config{}, Options{})
	for i, want := range []int{200, 429} { // the quota's 429 is the gateway's
		resp, body := f.do(formReq(servicePath, url.Values{"idcard": {passID}, "name": {"张三"}, "image": {f.photo}}.Encode()))
		if resp.StatusCode != want {
			t.Fatalf("call %d: status %d, want %d: %v", i+1, resp.StatusCode, want, body)
		}
	}
	r := formReq(servicePath, "x")
	r.Header.Set("Content-Type", "text/plain")
	if resp, body := f.do(r); resp.StatusCode != 200 || body["code"] != 400.0 {
		t.Fatalf("wrong content type: %d %v", resp.StatusCode, body)
	}
}

func TestRouteSegments(t *testing.T) {
	for path, want := range map[string]bool{
		"/release/face_id_card/post":           true,
		"/prepub/face_id_card/post":            true,
		"/service-ndq49qvj/face_id_card/post":  true,
		"/service-12345678/face_id_card/post":  true,
		"/service-NDQ49QVJ/face_id_card/post":  false,
		"/service-ndq49qv/face_id_card/post":   false,
		"/service-ndq49qvjj/face_id_card/post": false,
		"/service-ndq49-vj/face_id_card/post":  false,
		"/staging/face_id_card/post":           false,
		"/verify":                              false,
		"/a/release/face_id_card/post":         false,
		"/release/face_id_card/post/":          false,
	} {
		if got := isUpstreamPath(path); got != want {
			t.Errorf("isUpstreamPath(%q) = %v", path, got)
		}
	}
}

// Unknown paths and methods get the gateway's JSON, byte for byte as the
// sandbox writes it.
func TestGatewayStyleNoRoute(t *testing.T) {
	f := newFixture(t, sandbox.Config{}, core.Config{}, Options{ClientKeys: map[string]string{dropID: dropKey},
		Uploads: unroutedUploads{t}})
	tests := []struct {
		method, path string
		status       int
		body         string
		sandbox      bool // the sandbox serves the same path the same way
	}{
		{"GET", "/", 404, `{"message":"There is no api match uri[\/]"}`, true},
		{"POST", "/nope", 404, `{"message":"There is no api match uri[\/nope]"}`, true},
		{"POST", "/staging/face_id_card/post", 404, `{"message":"There is no api match uri[\/staging\/face_id_card\/post]"}`, true},
		{"POST", "/release/face_id_card/post/", 404, `{"message":"There is no api match uri[\/release\/face_id_card\/post\/]"}`, true},
		{"POST", "/service-NDQ49QVJ/face_id_card/post", 404, `{"message":"There is no api match uri[\/service-NDQ49QVJ\/face_id_card\/post]"}`, true},
		{"GET", "/service-abc/face_id_card/post", 404, `{"message":"There is no api match uri[\/service-abc\/face_id_card\/post]"}`, true},
		// Paths net/http's mux would redirect to a clean form (301): the
		// gateway matches the path as sent.
		{"POST", "//verify", 404, `{"message":"There is no api match uri[\/\/verify]"}`, false},
		{"POST", "/verify/../verify", 404, `{"message":"There is no api match uri[\/verify\/..\/verify]"}`, false},
		{"POST", "/./verify", 404, `{"message":"There is no api match uri[\/.\/verify]"}`, false},
		{"POST", "//release/face_id_card/post", 404, `{"message":"There is no api match uri[\/\/release\/face_id_card\/post]"}`, true},
		{"POST", "/release//face_id_card/post", 404, `{"message":"There is no api match uri[\/release\/\/face_id_card\/post]"}`, true},
		{"GET", "//healthz", 404, `{"message":"There is no api match uri[\/\/healthz]"}`, false},
		{"GET", "/nope//", 404, `{"message":"There is no api match uri[\/nope\/\/]"}`, true},
		{"GET", "/results", 404, `{"message":"There is no api match uri[\/results]"}`, false},
		{"POST", "/results", 404, `{"message":"There is no api match uri[\/results]"}`, false},
		{"POST", "/results/uploads/issued/a.jpg", 405, `{"message":"Method Not Allowed."}`, false},
		{"GET", "/results//uploads/issued/a.jpg", 404, `{"message":"There is no api match uri[\/results\/\/uploads\/issued\/a.jpg]"}`, false},
		{"POST", "//uploads", 404, `{"message":"There is no api match uri[\/\/uploads]"}`, false},
		{"GET", "/release/face_id_card/post", 405, `{"message":"Method Not Allowed."}`, true},
		{"PUT", "/prepub/face_id_card/post", 405, `{"message":"Method Not Allowed."}`, true},
		{"GET", servicePath, 405, `{"message":"Method Not Allowed."}`, false},
		{"GET", "/verify", 405, `{"message":"Method Not Allowed."}`, false},
		{"POST", "/healthz", 405, `{"message":"Method Not Allowed."}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.method+tc.path, func(t *testing.T) {
			w := httptest.NewRecorder()
			f.handler.ServeHTTP(w, httptest.NewRequest(tc.method, tc.path, strings.NewReader("{}")))
			if w.Code != tc.status || w.Body.String() != tc.body {
				t.Fatalf("%d %q, want %d %q", w.Code, w.Body, tc.status, tc.body)
			}
			if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type %q", ct)
			}
			if tc.status == 405 && w.Header().Get("Allow") == "" {
				t.Error("405 without Allow")
			}
			if w.Header()["X-Api-RequestId"] == nil {
				t.Error("no X-Api-RequestId")
			}
			if !tc.sandbox {
				return
			}
			sw := httptest.NewRecorder()
			f.sb.ServeHTTP(sw, httptest.NewRequest(tc.method, tc.path, strings.NewReader("{}")))
			if sw.Code != w.Code || sw.Body.String() != w.Body.String() {
				t.Errorf("sandbox answers %d %q", sw.Code, sw.Body)
			}
		})
	}
}

// unroutedUploads turns the upload routes on for tests that must never
// reach them.
type unroutedUploads struct{ t *testing.T }

func (u unroutedUploads) Issue(context.Context, upload.IssueRequest) (upload.Ticket, error) {
	u.t.Error("POST /uploads reached")
	return upload.Ticket{}, errors.New("not served")
}

func (u unroutedUploads) Result(context.Context, string) ([]byte, error) {
	u.t.Error("GET /results/ reached")
	return nil, errors.New("not served")
}

// Every answer carries the gateway's X-Api-RequestId, spelt as the gateway
// spells it, beside the function's X-Request-Id and with the same id.
func TestGatewayRequestIDHeader(t *testing.T) {
	f := newFixture(t, sandbox.Config{}, core.Config{}, Options{ClientKeys: map[string]string{dropID: dropKey}})
	srv := httptest.NewServer(f.handler)
	defer srv.Close()
	signed := func(path, body string) string {
		r := formReq(path, body)
		signXDate(r, dropID, dropKey)
		return "Authorization: " + r.Header.Get("Authorization") + "\r\nX-Date: " + r.Header.Get("X-Date") +
			"\r\nX-Source: " + r.Header.Get("X-Source") + "\r\nContent-Type: application/x-www-form-urlencoded\r\n"
	}
	for name, tc := range map[string]struct{ method, path, headers, body string }{
		"verified":         {"POST", servicePath, signed(servicePath, ""), url.Values{"idcard": {passID}, "name": {"张三"}, "image": {f.photo}}.Encode()},
		"local rejection":  {"POST", "/verify", signed("/verify", ""), "idcard=1"},
		"unsigned":         {"POST", "/release/face_id_card/post", "", "idcard=1"},
		"no route":         {"GET", "/nope", "", ""},
		"method not found": {"GET", "/verify", "", ""},
		"health":           {"GET", "/healthz", "", ""},
	} {
		t.Run(name, func(t *testing.T) {
			head, body := rawExchange(t, srv.Listener.Addr().String(), tc.method, tc.path, tc.headers, tc.body)
			var api, own string
			for _, line := range strings.Split(head, "\r\n") {
				if v, ok := strings.CutPrefix(line, "X-Api-RequestId: "); ok {
					api = v
				}
				if v, ok := strings.CutPrefix(line, "X-Request-Id: "); ok {
					own = v
				}
			}
			if api == "" || api != own {
				t.Fatalf("X-Api-RequestId %q, X-Request-Id %q:\n%s", api, own, head)
			}
			var env struct {
				RequestID *string `json:"request_id"`
			}
			if json.Unmarshal([]byte(body), &env) == nil && env.RequestID != nil && *env.RequestID != api {
				t.Errorf("request_id %q, header %q", *env.RequestID, api)
			}
		})
	}
	// An adapter's platform id is the one used.
	w := httptest.NewRecorder()
	f.handler.ServeHTTP(w, httptest.NewRequest("GET", "/nope", nil).WithContext(WithRequestID(t.Context(), "platform-id-2")))
	if got := w.Header()["X-Api-RequestId"]; len(got) != 1 || got[0] != "platform-id-2" {
		t.Fatalf("X-Api-RequestId %q", got)
	}
}

// rawExchange sends one HTTP/1.1 request and returns the response head as
// sent on the wire (net/http's client would canonicalise header names) and
// the body.
func rawExchange(t *testing.T, addr, method, path, headers, body string) (string, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	var b bytes.Buffer
	b.WriteString(method + " " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nConnection: close\r\n" + headers)
	b.WriteString("Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body)
	if _, err := c.Write(b.Bytes()); err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(bufio.NewReader(c))
	if err != nil {
		t.Fatal(err)
	}
	head, rest, ok := strings.Cut(string(raw), "\r\n\r\n")
	if !ok {
		t.Fatalf("no response head: %q", raw)
	}
	return head, rest
}

// Drop-in mode takes clients of either gateway, unchanged but for the
// host: both schemes on both address forms and on /verify. Where the
// sandbox serves the same scheme on the same path, it answers the same.
func TestDropInAcceptsBothGateways(t *testing.T) {
	f := newFixture(t, sandbox.Config{}, core.Config{}, Options{ClientKeys: map[string]string{dropID: dropKey}})
	body := url.Values{"idcard": {passID}, "name": {"张三"}, "image": {f.photo}}.Encode()
	now := time.Now()
	sign := func(v hmacauth.Variant, id, key string, at time.Time) func(*http.Request) {
		return func(r *http.Request) {
			hmacauth.Sign(r.Header, hmacauth.Credentials{SecretID: id, SecretKey: key, Source: "market", Variant: v}, at)
		}
	}
	tests := []struct {
		name    string
		variant hmacauth.Variant
		key     string
		at      time.Time
		status  int
		message string
	}{
		{"cloudmarket", hmacauth.CloudMarket, dropKey, now, 200, ""},
		{"x-date", hmacauth.XDate, dropKey, now, 200, ""},
		{"date", hmacauth.Date, dropKey, now, 200, ""},
		{"cloudmarket, wrong key", hmacauth.CloudMarket, "not-" + dropKey, now, 403, hmacauth.MsgSignatureMismatch},
		{"cloudmarket, 16 minutes old", hmacauth.CloudMarket, dropKey, now.Add(-16 * time.Minute), 403, hmacauth.MsgCloudMarketDateExpired},
		{"x-date, 16 minutes old", hmacauth.XDate, dropKey, now.Add(-16 * time.Minute), 401, hmacauth.MsgXDateOutOfDate},
	}
	for _, tc := range tests {
		for _, path := range []string{"/verify", "/release/face_id_card/post", servicePath} {
			t.Run(tc.name+path, func(t *testing.T) {
				r := formReq(path, body)
				sign(tc.variant, dropID, tc.key, tc.at)(r)
				w := httptest.NewRecorder()
				f.handler.ServeHTTP(w, r)
				if w.Code != tc.status {
					t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
				}
				if tc.message != "" && w.Body.String() != `{"message":"`+tc.message+`"}` {
					t.Fatalf("body %s, want the message %q", w.Body, tc.message)
				}
			})
		}
		// The sandbox's own path for the scheme.
		path := "/release/face_id_card/post"
		if tc.variant == hmacauth.CloudMarket {
			path = servicePath
		}
		t.Run(tc.name+" as the sandbox", func(t *testing.T) {
			fn, sb := httptest.NewRecorder(), httptest.NewRecorder()
			r := formReq(path, body)
			sign(tc.variant, dropID, tc.key, tc.at)(r)
			f.handler.ServeHTTP(fn, r)
			key := sandbox.DefaultSecretKey
			if tc.key != dropKey {
				key = "not-" + key
			}
			r = formReq(path, body)
			sign(tc.variant, sandbox.DefaultSecretID, key, tc.at)(r)
			f.sb.ServeHTTP(sb, r)
			if got, want := readFields(t, fn), readFields(t, sb); fn.Code != sb.Code || got != want {
				t.Fatalf("function %d %+v\nsandbox  %d %+v", fn.Code, got, sb.Code, want)
			}
		})
	}
}
