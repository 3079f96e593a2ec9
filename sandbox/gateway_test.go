package sandbox_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/core/hmacauth"
	"github.com/faceid-verify/faceid/sandbox"
)

const zhang, zhangID = "张三", "110101199003070011"

// TestGatewayAuth is the gateway-auth.md §6 matrix, over real HTTP.
func TestGatewayAuth(t *testing.T) {
	now := testNow()
	sign := func(v hmacauth.Variant, at time.Time) func(*http.Request) {
		return func(r *http.Request) {
			c := defaultCreds()
			c.Variant = v
			for _, k := range []string{"Authorization", "X-Date", "X-Source"} {
				r.Header.Del(k)
			}
			hmacauth.Sign(r.Header, c, at)
		}
	}
	setAuth := func(v string) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("Authorization", v) }
	}
	sha256Auth := func(r *http.Request) {
		mac := hmac.New(sha256.New, []byte(sandbox.DefaultSecretKey))
		mac.Write([]byte("x-date: " + r.Header.Get("X-Date") + "\nx-source: market"))
		sig := base64.StdEncoding.EncodeToString(mac.Sum(nil))
		r.Header.Set("Authorization", hmacauth.AuthorizationValue(sandbox.DefaultSecretID, "hmac-sha256",
			[]string{"x-date", "x-source"}, sig))
	}
	tests := []struct {
		name   string
		mutate func(*http.Request)
		status int
		msg    string
	}{
		{"x-date variant", func(*http.Request) {}, 200, ""},
		{"date variant", sign(hmacauth.Date, now), 200, ""},
		{"date variant is never too old", sign(hmacauth.Date, now.Add(-48*time.Hour)), 200, ""},
		{"x-date 899 s old", sign(hmacauth.XDate, now.Add(-899*time.Second)), 200, ""},
		{"x-date 899 s ahead", sign(hmacauth.XDate, now.Add(899*time.Second)), 200, ""},
		{"x-date 901 s old", sign(hmacauth.XDate, now.Add(-901*time.Second)), 401, hmacauth.MsgXDateOutOfDate},
		{"x-date 901 s ahead", sign(hmacauth.XDate, now.Add(901*time.Second)), 401, hmacauth.MsgXDateOutOfDate},
		{"hmac-sha256", sha256Auth, 200, ""},
		{"1 no authorization", func(r *http.Request) { r.Header.Del("Authorization") }, 401, hmacauth.MsgNoAuthorization},
		{"2 unparseable authorization", setAuth("Basic Zm9vOmJhcg=="), 403, hmacauth.MsgBadAuthorization},
		{"3 no signature", setAuth(`hmac id="sandbox-secret-id", algorithm="hmac-sha1", headers="x-date x-source"`), 403, hmacauth.MsgIDOrSigMissing},
		{"3 no id", setAuth(`hmac algorithm="hmac-sha1", headers="x-date x-source", signature="abc="`), 403, hmacauth.MsgIDOrSigMissing},
		{"4 signed header absent", func(r *http.Request) { r.Header.Del("X-Source") }, 403, hmacauth.MsgMissingHeader("x-source")},
		{"5 no date among signed headers", setAuth(`hmac id="sandbox-secret-id", algorithm="hmac-sha1", headers="x-source", signature="abc="`), 403, hmacauth.MsgNoDateHeader},
		{"6 unsupported algorithm", setAuth(`hmac id="sandbox-secret-id", algorithm="hmac-md5", headers="x-date x-source", signature="abc="`), 401, hmacauth.MsgUnsupportedAlgorithm("hmac-md5")},
		{"7 unparseable x-date", func(r *http.Request) { r.Header.Set("X-Date", "yesterday") }, 401, hmacauth.MsgBadXDate},
		{"8 unknown secret id", func(r *http.Request) {
			c := defaultCreds()
			c.SecretID = "someone-else"
			hmacauth.Sign(r.Header, c, now)
		}, 403, hmacauth.MsgUnknownKey},
		{"9 wrong secret key", func(r *http.Request) {
			c := defaultCreds()
			c.SecretKey = "wrong"
			hmacauth.Sign(r.Header, c, now)
		}, 403, hmacauth.MsgSignatureMismatch},
		{"9 tampered source", func(r *http.Request) { r.Header.Set("X-Source", "other") }, 403, hmacauth.MsgSignatureMismatch},
		{"repeated signed header", func(r *http.Request) { r.Header.Add("X-Source", "market") }, 401, hmacauth.MsgMultipleHeader},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, sandbox.Config{})
			req := h.newRequest("application/x-www-form-urlencoded", []byte(form(zhangID, zhang, photo(t, "small-320x240.jpg"), "").Encode()))
			tc.mutate(req)
			a := h.do(req)
			st := h.sb.Stats()
			if tc.status == 200 {
				if env, v := a.envelope(); env.Code != 200 || v.Incorrect != 100 {
					t.Fatalf("answer %s, want code 200 incorrect 100", a.body)
				}
				if st.Authenticated != 1 {
					t.Errorf("stats %+v, want authenticated 1", st)
				}
				return
			}
			if a.status != tc.status || a.message() != tc.msg {
				t.Errorf("got %d %s, want %d %q", a.status, a.body, tc.status, tc.msg)
			}
			if st != (sandbox.Stats{Received: 1}) {
				t.Errorf("stats %+v, want received only", st)
			}
		})
	}
}

