package sandbox_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/core/hmacauth"
	"github.com/faceid-verify/faceid/sandbox"
)

const cloudMarketPath = "/service-abcd1234/face_id_card/post"

// signedTo builds a good verification POST to path, signed with variant v
// at time at.
func (h *harness) signedTo(path string, v hmacauth.Variant, at time.Time) *http.Request {
	h.t.Helper()
	req := h.newRequest("application/x-www-form-urlencoded", []byte(form(zhangID, zhang, "", "https://example.com/p.jpg").Encode()))
	req.URL.Path = path
	for _, k := range []string{"Authorization", "X-Date", "X-Source", "Date", "Source"} {
		req.Header.Del(k)
	}
	c := defaultCreds()
	c.Variant = v
	hmacauth.Sign(req.Header, c, at)
	return req
}

// TestCloudMarketGatewayAuth is the new gateway's matrix, and each
// gateway's answer to the other's scheme, over real HTTP.
func TestCloudMarketGatewayAuth(t *testing.T) {
	now := testNow()
	date := hmacauth.FormatDate(now)
	sig := hmacauth.Signature(sandbox.DefaultSecretKey, "x-date: "+date)
	withAuth := func(auth string) func(*harness) *http.Request {
		return func(h *harness) *http.Request {
			r := h.signedTo(cloudMarketPath, hmacauth.CloudMarket, now)
			r.Header.Set("Authorization", auth)
			return r
		}
	}
	signed := func(path string, v hmacauth.Variant, at time.Time) func(*harness) *http.Request {
		return func(h *harness) *http.Request { return h.signedTo(path, v, at) }
	}
	tests := []struct {
		name   string
		req    func(*harness) *http.Request
		status int
		msg    string
	}{
		{"new scheme on the new path", signed(cloudMarketPath, hmacauth.CloudMarket, now), 200, ""},
		{"other /service- id", signed("/service-0z9y8x7w/face_id_card/post", hmacauth.CloudMarket, now), 200, ""},
		{"899 s old", signed(cloudMarketPath, hmacauth.CloudMarket, now.Add(-899*time.Second)), 200, ""},
		{"spaced JSON in another order", withAuth(`{"signature": "` + sig + `", "id": "` + sandbox.DefaultSecretID + `" , "x-date": "` + date + `"}`), 200, ""},
		{"901 s old", signed(cloudMarketPath, hmacauth.CloudMarket, now.Add(-901*time.Second)), 403, hmacauth.MsgCloudMarketDateExpired},
		{"901 s ahead", signed(cloudMarketPath, hmacauth.CloudMarket, now.Add(901*time.Second)), 403, hmacauth.MsgCloudMarketDateExpired},
		{"no authorization", func(h *harness) *http.Request {
			r := h.signedTo(cloudMarketPath, hmacauth.CloudMarket, now)
			r.Header.Del("Authorization")
			return r
		}, 401, hmacauth.MsgNoAuthorization},
		{"malformed JSON", withAuth(`{"id":"` + sandbox.DefaultSecretID + `"`), 403, hmacauth.MsgBadAuthorization},
		{"duplicate key", withAuth(`{"id":"x","id":"` + sandbox.DefaultSecretID + `","x-date":"` + date + `","signature":"` + sig + `"}`), 403, hmacauth.MsgBadAuthorization},
		{"no signature", withAuth(`{"id":"` + sandbox.DefaultSecretID + `","x-date":"` + date + `"}`), 403, hmacauth.MsgIDOrSigMissing},
		{"unknown id", withAuth(`{"id":"someone","x-date":"` + date + `","signature":"` + sig + `"}`), 403, hmacauth.MsgUnknownKey},
		{"wrong key", withAuth(`{"id":"` + sandbox.DefaultSecretID + `","x-date":"` + date + `","signature":"` +
			hmacauth.Signature("wrong", "x-date: "+date) + `"}`), 403, hmacauth.MsgSignatureMismatch},
		{"legacy x-date scheme on the new path", signed(cloudMarketPath, hmacauth.XDate, now), 403, hmacauth.MsgBadAuthorization},
		{"legacy date scheme on the new path", signed(cloudMarketPath, hmacauth.Date, now), 403, hmacauth.MsgBadAuthorization},
		{"new scheme on the legacy path", signed(apiPath, hmacauth.CloudMarket, now), 403, hmacauth.MsgBadAuthorization},
		{"new scheme on the test path", signed("/test/face_id_card/post", hmacauth.CloudMarket, now), 403, hmacauth.MsgBadAuthorization},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, sandbox.Config{})
			a := h.do(tc.req(h))
			st := h.sb.Stats()
			if tc.status == 200 {
				if env, v := a.envelope(); env.Code != 200 || v.Incorrect != 100 {
					t.Fatalf("answer %d %s, want code 200 incorrect 100", a.status, a.body)
				}
				if st != (sandbox.Stats{Received: 1, Authenticated: 1, Billable: 1}) {
					t.Errorf("stats %+v", st)
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

func TestCloudMarketRouting(t *testing.T) {
	h := newHarness(t, sandbox.Config{})
	for _, id := range []string{"abcd1234", "00000000", "zzzzzzzz", "ndq49qvj"} {
		a := h.do(h.signedTo("/service-"+id+"/face_id_card/post", hmacauth.CloudMarket, testNow()))
		if e, _ := a.envelope(); e.Code != 200 {
			t.Errorf("%s: %d %s", id, a.status, a.body)
		}
	}
	for _, path := range []string{
		"/service-ABCD1234/face_id_card/post",  // upper case
		"/service-abcd123/face_id_card/post",   // 7
		"/service-abcd12345/face_id_card/post", // 9
		"/service-abcd-123/face_id_card/post",
		"/service-abcd1234/face_id_card/post/",
		"/service-abcd1234/release/face_id_card/post", // no stage on the new gateway
		"/service-abcd1234/face_id_card",
		"/service-/face_id_card/post",
	} {
		a := h.do(h.signedTo(path, hmacauth.CloudMarket, testNow()))
		if a.status != 404 || a.message() != "There is no api match uri["+path+"]" {
			t.Errorf("%s: %d %s", path, a.status, a.body)
		}
	}
	req := h.signedTo(cloudMarketPath, hmacauth.CloudMarket, testNow())
	req.Method = http.MethodGet
	if a := h.do(req); a.status != 405 || a.message() != "Method Not Allowed." {
		t.Errorf("GET: %d %s", a.status, a.body)
	}
}

// TestClockSkew: with its clock shifted, the sandbox refuses a request
// signed with the true time as each gateway would, and its Date header
// gives a client what it needs to re-sign.
func TestClockSkew(t *testing.T) {
	const skew = 20 * time.Minute
	for _, tc := range []struct {
		name    string
		path    string
		variant hmacauth.Variant
		status  int
		msg     string
	}{
		{"legacy", apiPath, hmacauth.XDate, 401, hmacauth.MsgXDateOutOfDate},
		{"cloudmarket", cloudMarketPath, hmacauth.CloudMarket, 403, hmacauth.MsgCloudMarketDateExpired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, sandbox.Config{ClockSkew: skew})
			serverNow := h.clock.Now().Add(skew)
			a := h.do(h.signedTo(tc.path, tc.variant, h.clock.Now()))
			if a.status != tc.status || a.message() != tc.msg {
				t.Fatalf("got %d %s, want %d %q", a.status, a.body, tc.status, tc.msg)
			}
			if tc.variant == hmacauth.CloudMarket && (!strings.Contains(a.message(), "签名时间") || !strings.Contains(a.message(), "超时")) {
				t.Errorf("message %q lacks 签名时间/超时", a.message())
			}
			d, err := http.ParseTime(a.header.Get("Date"))
			if err != nil || !d.Equal(serverNow) {
				t.Fatalf("Date %q, want the sandbox's shifted clock %s", a.header.Get("Date"), serverNow.Format(http.TimeFormat))
			}
			// Re-signed with the server's date, it passes.
			a = h.do(h.signedTo(tc.path, tc.variant, d))
			if e, _ := a.envelope(); e.Code != 200 {
				t.Fatalf("re-signed with the server's date: %d %s", a.status, a.body)
			}
			if a.header.Get("Date") != serverNow.Format(http.TimeFormat) {
				t.Errorf("a success's Date %q", a.header.Get("Date"))
			}
			if st := h.sb.Stats(); st != (sandbox.Stats{Received: 2, Authenticated: 1, Billable: 1}) {
				t.Errorf("stats %+v", st)
			}
		})
	}
	// The date variant is never held to the window, skewed or not.
	h := newHarness(t, sandbox.Config{ClockSkew: -skew})
	if e, _ := h.do(h.signedTo(apiPath, hmacauth.Date, h.clock.Now())).envelope(); e.Code != 200 {
		t.Errorf("date variant under skew: code %d", e.Code)
	}
}
