package hmacauth

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// pythonSigner signs every known-answer case from its key, id and date
// alone, written from gateway-auth.md §3 and §4b, not from this package.
const pythonSigner = `
import base64, hashlib, hmac, json, sys
def mac(key, msg):
    return base64.b64encode(hmac.new(key.encode(), msg.encode(), hashlib.sha1).digest()).decode()
out = []
for c in json.load(sys.stdin):
    d = c["date"]
    if c["variant"] == "cloudmarket":
        sig = mac(c["key"], "x-date: " + d)
        out.append(json.dumps({"id": c["id"], "x-date": d, "signature": sig}, separators=(",", ":")))
    else:
        n = "x-" if c["variant"] == "x-date" else ""
        sig = mac(c["key"], n + "date: " + d + "\n" + n + "source: " + c["source"])
        out.append('hmac id="%s", algorithm="hmac-sha1", headers="%sdate %ssource", signature="%s"' % (c["id"], n, n, sig))
json.dump(out, sys.stdout)
`

// TestKnownAnswersPython recomputes the vectors with Python at test time,
// so a vector typed in wrong or a change to both sides cannot go unseen.
func TestKnownAnswersPython(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found: the known answers are checked only against their stored values (apt-get install python3)")
	}
	type in struct {
		Variant string `json:"variant"`
		ID      string `json:"id"`
		Key     string `json:"key"`
		Source  string `json:"source"`
		Date    string `json:"date"`
	}
	var cases []in
	for _, ka := range knownAnswers {
		cases = append(cases, in{string(ka.creds.Variant), ka.creds.SecretID, ka.creds.SecretKey, ka.creds.Source, FormatDate(ka.at)})
	}
	stdin, _ := json.Marshal(cases)
	cmd := exec.Command(py, "-c", pythonSigner)
	cmd.Stdin = bytes.NewReader(stdin)
	outb, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	var got []string
	if err := json.Unmarshal(outb, &got); err != nil || len(got) != len(knownAnswers) {
		t.Fatalf("python3 answered %q (%v)", outb, err)
	}
	for i, ka := range knownAnswers {
		if got[i] != ka.want {
			t.Errorf("%s: python3 computes\n%s\nthe test stores\n%s", ka.name, got[i], ka.want)
		}
		h := http.Header{}
		Sign(h, ka.creds, ka.at)
		if h.Get("Authorization") != got[i] {
			t.Errorf("%s: Sign = %s, python3 = %s", ka.name, h.Get("Authorization"), got[i])
		}
	}
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestCloudMarketRequestID(t *testing.T) {
	creds := Credentials{SecretID: "id", SecretKey: "key", Variant: CloudMarket}
	seen := map[string]bool{}
	for range 100 {
		h := http.Header{}
		Sign(h, creds, fixed)
		rid := h.Get("request-id")
		if !uuidV4.MatchString(rid) {
			t.Fatalf("request-id %q is not a UUID v4", rid)
		}
		if seen[rid] {
			t.Fatalf("request-id %q repeated", rid)
		}
		seen[rid] = true
	}
	h := http.Header{}
	h.Set("request-id", "caller-chosen")
	Sign(h, creds, fixed)
	if got := h.Values("Request-Id"); len(got) != 1 || got[0] != "caller-chosen" {
		t.Errorf("a caller's request-id became %q", got)
	}
}

