package hmacauth

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

var fixed = time.Date(2018, 3, 19, 12, 8, 40, 0, time.UTC)

// knownAnswers are signatures computed once with an independent
// implementation (Python's hmac, hashlib, base64 and json modules);
// TestKnownAnswersPython recomputes them with Python when it is installed.
var knownAnswers = []struct {
	name  string
	creds Credentials
	at    time.Time
	want  string // the Authorization value
}{
	{"x-date", Credentials{"AKIDtest", "sandbox-secret-key", "market", XDate}, fixed,
		`hmac id="AKIDtest", algorithm="hmac-sha1", headers="x-date x-source", signature="aGk9ONlCIN0jR15//rz1p4VX+Sw="`},
	{"date", Credentials{"AKIDtest", "sandbox-secret-key", "source", Date}, fixed,
		`hmac id="AKIDtest", algorithm="hmac-sha1", headers="date source", signature="koF62Ck1hSNsJiHzeMOI98zwrIs="`},
	{"cloudmarket", Credentials{"AKIDtest", "sandbox-secret-key", "market", CloudMarket}, fixed,
		`{"id":"AKIDtest","x-date":"Mon, 19 Mar 2018 12:08:40 GMT","signature":"A56YeHuj2EjIvzYrcj5rY8e93Js="}`},
	{"x-date 2026", Credentials{"AKIDcloudmarket0001", "cm-secret-key/0001+", "market", XDate}, fixed2026,
		`hmac id="AKIDcloudmarket0001", algorithm="hmac-sha1", headers="x-date x-source", signature="rFaF1kxRTmvnXCAGWGk40HEUkL8="`},
	{"date 2026", Credentials{"AKIDcloudmarket0001", "cm-secret-key/0001+", "source", Date}, fixed2026,
		`hmac id="AKIDcloudmarket0001", algorithm="hmac-sha1", headers="date source", signature="FDGILjVMA14Wi6NQASUtbOUzLgU="`},
	{"cloudmarket 2026", Credentials{"AKIDcloudmarket0001", "cm-secret-key/0001+", "market", CloudMarket}, fixed2026,
		`{"id":"AKIDcloudmarket0001","x-date":"Thu, 03 Dec 2026 11:42:18 GMT","signature":"+8Ej011VlcySuQFzLiEvjq7f+8Q="}`},
}

var fixed2026 = time.Date(2026, 12, 3, 11, 42, 18, 0, time.UTC)

func TestSignVectors(t *testing.T) {
	for _, tc := range knownAnswers {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			Sign(h, tc.creds, tc.at)
			if got := h.Get("Authorization"); got != tc.want {
				t.Errorf("Authorization = %s\nwant %s", got, tc.want)
			}
			date := FormatDate(tc.at)
			want := map[string]string{"X-Date": date, "X-Source": tc.creds.Source, "Date": "", "Source": ""}
			switch tc.creds.Variant {
			case Date:
				want = map[string]string{"Date": date, "Source": tc.creds.Source, "X-Date": "", "X-Source": ""}
			case CloudMarket:
				// No source watermark on the new gateway.
				want = map[string]string{"X-Date": date, "X-Source": "", "Date": "", "Source": ""}
			}
			for k, v := range want {
				if got := h.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if rid := h.Get("Request-Id"); (rid != "") != (tc.creds.Variant == CloudMarket) {
				t.Errorf("Request-Id = %q with variant %s", rid, tc.creds.Variant)
			}
		})
	}
}

