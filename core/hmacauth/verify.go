package hmacauth

import (
	"crypto/hmac"
	"crypto/sha1"
	"hash"
	"net/http"
	"strings"
	"time"
)

// maxSkew is how far X-Date may be from the gateway's clock (documented as
// 900 s). The window is applied both ways: a future-dated X-Date is as stale
// as a past one.
const maxSkew = 900 * time.Second

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

// The messages for a signed Date that is unparseable or out of the window,
// when the verifier holds Date to one (StrictDate). The gateway never
// does, so it has no such messages; these are worded as its X-Date ones.
const (
	MsgBadDate       = "HMAC signature cannot be verified, a valid date header is required for HMAC Authentication."
	MsgDateOutOfDate = "HMAC signature cannot be verified, the date header is out of date for HMAC Authentication."
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
	// StrictDate holds a Date-signed request to a parseable date within
	// maxSkew, as X-Date and the Cloud Market date always are. The
	// gateway does not (gateway-auth.md §1c), so such a signature is valid
	// for ever: the function's drop-in mode sets it, the sandbox not.
	StrictDate bool
}

// Signed is an accepted signature.
type Signed struct {
	// ID is the SecretId it was made with; Signature the signature as sent.
	ID        string
	Signature string
	// Expires is when the signed date leaves the window, after which the
	// signature is refused; zero when no date is held to one (a Date
	// signature without StrictDate).
	Expires time.Time
}

// VerifyFor authenticates r as gateway g would and returns the SecretId it
// was signed with, or a *Failure carrying that gateway's status and
// message. A request signed in the other gateway's scheme is refused as a
// malformed header (403 `authorization headers is invalidate`): to each
// gateway the other's header is just unparseable.
func (v *Verifier) VerifyFor(r *http.Request, g Gateway) (string, error) {
	s, err := v.Check(r, g)
	return s.ID, err
}

// Check is VerifyFor returning the accepted signature whole: what a
// replay memory keys on, and how long it must remember it.
func (v *Verifier) Check(r *http.Request, g Gateway) (Signed, error) {
	vals := r.Header.Values("Authorization")
	if len(vals) == 0 || strings.TrimSpace(vals[0]) == "" {
		return Signed{}, &Failure{http.StatusUnauthorized, MsgNoAuthorization}
	}
	if len(vals) > 1 {
		return Signed{}, &Failure{http.StatusUnauthorized, MsgMultipleHeader}
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

// inWindow reports whether t is within maxSkew of now, either way.
func inWindow(now, t time.Time) bool {
	d := now.Sub(t)
	return -maxSkew <= d && d <= maxSkew
}

func (v *Verifier) verifyLegacy(r *http.Request, header string) (Signed, error) {
	a, err := parseAuthorization(header)
	if err != nil {
		return Signed{}, &Failure{http.StatusForbidden, MsgBadAuthorization}
	}
	if a.ID == "" || a.Signature == "" {
		return Signed{}, &Failure{http.StatusForbidden, MsgIDOrSigMissing}
	}
	if a.Algorithm == "" || len(a.Headers) == 0 {
		return Signed{}, &Failure{http.StatusForbidden, MsgBadAuthorization}
	}
	newHash := hashFor(a.Algorithm)
	if newHash == nil {
		alg := a.Algorithm
		if len(alg) > 32 {
			alg = alg[:32]
		}
		return Signed{}, &Failure{http.StatusUnauthorized, MsgUnsupportedAlgorithm(alg)}
	}
	values := make([]string, len(a.Headers))
	var expires time.Time
	dated := false
	for i, name := range a.Headers {
		name = strings.ToLower(name)
		a.Headers[i] = name
		if name == "date" || name == "x-date" {
			dated = true
		}
	}
	if !dated {
		return Signed{}, &Failure{http.StatusForbidden, MsgNoDateHeader}
	}
	for i, name := range a.Headers {
		got := headerValues(r, name)
		switch {
		case len(got) == 0:
			return Signed{}, &Failure{http.StatusForbidden, MsgMissingHeader(name)}
		case len(got) > 1:
			return Signed{}, &Failure{http.StatusUnauthorized, MsgMultipleHeader}
		}
		values[i] = got[0]
		// The gateway holds only X-Date to the time window, not Date
		// (gateway-auth.md §1c); StrictDate holds both.
		bad, stale := MsgBadXDate, MsgXDateOutOfDate
		if name == "date" {
			if !v.StrictDate {
				continue
			}
			bad, stale = MsgBadDate, MsgDateOutOfDate
		} else if name != "x-date" {
			continue
		}
		t, err := time.Parse(dateFormat, got[0])
		if err != nil {
			return Signed{}, &Failure{http.StatusUnauthorized, bad}
		}
		if !inWindow(v.now(), t) {
			return Signed{}, &Failure{http.StatusUnauthorized, stale}
		}
		if end := t.Add(maxSkew); expires.IsZero() || end.Before(expires) {
			expires = end
		}
	}
	return v.check(a.ID, a.Signature, newHash, SigningString(a.Headers, values), expires)
}

// verifyCloudMarket checks the JSON scheme. The signed date is the
// header's own "x-date"; only when that is absent does the X-Date header
// stand in. A missing or unparseable date is a malformed header (the
// gateway's answer is not known).
func (v *Verifier) verifyCloudMarket(r *http.Request, header string) (Signed, error) {
	a, err := parseCloudMarketAuthorization(header)
	if err != nil {
		return Signed{}, &Failure{http.StatusForbidden, MsgBadAuthorization}
	}
	if a.ID == "" || a.Signature == "" {
		return Signed{}, &Failure{http.StatusForbidden, MsgIDOrSigMissing}
	}
	date := a.XDate
	if date == "" {
		switch got := r.Header.Values("X-Date"); len(got) {
		case 0:
		case 1:
			date = got[0]
		default:
			return Signed{}, &Failure{http.StatusUnauthorized, MsgMultipleHeader}
		}
	}
	t, err := time.Parse(dateFormat, date)
	if err != nil {
		return Signed{}, &Failure{http.StatusForbidden, MsgBadAuthorization}
	}
	if !inWindow(v.now(), t) {
		return Signed{}, &Failure{http.StatusForbidden, MsgCloudMarketDateExpired}
	}
	return v.check(a.ID, a.Signature, sha1.New, SigningString([]string{"x-date"}, []string{date}), t.Add(maxSkew))
}

// check looks the key up and compares the signature in constant time.
func (v *Verifier) check(id, signature string, newHash func() hash.Hash, signing string, expires time.Time) (Signed, error) {
	key, ok := v.Lookup(id)
	if !ok {
		return Signed{}, &Failure{http.StatusForbidden, MsgUnknownKey}
	}
	want := signWith(newHash, key, signing)
	if !hmac.Equal([]byte(want), []byte(signature)) {
		return Signed{}, &Failure{http.StatusForbidden, MsgSignatureMismatch}
	}
	return Signed{ID: id, Signature: signature, Expires: expires}, nil
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
