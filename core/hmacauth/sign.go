// Package hmacauth implements the key-pair (HMAC) request signatures of the
// two gateways that can front the face–ID-card API: Tencent Cloud API
// Gateway (the legacy one, being retired from 2026-10-30) and the Cloud
// Market API gateway (*.cloudmarket-apigw.com).
//
// One implementation serves both sides: the client signs its upstream calls
// with Sign, and the sandbox and the function's drop-in mode check inbound
// calls with Verifier. The legacy gateway's format follows its documentation:
//
//	Authorization: hmac id="<SecretId>", algorithm="hmac-sha1",
//	    headers="x-date x-source", signature="<base64 HMAC>"
//
// where the HMAC covers "x-date: <date>\nx-source: <source>" (no trailing
// newline). The older date/source variant signs the Date and Source headers
// instead; the gateway does not check the age of a Date-signed request.
//
// The Cloud Market gateway's format is the one its products' clients send
// (gateway-auth.md §4b; observed, not documented):
//
//	Authorization: {"id":"<SecretId>","x-date":"<date>","signature":"<base64 HMAC>"}
//	X-Date: <date>
//	Request-Id: <fresh UUID>
//
// where the HMAC-SHA1 covers "x-date: <date>" alone.
package hmacauth

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"hash"
	"net/http"
	"strings"
	"time"
)

// dateFormat is RFC 1123 with a literal GMT zone, as the gateway expects.
const dateFormat = "Mon, 02 Jan 2006 15:04:05 GMT"

// Variant selects which pair of headers carries the date and the source.
type Variant string

const (
	// XDate signs X-Date and X-Source: what the market's sample clients send,
	// and the only variant whose age the gateway checks (900 s).
	XDate Variant = "x-date"
	// Date signs Date and Source, as the gateway's older Python demo does.
	Date Variant = "date"
	// CloudMarket signs for the Cloud Market API gateway: a JSON
	// authorization over "x-date: <date>" (see the package comment).
	CloudMarket Variant = "cloudmarket"
)

// headers returns the lower-case header names a legacy variant signs, in
// order. CloudMarket signs only the date and reports the XDate pair's.
func (v Variant) headers() [2]string {
	if v == Date {
		return [2]string{"date", "source"}
	}
	return [2]string{"x-date", "x-source"}
}

// Valid reports whether v is a known variant.
func (v Variant) Valid() bool { return v == XDate || v == Date || v == CloudMarket }

// FormatDate renders t the way the signed date header carries it.
func FormatDate(t time.Time) string { return t.UTC().Format(dateFormat) }

// SigningString joins "name: value" lines with \n, no trailing newline.
func SigningString(names, values []string) string {
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(strings.ToLower(n))
		b.WriteString(": ")
		b.WriteString(values[i])
	}
	return b.String()
}

// hashFor maps the algorithm names the gateway accepts to hash constructors.
func hashFor(alg string) func() hash.Hash {
	switch strings.ToLower(alg) {
	case "hmac-sha1":
		return sha1.New
	case "hmac-sha256":
		return sha256.New
	case "hmac-sha384":
		return sha512.New384
	case "hmac-sha512":
		return sha512.New
	}
	return nil
}

// Signature is base64(HMAC-SHA1(signingString, secretKey)).
func Signature(secretKey, signingString string) string {
	return signWith(sha1.New, secretKey, signingString)
}

func signWith(h func() hash.Hash, key, msg string) string {
	mac := hmac.New(h, []byte(key))
	mac.Write([]byte(msg))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Credentials is a gateway key pair and the source watermark to sign.
type Credentials struct {
	SecretID  string
	SecretKey string
	// Source is the signature watermark of the legacy variants; the
	// market's samples use "market". CloudMarket does not send it.
	Source  string
	Variant Variant
}

// Sign sets the headers the variant needs on h for time t: the date, the
// source and Authorization for the legacy variants; X-Date, Authorization
// and Request-Id for CloudMarket. Apart from the random request id it is a
// pure function of its inputs, so tests can pin the clock.
func Sign(h http.Header, c Credentials, t time.Time) {
	if c.Variant == CloudMarket {
		signCloudMarket(h, c, t)
		return
	}
	names := c.Variant.headers()
	date := FormatDate(t)
	h.Set(names[0], date)
	h.Set(names[1], c.Source)
	sig := Signature(c.SecretKey, SigningString(names[:], []string{date, c.Source}))
	h.Set("Authorization", AuthorizationValue(c.SecretID, "hmac-sha1", names[:], sig))
}

// AuthorizationValue formats the Authorization header.
func AuthorizationValue(id, algorithm string, headers []string, signature string) string {
	return `hmac id="` + id + `", algorithm="` + algorithm + `", headers="` +
		strings.Join(headers, " ") + `", signature="` + signature + `"`
}
