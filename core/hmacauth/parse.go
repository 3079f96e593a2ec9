package hmacauth

import (
	"errors"
	"strings"
)

// authorization is a parsed key-pair Authorization header.
type authorization struct {
	ID        string
	Algorithm string
	// headers are the signed header names in signing order.
	Headers   []string
	Signature string
}

var errFormat = errors.New("hmacauth: malformed Authorization header")

// maxAuthorization bounds the work spent on a hostile header.
const maxAuthorization = 4096

// parseAuthorization parses `hmac id="…", algorithm="…", headers="…",
// signature="…"`. It is lenient where the gateway's own examples are: the
// keyword is case-insensitive, spaces may surround '=', and values may be
// unquoted (the product page's curl example leaves the signature bare).
func parseAuthorization(s string) (authorization, error) {
	var a authorization
	if len(s) > maxAuthorization {
		return a, errFormat
	}
	s = strings.TrimSpace(s)
	kw, rest, ok := strings.Cut(s, " ")
	if !ok || !strings.EqualFold(kw, "hmac") {
		return a, errFormat
	}
	seen := map[string]bool{}
	for rest = strings.TrimSpace(rest); rest != ""; {
		key, after, ok := strings.Cut(rest, "=")
		if !ok {
			return a, errFormat
		}
		key = strings.ToLower(strings.TrimSpace(key))
		after = strings.TrimLeft(after, " \t")
		var val string
		if strings.HasPrefix(after, `"`) {
			end := strings.IndexByte(after[1:], '"')
			if end < 0 {
				return a, errFormat
			}
			val, rest = after[1:1+end], after[2+end:]
		} else {
			end := strings.IndexByte(after, ',')
			if end < 0 {
				end = len(after)
			}
			val, rest = strings.TrimSpace(after[:end]), after[end:]
		}
		rest = strings.TrimLeft(rest, " \t")
		if rest != "" {
			if rest[0] != ',' {
				return a, errFormat
			}
			rest = strings.TrimLeft(rest[1:], " \t")
		}
		if key == "" || seen[key] {
			return a, errFormat
		}
		seen[key] = true
		switch key {
		case "id":
			a.ID = val
		case "algorithm":
			a.Algorithm = val
		case "headers":
			a.Headers = strings.Fields(val)
		case "signature":
			a.Signature = val
		}
	}
	return a, nil
}
