package hmacauth

import (
	"crypto/hmac"
	"crypto/sha1"
	"hash"
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

// MsgCloudMarketDateExpired is the Cloud Market gateway's answer (403) to a
// signature date outside the window. The real text is not published; one
// client of that gateway recognises it by "签名时间" and "超时", so this text
// has both and is otherwise an assumption (sandbox/README.md).
const MsgCloudMarketDateExpired = "签名时间超时,x-date 与服务器时间相差超过 900 秒"

// Gateway names a gateway whose signature scheme a request must carry.
type Gateway int

const (
	// AnyGateway accepts either scheme, chosen by the Authorization
	// header's form: a JSON object is the Cloud Market scheme, anything
	// else the legacy one.
	AnyGateway Gateway = iota
	// LegacyGateway is Tencent Cloud API Gateway: `hmac id="…", …`.
	LegacyGateway
	// CloudMarketGateway is the Cloud Market API gateway: a JSON header.
	CloudMarketGateway
)

func (g Gateway) String() string {
	switch g {
	case LegacyGateway:
		return "legacy"
	case CloudMarketGateway:
		return "cloudmarket"
	}
	return "any"
}

// Verifier checks inbound key-pair signatures.
type Verifier struct {
	// Lookup returns the secret key of a SecretId, or false if it is unknown.
	Lookup func(id string) (key string, ok bool)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Verify authenticates r signed in either gateway's scheme; it is
// VerifyFor(r, AnyGateway).
func (v *Verifier) Verify(r *http.Request) (string, error) {
	return v.VerifyFor(r, AnyGateway)
}

// VerifyFor authenticates r as gateway g would and returns the SecretId it
// was signed with, or a *Failure carrying that gateway's status and
// message. A request signed in the other gateway's scheme is refused as a
// malformed header (403 `authorization headers is invalidate`): to each
// gateway the other's header is just unparseable.
func (v *Verifier) VerifyFor(r *http.Request, g Gateway) (string, error) {
	vals := r.Header.Values("Authorization")
	if len(vals) == 0 || strings.TrimSpace(vals[0]) == "" {
		return "", &Failure{http.StatusUnauthorized, MsgNoAuthorization}
	}
	if len(vals) > 1 {
		return "", &Failure{http.StatusUnauthorized, MsgMultipleHeader}
	}
	if g == AnyGateway {
		g = LegacyGateway
		if strings.HasPrefix(strings.TrimLeft(vals[0], " \t"), "{") {
			g = CloudMarketGateway
		}
	}
	if g == CloudMarketGateway {
		return v.verifyCloudMarket(r, vals[0])
	}
	return v.verifyLegacy(r, vals[0])
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

// inWindow reports whether t is within MaxSkew of now, either way.
func inWindow(now, t time.Time) bool {
	d := now.Sub(t)
	return -MaxSkew <= d && d <= MaxSkew
}

func (v *Verifier) verifyLegacy(r *http.Request, header string) (string, error) {
	a, err := ParseAuthorization(header)
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
			if !inWindow(v.now(), t) {
				return "", &Failure{http.StatusUnauthorized, MsgXDateOutOfDate}
			}
		}
	}
	return v.check(a.ID, a.Signature, newHash, SigningString(a.Headers, values))
}

// verifyCloudMarket checks the JSON scheme. The signed date is the
// header's own "x-date"; only when that is absent does the X-Date header
// stand in. A missing or unparseable date is a malformed header (the
// gateway's answer is not known).
func (v *Verifier) verifyCloudMarket(r *http.Request, header string) (string, error) {
	a, err := ParseCloudMarketAuthorization(header)
	if err != nil {
		return "", &Failure{http.StatusForbidden, MsgBadAuthorization}
	}
	if a.ID == "" || a.Signature == "" {
		return "", &Failure{http.StatusForbidden, MsgIDOrSigMissing}
	}
	date := a.XDate
	if date == "" {
		switch got := r.Header.Values("X-Date"); len(got) {
		case 0:
		case 1:
			date = got[0]
		default:
			return "", &Failure{http.StatusUnauthorized, MsgMultipleHeader}
		}
	}
	t, err := time.Parse(DateFormat, date)
	if err != nil {
		return "", &Failure{http.StatusForbidden, MsgBadAuthorization}
	}
	if !inWindow(v.now(), t) {
		return "", &Failure{http.StatusForbidden, MsgCloudMarketDateExpired}
	}
	return v.check(a.ID, a.Signature, sha1.New, SigningString([]string{"x-date"}, []string{date}))
}

// check looks the key up and compares the signature in constant time.
func (v *Verifier) check(id, signature string, newHash func() hash.Hash, signing string) (string, error) {
	key, ok := v.Lookup(id)
	if !ok {
		return "", &Failure{http.StatusForbidden, MsgUnknownKey}
	}
	want := signWith(newHash, key, signing)
	if !hmac.Equal([]byte(want), []byte(signature)) {
		return "", &Failure{http.StatusForbidden, MsgSignatureMismatch}
	}
	return id, nil
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
