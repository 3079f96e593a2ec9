package hmacauth

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// signedDate is a Date/Source request whose Date header is date, signed
// correctly: the signature covers whatever the client put there.
func signedDate(date string) *http.Request {
	r := httptest.NewRequest("POST", "/release/face_id_card/post", nil)
	names := []string{"date", "source"}
	r.Header.Set("Date", date)
	r.Header.Set("Source", "market")
	sig := Signature("sandbox-secret-key", SigningString(names, []string{date, "market"}))
	r.Header.Set("Authorization", AuthorizationValue("sandbox-secret-id", "hmac-sha1", names, sig))
	return r
}

// StrictDate holds a Date signature to a real date within the window, as
// X-Date is; without it (the gateway, the sandbox) any Date goes.
func TestStrictDate(t *testing.T) {
	now := fixed
	tests := []struct {
		name   string
		req    *http.Request
		strict string // the message with StrictDate, "" for success
	}{
		{"date now", signedDate(FormatDate(now)), ""},
		{"date 899s old", signedDate(FormatDate(now.Add(-899 * time.Second))), ""},
		{"date 899s ahead", signedDate(FormatDate(now.Add(899 * time.Second))), ""},
		{"not a date at all", signedDate("not a date at all"), MsgBadDate},
		{"empty date", signedDate(""), MsgBadDate},
		{"1970", signedDate(FormatDate(time.Unix(0, 0))), MsgDateOutOfDate},
		{"a day old", signedDate(FormatDate(now.Add(-24 * time.Hour))), MsgDateOutOfDate},
		{"901s ahead", signedDate(FormatDate(now.Add(901 * time.Second))), MsgDateOutOfDate},
		{"another format", signedDate(now.Format(time.RFC850)), MsgBadDate},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lenient, strict := newVerifier(now), newVerifier(now)
			strict.StrictDate = true
			if _, err := lenient.VerifyFor(tc.req, AnyGateway); err != nil {
				t.Fatalf("the gateway's rule refused it: %v", err)
			}
			s, err := strict.Check(tc.req, AnyGateway)
			if tc.strict == "" {
				if err != nil || s.ID != "sandbox-secret-id" {
					t.Fatalf("strict: %+v, %v", s, err)
				}
				return
			}
			var f *Failure
			if !errors.As(err, &f) || f.Status != http.StatusUnauthorized || f.Message != tc.strict {
				t.Fatalf("strict: %v, want 401 %q", err, tc.strict)
			}
		})
	}
}

// Check tells how long a signature stays valid: until its signed date
// leaves the window; an unchecked Date never does.
func TestCheckExpires(t *testing.T) {
	now := fixed
	at := now.Add(-100 * time.Second)
	strict := newVerifier(now)
	strict.StrictDate = true
	for _, tc := range []struct {
		name string
		v    *Verifier
		req  *http.Request
		want time.Time
	}{
		{"x-date", newVerifier(now), signed(XDate, at), at.Add(maxSkew)},
		{"cloud market", newVerifier(now), signed(CloudMarket, at), at.Add(maxSkew)},
		{"date, strict", strict, signed(Date, at), at.Add(maxSkew)},
		{"date, as the gateway", newVerifier(now), signed(Date, at), time.Time{}},
	} {
		s, err := tc.v.Check(tc.req, AnyGateway)
		if err != nil || !s.Expires.Equal(tc.want) || s.Signature == "" {
			t.Errorf("%s: %+v, %v; want expiry %v", tc.name, s, err, tc.want)
		}
	}
}