// TestVerifyKnownAnswers gives the Verifier each known answer in a request
// built by hand, not by Sign: the sandbox authenticates with the Verifier,
// so it too is held to the independent computation, in both gateways'
// schemes. Each is refused once a byte of its signature changes.
func TestVerifyKnownAnswers(t *testing.T) {
	for _, ka := range knownAnswers {
		t.Run(ka.name, func(t *testing.T) {
			request := func(auth string) *http.Request {
				r := httptest.NewRequest("POST", "/release/face_id_card/post", nil)
				date := ka.at.UTC().Format(http.TimeFormat)
				switch ka.creds.Variant {
				case XDate:
					r.Header.Set("X-Date", date)
					r.Header.Set("X-Source", ka.creds.Source)
				case Date:
					r.Header.Set("Date", date)
					r.Header.Set("Source", ka.creds.Source)
				}
				r.Header.Set("Authorization", auth)
				return r
			}
			g := LegacyGateway
			if ka.creds.Variant == CloudMarket {
				g = CloudMarketGateway
			}
			v := &Verifier{
				Lookup: func(id string) (string, bool) { return ka.creds.SecretKey, id == ka.creds.SecretID },
				Now:    func() time.Time { return ka.at },
			}
			if id, err := v.VerifyFor(request(ka.want), g); err != nil || id != ka.creds.SecretID {
				t.Fatalf("VerifyFor = %q, %v; want %q", id, err, ka.creds.SecretID)
			}
			i := strings.Index(ka.want, "signature") + len(`signature":"`) // inside it in either scheme
			flipped := []byte(ka.want)
			flipped[i] = map[bool]byte{true: 'B', false: 'A'}[flipped[i] == 'A']
			var f *Failure
			if _, err := v.VerifyFor(request(string(flipped)), g); !errors.As(err, &f) || f.Message != MsgSignatureMismatch {
				t.Errorf("signature changed at %d: %v, want %q", i, err, MsgSignatureMismatch)
			}
		})
	}
}

