package hmacauth

import (
	"crypto/hmac"
	"net/http"
	"strings"
	"time"
)

// MaxSkew is how far X-Date may be from the gateway's clock (documented as
// 900 s). The window is applied both ways: a future-dated X-Date is as stale
// as a past one.
const MaxSkew = 900 * time.Second

// The gateway's exact messages (gateway-auth.md §1, §6). Callers and the
// seed's sample clients match on these strings, so they are kept verbatim,
// including the gateway's own spelling.
const (
	MsgNoAuthorization   = "HMAC signature cannot be verified, a validate authorization header is required"
	MsgBadAuthorization  = "authorization headers is invalidate"
	MsgIDOrSigMissing    = "id or signature missing"
	MsgNoDateHeader      = "HMAC signature cannot be verified, a valid date header is required"
	MsgMultipleHeader    = "HMAC do not support multiple HTTP header."
	MsgBadXDate          = "HMAC signature cannot be verified, a valid x-date header is required for HMAC Authentication."
	MsgXDateOutOfDate    = "HMAC signature cannot be verified, the x-date header is out of date for HMAC Authentication."
	MsgUnknownKey        = "HMAC signature cannot be verified"
	MsgSignatureMismatch = "HMAC signature does not match"
)

// MsgMissingHeader is the message for a signed header absent from the request.
func MsgMissingHeader(name string) string {
	return "HMAC signature cannot be verified, a valid " + name + " header is required"
}

// MsgUnsupportedAlgorithm is the message for an algorithm the gateway lacks.
func MsgUnsupportedAlgorithm(alg string) string {
	return "HMAC algorithm " + alg + " not supported."
}

// Failure is an authentication failure as the gateway reports it: an HTTP
// status and a message for a {"message": …} body.
type Failure struct {
	Status  int
	Message string
}

func (f *Failure) Error() string { return f.Message }

// Verifier checks inbound key-pair signatures.
type Verifier struct {
	// Lookup returns the secret key of a SecretId, or false if it is unknown.
	Lookup func(id string) (key string, ok bool)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Verify authenticates r and returns the SecretId it was signed with, or a
// *Failure carrying the gateway's status and message.
func (v *Verifier) Verify(r *http.Request) (string, error) {
	vals := r.Header.Values("Authorization")
	if len(vals) == 0 || strings.TrimSpace(vals[0]) == "" {
		return "", &Failure{http.StatusUnauthorized, MsgNoAuthorization}
	}
	if len(vals) > 1 {
		return "", &Failure{http.StatusUnauthorized, MsgMultipleHeader}
	}
	a, err := ParseAuthorization(vals[0])
	if err != nil {
		return "", &Failure{http.StatusForbidden, MsgBadAuthorization}
	}
	if a.ID == "" || a.Signature == "" {
		return "", &Failure{http.StatusForbidden, MsgIDOrSigMissing}
	}
	if a.Algorithm == "" || len(a.Headers) == 0 {
		return "", &Failure{http.StatusForbidden, MsgBadAuthorization}
	}
	newHash := hashFor(a.Algorithm)
	if newHash == nil {
		alg := a.Algorithm
		if len(alg) > 32 {
			alg = alg[:32]
		}
		return "", &Failure{http.StatusUnauthorized, MsgUnsupportedAlgorithm(alg)}
	}
	values := make([]string, len(a.Headers))
	dated := false
	for i, name := range a.Headers {
		name = strings.ToLower(name)
		a.Headers[i] = name
		if name == "date" || name == "x-date" {
			dated = true
		}
	}
	if !dated {
		return "", &Failure{http.StatusForbidden, MsgNoDateHeader}
	}
	for i, name := range a.Headers {
		got := headerValues(r, name)
		switch {
		case len(got) == 0:
			return "", &Failure{http.StatusForbidden, MsgMissingHeader(name)}
		case len(got) > 1:
			return "", &Failure{http.StatusUnauthorized, MsgMultipleHeader}
		}
		values[i] = got[0]
		// Only X-Date is held to the time window; a Date-signed request is
		// not (gateway-auth.md §1c).
		if name == "x-date" {
			t, err := time.Parse(DateFormat, got[0])
			if err != nil {
				return "", &Failure{http.StatusUnauthorized, MsgBadXDate}
			}
			now := time.Now()
			if v.Now != nil {
				now = v.Now()
			}
			if d := now.Sub(t); d > MaxSkew || d < -MaxSkew {
				return "", &Failure{http.StatusUnauthorized, MsgXDateOutOfDate}
			}
		}
	}
	key, ok := v.Lookup(a.ID)
	if !ok {
		return "", &Failure{http.StatusForbidden, MsgUnknownKey}
	}
	want := signWith(newHash, key, SigningString(a.Headers, values))
	if !hmac.Equal([]byte(want), []byte(a.Signature)) {
		return "", &Failure{http.StatusForbidden, MsgSignatureMismatch}
	}
	return a.ID, nil
}

// headerValues reads a signed header; Host lives outside r.Header in net/http.
func headerValues(r *http.Request, name string) []string {
	if name == "host" {
		if r.Host == "" {
			return nil
		}
		return []string{r.Host}
	}
	return r.Header.Values(name)
}