func TestParseCloudMarketAuthorization(t *testing.T) {
	const d = "Thu, 03 Dec 2026 11:42:18 GMT"
	full := cloudMarketAuthorization{"AKID", d, "c2ln="}
	tests := []struct {
		name string
		in   string
		want cloudMarketAuthorization
		ok   bool
	}{
		{"compact", `{"id":"AKID","x-date":"` + d + `","signature":"c2ln="}`, full, true},
		{"spaced like some clients", `{"id": "AKID", "x-date": "` + d + `" , "signature": "c2ln="}`, full, true},
		{"any order, newlines", "{\n\t\"signature\" : \"c2ln=\",\r\n\"x-date\":\"" + d + "\", \"id\":\"AKID\"\n}", full, true},
		{"surrounding space", `  {"id":"AKID","x-date":"` + d + `","signature":"c2ln="}  `, full, true},
		{"escapes", `{"id":"AK\u0049D","x-date":"` + d + `","signature":"c2ln\u003d"}`, full, true},
		{"unknown keys of any type", `{"id":"AKID","x-date":"` + d + `","signature":"c2ln=","v":[1,{"a":null}],"n":2.5}`, full, true},
		{"missing signature", `{"id":"AKID","x-date":"` + d + `"}`, cloudMarketAuthorization{ID: "AKID", XDate: d}, true},
		{"null id", `{"id":null,"signature":"c2ln="}`, cloudMarketAuthorization{Signature: "c2ln="}, true},
		{"empty object", `{}`, cloudMarketAuthorization{}, true},
		{"keys are case-sensitive", `{"ID":"AKID","signature":"c2ln="}`, cloudMarketAuthorization{Signature: "c2ln="}, true},

		{"duplicate id", `{"id":"A","id":"B","signature":"c2ln="}`, cloudMarketAuthorization{}, false},
		{"duplicate unknown key", `{"id":"A","k":1,"signature":"c2ln=","k":2}`, cloudMarketAuthorization{}, false},
		{"duplicate through escapes", `{"id":"A","i\u0064":"B","signature":"c2ln="}`, cloudMarketAuthorization{}, false},
		{"numeric id", `{"id":123,"signature":"c2ln="}`, cloudMarketAuthorization{}, false},
		{"object signature", `{"id":"A","signature":{}}`, cloudMarketAuthorization{}, false},
		{"trailing data", `{"id":"A","signature":"c2ln="}x`, cloudMarketAuthorization{}, false},
		{"second object", `{"id":"A","signature":"c2ln="}{}`, cloudMarketAuthorization{}, false},
		{"unterminated", `{"id":"A","signature":"c2ln="`, cloudMarketAuthorization{}, false},
		{"trailing comma", `{"id":"A",}`, cloudMarketAuthorization{}, false},
		{"array", `["id","A"]`, cloudMarketAuthorization{}, false},
		{"string", `"id"`, cloudMarketAuthorization{}, false},
		{"legacy form", `hmac id="A", algorithm="hmac-sha1", headers="x-date", signature="c2ln="`, cloudMarketAuthorization{}, false},
		{"empty", ``, cloudMarketAuthorization{}, false},
		{"too long", `{"id":"A","pad":"` + strings.Repeat("x", maxAuthorization) + `"}`, cloudMarketAuthorization{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseCloudMarketAuthorization(tc.in)
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
			if got != tc.want {
				t.Errorf("= %+v, want %+v", got, tc.want)
			}
		})
	}
}

// signedFor builds a request to path signed with variant v at time at.
func signedFor(path string, v Variant, at time.Time) *http.Request {
	r := httptest.NewRequest("POST", path, nil)
	Sign(r.Header, Credentials{"sandbox-secret-id", "sandbox-secret-key", "market", v}, at)
	return r
}

