package hmacauth

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"
)

// requestIDHeader is the random per-request id the Cloud Market gateway's
// clients send (net/http spells it Request-Id; header names are
// case-insensitive).
const requestIDHeader = "Request-Id"

// signCloudMarket signs for the Cloud Market gateway: the HMAC covers only
// "x-date: <date>", and the date travels both inside the JSON header and as
// X-Date. A Request-Id the caller already set is kept, since it is the
// caller's to correlate with; otherwise a fresh UUID goes out. The client
// builds new headers for every attempt, so each attempt gets its own.
func signCloudMarket(h http.Header, c Credentials, t time.Time) {
	date := FormatDate(t)
	sig := Signature(c.SecretKey, SigningString([]string{"x-date"}, []string{date}))
	h.Set("X-Date", date)
	h.Set("Authorization", cloudMarketAuthorizationValue(c.SecretID, date, sig))
	if h.Get(requestIDHeader) == "" {
		h.Set(requestIDHeader, newUUID())
	}
}

// cloudMarketJSON fixes the key order id, x-date, signature, the order every
// published client uses.
type cloudMarketJSON struct {
	ID        string `json:"id"`
	XDate     string `json:"x-date"`
	Signature string `json:"signature"`
}

// cloudMarketAuthorizationValue formats the compact JSON Authorization
// value: {"id":"…","x-date":"…","signature":"…"}.
func cloudMarketAuthorizationValue(id, date, signature string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	// Base64 and GMT dates hold none of <>&, but a client building the
	// value by hand would not escape them either.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(cloudMarketJSON{id, date, signature}); err != nil {
		return "" // unreachable: three strings always encode
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// cloudMarketAuthorization is a parsed Cloud Market Authorization header.
// Absent and null fields are empty.
type cloudMarketAuthorization struct {
	ID        string
	XDate     string
	Signature string
}

// parseCloudMarketAuthorization parses the JSON Authorization value. It
// follows encoding/json's grammar (any key order, any whitespace, escapes,
// unknown keys of any type ignored) but refuses what encoding/json would
// quietly settle: a repeated key (encoding/json keeps the last, so two
// parties could read different ids), a non-string id, x-date or signature,
// and anything after the object. Keys match exactly, case included.
func parseCloudMarketAuthorization(s string) (cloudMarketAuthorization, error) {
	a, err := parseCloudMarket(s)
	if err != nil {
		return cloudMarketAuthorization{}, err
	}
	return a, nil
}

func parseCloudMarket(s string) (cloudMarketAuthorization, error) {
	var a cloudMarketAuthorization
	if len(s) > maxAuthorization {
		return a, errFormat
	}
	dec := json.NewDecoder(strings.NewReader(s))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return a, errFormat
	}
	seen := map[string]bool{} // bounded by maxAuthorization
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return a, errFormat
		}
		key, ok := tok.(string)
		if !ok || seen[key] {
			return a, errFormat
		}
		seen[key] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return a, errFormat
		}
		var field *string
		switch key {
		case "id":
			field = &a.ID
		case "x-date":
			field = &a.XDate
		case "signature":
			field = &a.Signature
		default:
			continue
		}
		var v *string // null leaves the field empty, as encoding/json does
		if err := json.Unmarshal(raw, &v); err != nil {
			return a, errFormat
		}
		if v != nil {
			*field = *v
		}
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return a, errFormat
	}
	if _, err := dec.Token(); err != io.EOF {
		return a, errFormat
	}
	return a, nil
}

// newUUID returns a random (version 4) UUID from crypto/rand.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error since Go 1.24
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}