func TestGatewayRouting(t *testing.T) {
	h := newHarness(t, sandbox.Config{})
	for _, env := range []string{"release", "test", "prepub"} {
		req := h.newRequest("", []byte(form(zhangID, zhang, photo(t, "small-320x240.jpg"), "").Encode()))
		req.URL.Path = "/" + env + "/face_id_card/post"
		if e, _ := h.do(req).envelope(); e.Code != 200 {
			t.Errorf("/%s: code %d", env, e.Code)
		}
	}
	for _, path := range []string{"/", "/release/face_id_card/post/", "/dev/face_id_card/post", "/release/other"} {
		req := h.newRequest("", nil)
		req.URL.Path = path
		a := h.do(req)
		if a.status != 404 || a.message() != "There is no api match uri["+path+"]" {
			t.Errorf("%s: %d %s", path, a.status, a.body)
		}
		// The gateway's encoder escapes '/' (gateway-auth.md §2).
		if strings.Contains(string(a.body), "uri[/") {
			t.Errorf("%s: body %s has unescaped slashes", path, a.body)
		}
	}
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodOptions} {
		req := h.newRequest("", nil)
		req.Method = m
		if a := h.do(req); a.status != 405 || a.message() != "Method Not Allowed." {
			t.Errorf("%s: %d %s", m, a.status, a.body)
		}
	}
}

func TestRequestIDOnEveryResponse(t *testing.T) {
	h := newHarness(t, sandbox.Config{})
	hex32 := regexp.MustCompile(`^[0-9a-f]{32}$`)
	seen := map[string]bool{}
	reqs := []*http.Request{
		h.newRequest("", []byte(form(zhangID, zhang, photo(t, "small-320x240.jpg"), "").Encode())), // seller 200
		h.newRequest("", nil), // seller 400
	}
	unsigned, _ := http.NewRequest(http.MethodPost, h.ts.URL+apiPath, nil)
	notFound, _ := http.NewRequest(http.MethodGet, h.ts.URL+"/nope", nil)
	stats, _ := http.NewRequest(http.MethodGet, h.ts.URL+"/_sandbox/stats", nil)
	for _, req := range append(reqs, unsigned, notFound, stats) {
		a := h.do(req)
		// Sent with the gateway's own spelling, read back case-insensitively.
		id := a.header.Get("X-Api-RequestId")
		if !hex32.MatchString(id) || seen[id] {
			t.Errorf("%s %s: X-Api-RequestId %q (duplicate: %v)", req.Method, req.URL.Path, id, seen[id])
		}
		seen[id] = true
	}
}

func TestBodyTooLarge(t *testing.T) {
	h := newHarness(t, sandbox.Config{})
	big := make([]byte, 9<<20)
	// Declared length: refused before authentication.
	a := h.do(h.newRequest("application/x-www-form-urlencoded", big))
	if a.status != 413 || a.message() != "Request Entity Too Large." {
		t.Fatalf("declared: %d %s", a.status, a.body)
	}
	// Chunked, no declared length: refused while reading, after auth.
	req := h.newRequest("application/x-www-form-urlencoded", nil)
	req.Body = readerOnly(big)
	req.ContentLength = -1
	if a := h.do(req); a.status != 413 || a.message() != "Request Entity Too Large." {
		t.Fatalf("chunked: %d %s", a.status, a.body)
	}
	if st := h.sb.Stats(); st != (sandbox.Stats{Received: 2, Authenticated: 1}) {
		t.Errorf("stats %+v", st)
	}
}

func TestRateLimitAndQuota(t *testing.T) {
	send := func(h *harness, c hmacauth.Credentials) *answer {
		req := h.newRequest("", []byte(form(zhangID, zhang, "", "https://example.com/p.jpg").Encode()))
		hmacauth.Sign(req.Header, c, h.clock.Now())
		return h.do(req)
	}
	other := hmacauth.Credentials{SecretID: "second-id", SecretKey: "second-key", Source: "market", Variant: hmacauth.XDate}
	keys := map[string]string{sandbox.DefaultSecretID: sandbox.DefaultSecretKey, other.SecretID: other.SecretKey}

	t.Run("rate", func(t *testing.T) {
		h := newHarness(t, sandbox.Config{RateLimit: 2, Keys: keys})
		want := []int{200, 200, 429}
		for i, w := range want {
			if a := send(h, defaultCreds()); a.status != w || (w == 429 && a.message() != "API rate limit exceeded.") {
				t.Fatalf("call %d: %d %s", i, a.status, a.body)
			}
		}
		if a := send(h, other); a.status != 200 {
			t.Fatalf("another key has its own rate: %d %s", a.status, a.body)
		}
		h.clock.Add(time.Second)
		if a := send(h, defaultCreds()); a.status != 200 {
			t.Fatalf("next second: %d %s", a.status, a.body)
		}
		if st := h.sb.Stats(); st != (sandbox.Stats{Received: 5, Authenticated: 4, Billable: 4}) {
			t.Errorf("stats %+v", st)
		}
	})
	t.Run("quota", func(t *testing.T) {
		h := newHarness(t, sandbox.Config{Quota: 2, Keys: keys})
		for i, w := range []int{200, 200, 429, 429} {
			if a := send(h, defaultCreds()); a.status != w || (w == 429 && a.message() != "API quota exceeded.") {
				t.Fatalf("call %d: %d %s", i, a.status, a.body)
			}
			h.clock.Add(24 * time.Hour) // a quota is not a rate: time does not refill it
		}
		if a := send(h, other); a.status != 200 {
			t.Fatalf("another key has its own quota: %d %s", a.status, a.body)
		}
		h.sb.ResetStats()
		if a := send(h, defaultCreds()); a.status != 200 {
			t.Fatalf("after ResetStats: %d %s", a.status, a.body)
		}
	})
}