func TestVerifyFor(t *testing.T) {
	now := fixed
	cm := func(at time.Time) func() *http.Request {
		return func() *http.Request { return signedFor("/service-abcd1234/face_id_card/post", CloudMarket, at) }
	}
	withAuth := func(auth string) func() *http.Request {
		return func() *http.Request {
			r := signedFor("/", CloudMarket, now)
			r.Header.Set("Authorization", auth)
			return r
		}
	}
	date := FormatDate(now)
	goodSig := Signature("sandbox-secret-key", "x-date: "+date)
	tests := []struct {
		name   string
		g      Gateway
		req    func() *http.Request
		status int
		msg    string
	}{
		{"cloudmarket ok", CloudMarketGateway, cm(now), 0, ""},
		{"cloudmarket via any", AnyGateway, cm(now), 0, ""},
		{"legacy via any", AnyGateway, func() *http.Request { return signed(XDate, now) }, 0, ""},
		{"legacy ok", LegacyGateway, func() *http.Request { return signed(XDate, now) }, 0, ""},
		{"899 s old", CloudMarketGateway, cm(now.Add(-899 * time.Second)), 0, ""},
		{"899 s ahead", CloudMarketGateway, cm(now.Add(899 * time.Second)), 0, ""},
		{"901 s old", CloudMarketGateway, cm(now.Add(-901 * time.Second)), 403, MsgCloudMarketDateExpired},
		{"901 s ahead", CloudMarketGateway, cm(now.Add(901 * time.Second)), 403, MsgCloudMarketDateExpired},
		{"spaced JSON, other order", CloudMarketGateway,
			withAuth(`{ "signature" : "` + goodSig + `", "x-date": "` + date + `" , "id": "sandbox-secret-id" }`), 0, ""},
		{"date only in X-Date", CloudMarketGateway,
			withAuth(`{"id":"sandbox-secret-id","signature":"` + goodSig + `"}`), 0, ""},
		{"JSON date wins over X-Date", CloudMarketGateway, func() *http.Request {
			r := cm(now)()
			r.Header.Set("X-Date", "yesterday")
			return r
		}, 0, ""},
		{"no date at all", CloudMarketGateway, func() *http.Request {
			r := withAuth(`{"id":"sandbox-secret-id","signature":"` + goodSig + `"}`)()
			r.Header.Del("X-Date")
			return r
		}, 403, MsgBadAuthorization},
		{"unparseable date", CloudMarketGateway,
			withAuth(`{"id":"sandbox-secret-id","x-date":"yesterday","signature":"` + goodSig + `"}`), 403, MsgBadAuthorization},
		{"no authorization", CloudMarketGateway, func() *http.Request {
			r := cm(now)()
			r.Header.Del("Authorization")
			return r
		}, 401, MsgNoAuthorization},
		{"two authorization headers", CloudMarketGateway, func() *http.Request {
			r := cm(now)()
			r.Header.Add("Authorization", r.Header.Get("Authorization"))
			return r
		}, 401, MsgMultipleHeader},
		{"malformed JSON", CloudMarketGateway, withAuth(`{"id":"sandbox-secret-id",`), 403, MsgBadAuthorization},
		{"duplicate id", CloudMarketGateway,
			withAuth(`{"id":"someone","id":"sandbox-secret-id","x-date":"` + date + `","signature":"` + goodSig + `"}`), 403, MsgBadAuthorization},
		{"no signature", CloudMarketGateway, withAuth(`{"id":"sandbox-secret-id","x-date":"` + date + `"}`), 403, MsgIDOrSigMissing},
		{"no id", CloudMarketGateway, withAuth(`{"x-date":"` + date + `","signature":"` + goodSig + `"}`), 403, MsgIDOrSigMissing},
		{"empty id", CloudMarketGateway, withAuth(`{"id":"","x-date":"` + date + `","signature":"` + goodSig + `"}`), 403, MsgIDOrSigMissing},
		{"unknown id", CloudMarketGateway,
			withAuth(`{"id":"someone","x-date":"` + date + `","signature":"` + goodSig + `"}`), 403, MsgUnknownKey},
		{"wrong key", CloudMarketGateway, func() *http.Request {
			r := httptest.NewRequest("POST", "/", nil)
			Sign(r.Header, Credentials{"sandbox-secret-id", "wrong", "", CloudMarket}, now)
			return r
		}, 403, MsgSignatureMismatch},
		{"legacy signature over the date alone", CloudMarketGateway, withAuth(
			`{"id":"sandbox-secret-id","x-date":"` + date + `","signature":"` +
				Signature("sandbox-secret-key", "x-date: "+date+"\nx-source: market") + `"}`), 403, MsgSignatureMismatch},
		// Each gateway reads the other's header as a malformed one.
		{"legacy header at the new gateway", CloudMarketGateway, func() *http.Request { return signed(XDate, now) }, 403, MsgBadAuthorization},
		{"date-variant header at the new gateway", CloudMarketGateway, func() *http.Request { return signed(Date, now) }, 403, MsgBadAuthorization},
		{"new header at the legacy gateway", LegacyGateway, cm(now), 403, MsgBadAuthorization},
		// An expired new-scheme date at the legacy gateway is still just malformed.
		{"expired new header at the legacy gateway", LegacyGateway, cm(now.Add(-time.Hour)), 403, MsgBadAuthorization},
	}
	v := newVerifier(now)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, err := v.VerifyFor(tc.req(), tc.g)
			if tc.status == 0 {
				if err != nil || id != "sandbox-secret-id" {
					t.Fatalf("VerifyFor = %q, %v; want success", id, err)
				}
				return
			}
			var f *Failure
			if !errors.As(err, &f) {
				t.Fatalf("VerifyFor err = %v, want *Failure", err)
			}
			if f.Status != tc.status || f.Message != tc.msg {
				t.Errorf("VerifyFor = %d %q, want %d %q", f.Status, f.Message, tc.status, tc.msg)
			}
		})
	}
}

func TestCloudMarketDateMessage(t *testing.T) {
	// Clients recognise the answer by these two words (gateway-auth.md §4b).
	if !strings.Contains(MsgCloudMarketDateExpired, "签名时间") || !strings.Contains(MsgCloudMarketDateExpired, "超时") {
		t.Fatalf("%q lacks 签名时间 or 超时", MsgCloudMarketDateExpired)
	}
}

func FuzzParseCloudMarketAuthorization(f *testing.F) {
	f.Add(`{"id":"AKID","x-date":"Thu, 03 Dec 2026 11:42:18 GMT","signature":"c2ln="}`)
	f.Add(`{"id": "AKID", "x-date": "Thu, 03 Dec 2026 11:42:18 GMT" , "signature": "c2ln="}`)
	f.Add(`{"id":"a","id":"b"}`)
	f.Add(`{"id":null,"x":[{"y":1e9}],"signature":"\u00e9"}`)
	f.Add(`{"id":"a"}{}`)
	f.Add(`{`)
	f.Fuzz(func(t *testing.T, s string) {
		a, err := parseCloudMarketAuthorization(s)
		if err != nil {
			return
		}
		// Whatever is accepted is one valid JSON object that encoding/json
		// reads the same way.
		var m map[string]any
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			t.Fatalf("accepted %q, which encoding/json refuses: %v", s, err)
		}
		for key, got := range map[string]string{"id": a.ID, "x-date": a.XDate, "signature": a.Signature} {
			want, _ := m[key].(string)
			if got != want {
				t.Fatalf("%q: %s = %q, encoding/json reads %q", s, key, got, want)
			}
		}
		// And it round-trips through our own formatter.
		b, err := parseCloudMarketAuthorization(cloudMarketAuthorizationValue(a.ID, a.XDate, a.Signature))
		if err != nil || b != a {
			t.Fatalf("round trip of %q: %+v, %v", s, b, err)
		}
	})
}
