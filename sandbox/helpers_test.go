package sandbox_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/core/hmacauth"
	"github.com/faceid-verify/faceid/sandbox"
)

const apiPath = "/release/face_id_card/post"

// testNow is the fixed instant every test clock starts at.
func testNow() time.Time { return time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC) }

// clock is a settable clock shared by the server and the signer.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// harness is a sandbox behind a real loopback HTTP server.
type harness struct {
	t     *testing.T
	sb    *sandbox.Server
	ts    *httptest.Server
	clock *clock
}

func newHarness(t *testing.T, cfg sandbox.Config) *harness {
	t.Helper()
	c := &clock{t: testNow()}
	if cfg.Now == nil {
		cfg.Now = c.Now
	}
	sb := sandbox.New(cfg)
	ts := httptest.NewServer(sb)
	t.Cleanup(func() {
		sb.Close()
		ts.Close()
	})
	return &harness{t: t, sb: sb, ts: ts, clock: c}
}

func defaultCreds() hmacauth.Credentials {
	return hmacauth.Credentials{SecretID: sandbox.DefaultSecretID, SecretKey: sandbox.DefaultSecretKey,
		Source: "market", Variant: hmacauth.XDate}
}

// newRequest builds a POST to the API, signed now with the default key.
func (h *harness) newRequest(contentType string, body []byte) *http.Request {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.ts.URL+apiPath, bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	hmacauth.Sign(req.Header, defaultCreds(), h.clock.Now())
	return req
}

// postForm sends a signed form body and returns the answer.
func (h *harness) postForm(form url.Values) *answer {
	h.t.Helper()
	return h.do(h.newRequest("application/x-www-form-urlencoded", []byte(form.Encode())))
}

func (h *harness) do(req *http.Request) *answer {
	h.t.Helper()
	resp, err := h.ts.Client().Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatalf("reading the answer: %v", err)
	}
	return &answer{t: h.t, status: resp.StatusCode, header: resp.Header, body: body}
}

type answer struct {
	t      *testing.T
	status int
	header http.Header
	body   []byte
}

// message decodes a gateway error, insisting on the flat one-key shape.
func (a *answer) message() string {
	a.t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.body, &m); err != nil || len(m) != 1 {
		a.t.Fatalf("gateway body %s: want exactly {\"message\":…} (%v)", a.body, err)
	}
	s, ok := m["message"].(string)
	if !ok {
		a.t.Fatalf("gateway body %s has no string message", a.body)
	}
	return s
}

// envelope is the seller's answer as a client decodes it.
type envelope struct {
	Msg     string          `json:"msg"`
	Success bool            `json:"success"`
	Code    int             `json:"code"`
	Data    json.RawMessage `json:"data"`
}

type verdict struct {
	OrderNo   string  `json:"order_no"`
	Score     float64 `json:"score"`
	Msg       string  `json:"msg"`
	Incorrect int     `json:"incorrect"`
}

// envelope decodes a seller answer and checks its exact field set.
func (a *answer) envelope() (envelope, verdict) {
	a.t.Helper()
	if a.status != http.StatusOK {
		a.t.Fatalf("status %d, body %s; want a seller answer with 200", a.status, a.body)
	}
	var keys map[string]json.RawMessage
	var env envelope
	if json.Unmarshal(a.body, &keys) != nil || json.Unmarshal(a.body, &env) != nil || len(keys) != 4 {
		a.t.Fatalf("seller body %s: want exactly msg, success, code, data", a.body)
	}
	var data map[string]json.RawMessage
	if err := json.Unmarshal(env.Data, &data); err != nil {
		a.t.Fatalf("data %s is not an object", env.Data)
	}
	var v verdict
	if env.Code == 200 {
		if len(data) != 4 || json.Unmarshal(env.Data, &v) != nil {
			a.t.Fatalf("data %s: want exactly order_no, score, msg, incorrect", env.Data)
		}
	} else if len(data) != 0 {
		a.t.Fatalf("data %s: want {} on failure", env.Data)
	}
	return env, v
}

// photo returns a test photo from the repository's testdata, base64-encoded.
func photo(t *testing.T, name string) string {
	t.Helper()
	return base64.StdEncoding.EncodeToString(photoBytes(t, name))
}

func photoBytes(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "photos", name))
	if err != nil {
		t.Fatalf("test photo: %v", err)
	}
	return b
}

// form builds the four body fields; empty ones are sent empty, as the
// product page's samples do.
func form(idcard, name, image, photoURL string) url.Values {
	return url.Values{"idcard": {idcard}, "name": {name}, "image": {image}, "url": {photoURL}}
}

func isOrderNo(s string) bool {
	if len(s) < 18 || len(s) > 19 || s[0] == '0' {
		return false
	}
	return strings.Trim(s, "0123456789") == ""
}

// readerOnly hides the length of b, so the request goes out chunked.
func readerOnly(b []byte) io.ReadCloser {
	return io.NopCloser(struct{ io.Reader }{bytes.NewReader(b)})
}