func TestParseAuthorization(t *testing.T) {
	tests := []struct {
		in   string
		want authorization
		ok   bool
	}{
		{`hmac id="a", algorithm="hmac-sha1", headers="x-date x-source", signature="c2ln="`,
			authorization{"a", "hmac-sha1", []string{"x-date", "x-source"}, "c2ln="}, true},
		// The product page's curl example: spaces around '=', bare signature.
		{`hmac id = "AKID", algorithm = "hmac-sha1", headers = "date source", signature = yMCxXNytW5nvVGNZ8aBtRxmiLJ4=`,
			authorization{"AKID", "hmac-sha1", []string{"date", "source"}, "yMCxXNytW5nvVGNZ8aBtRxmiLJ4="}, true},
		{`HMAC id="a",signature="b"`, authorization{ID: "a", Signature: "b"}, true},
		{`Bearer abc`, authorization{}, false},
		{`hmac`, authorization{}, false},
		{`hmac id="a`, authorization{}, false},
		{`hmac id="a" x`, authorization{}, false},
		{`hmac id="a", id="b"`, authorization{}, false},
		{`hmac novalue`, authorization{}, false},
	}
	for _, tc := range tests {
		got, err := parseAuthorization(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("ParseAuthorization(%q) err = %v, want ok=%v", tc.in, err, tc.ok)
			continue
		}
		if tc.ok && (got.ID != tc.want.ID || got.Algorithm != tc.want.Algorithm ||
			got.Signature != tc.want.Signature || len(got.Headers) != len(tc.want.Headers)) {
			t.Errorf("ParseAuthorization(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

func newVerifier(now time.Time) *Verifier {
	return &Verifier{
		Lookup: func(id string) (string, bool) {
			if id == "sandbox-secret-id" {
				return "sandbox-secret-key", true
			}
			return "", false
		},
		Now: func() time.Time { return now },
	}
}

func signed(v Variant, at time.Time) *http.Request {
	r := httptest.NewRequest("POST", "/release/face_id_card/post", nil)
	Sign(r.Header, Credentials{"sandbox-secret-id", "sandbox-secret-key", "market", v}, at)
	return r
}

func TestVerify(t *testing.T) {
	now := fixed
	tests := []struct {
		name   string
		req    func() *http.Request
		status int
		msg    string
	}{
		{"x-date ok", func() *http.Request { return signed(XDate, now) }, 0, ""},
		{"date ok", func() *http.Request { return signed(Date, now) }, 0, ""},
		{"x-date 899s old ok", func() *http.Request { return signed(XDate, now.Add(-899*time.Second)) }, 0, ""},
		{"x-date 901s old", func() *http.Request { return signed(XDate, now.Add(-901*time.Second)) }, 401, MsgXDateOutOfDate},
		{"x-date 901s ahead", func() *http.Request { return signed(XDate, now.Add(901*time.Second)) }, 401, MsgXDateOutOfDate},
		{"date never expires", func() *http.Request { return signed(Date, now.Add(-48*time.Hour)) }, 0, ""},
		{"no authorization", func() *http.Request {
			r := signed(XDate, now)
			r.Header.Del("Authorization")
			return r
		}, 401, MsgNoAuthorization},
		{"garbage authorization", func() *http.Request {
			r := signed(XDate, now)
			r.Header.Set("Authorization", "Basic Zm9vOmJhcg==")
			return r
		}, 403, MsgBadAuthorization},
		{"no signature", func() *http.Request {
			r := signed(XDate, now)
			r.Header.Set("Authorization", `hmac id="sandbox-secret-id", algorithm="hmac-sha1", headers="x-date x-source"`)
			return r
		}, 403, MsgIDOrSigMissing},
		{"unsupported algorithm", func() *http.Request {
			r := signed(XDate, now)
			r.Header.Set("Authorization", `hmac id="sandbox-secret-id", algorithm="hmac-md5", headers="x-date x-source", signature="x"`)
			return r
		}, 401, MsgUnsupportedAlgorithm("hmac-md5")},
		{"no date among signed headers", func() *http.Request {
			r := signed(XDate, now)
			r.Header.Set("Authorization", `hmac id="sandbox-secret-id", algorithm="hmac-sha1", headers="x-source", signature="x"`)
			return r
		}, 403, MsgNoDateHeader},
		{"signed header absent", func() *http.Request {
			r := signed(XDate, now)
			r.Header.Del("X-Source")
			return r
		}, 403, MsgMissingHeader("x-source")},
		{"repeated signed header", func() *http.Request {
			r := signed(XDate, now)
			r.Header.Add("X-Source", "market")
			return r
		}, 401, MsgMultipleHeader},
		{"unparseable x-date", func() *http.Request {
			r := signed(XDate, now)
			r.Header.Set("X-Date", "yesterday")
			return r
		}, 401, MsgBadXDate},
		{"unknown id", func() *http.Request {
			r := httptest.NewRequest("POST", "/", nil)
			Sign(r.Header, Credentials{"someone-else", "sandbox-secret-key", "market", XDate}, now)
			return r
		}, 403, MsgUnknownKey},
		{"wrong key", func() *http.Request {
			r := httptest.NewRequest("POST", "/", nil)
			Sign(r.Header, Credentials{"sandbox-secret-id", "wrong", "market", XDate}, now)
			return r
		}, 403, MsgSignatureMismatch},
		{"tampered source", func() *http.Request {
			r := signed(XDate, now)
			r.Header.Set("X-Source", "other")
			return r
		}, 403, MsgSignatureMismatch},
	}
	v := newVerifier(now)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, err := v.VerifyFor(tc.req(), AnyGateway)
			if tc.status == 0 {
				if err != nil || id != "sandbox-secret-id" {
					t.Fatalf("Verify = %q, %v; want success", id, err)
				}
				return
			}
			var f *Failure
			if !errors.As(err, &f) {
				t.Fatalf("Verify err = %v, want *Failure", err)
			}
			if f.Status != tc.status || f.Message != tc.msg {
				t.Errorf("Verify = %d %q, want %d %q", f.Status, f.Message, tc.status, tc.msg)
			}
		})
	}
}

func FuzzParseAuthorization(f *testing.F) {
	f.Add(`hmac id="a", algorithm="hmac-sha1", headers="x-date x-source", signature="c2ln="`)
	f.Add(`hmac id = "AKID", algorithm = "hmac-sha1", headers = "date source", signature = yMCx=`)
	f.Add(`hmac ,,,`)
	f.Add(`hmac id="`)
	f.Fuzz(func(t *testing.T, s string) {
		a, err := parseAuthorization(s)
		if err != nil {
			return
		}
		// A parsed header round-trips through our own formatter.
		if a.ID != "" && a.Signature != "" && a.Algorithm != "" && len(a.Headers) > 0 {
			// Values holding a quote cannot be re-quoted; the parser only
			// accepts them unquoted.
			if !validQuoted(a.ID) || !validQuoted(a.Algorithm) || !validQuoted(a.Signature) ||
				!validQuoted(strings.Join(a.Headers, " ")) {
				return
			}
			b, err := parseAuthorization(AuthorizationValue(a.ID, a.Algorithm, a.Headers, a.Signature))
			if err != nil || b.ID != a.ID || b.Signature != a.Signature || b.Algorithm != a.Algorithm {
				t.Fatalf("round trip of %q: %+v, %v", s, b, err)
			}
		}
	})
}

func validQuoted(s string) bool {
	for _, c := range s {
		if c == '"' {
			return false
		}
	}
	return true
}
