package cosfake

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// checkSignature verifies r's COS signature (XML API request signing,
// cloud.tencent.com/document/product/436/7778) from the Authorization
// header or, for a presigned URL, the query: the SecretKey of q-ak signs,
// over q-key-time, the method, the path and every header and parameter
// the signature lists, with their values as sent; the request must come
// within q-sign-time. It returns the COS error code, or "" when the
// signature holds. Headers the signature does not list are not checked,
// as COS does not check them.
func (b *Bucket) checkSignature(r *http.Request) string {
	q := map[string]string{}
	if h := r.Header.Get("Authorization"); h != "" {
		for _, kv := range strings.Split(h, "&") {
			k, v, _ := strings.Cut(kv, "=")
			q[k] = v
		}
	} else {
		for k, v := range r.URL.Query() {
			if strings.HasPrefix(k, "q-") && len(v) == 1 {
				q[k] = v[0]
			}
		}
	}
	sk, ok := b.SecretKeys[q["q-ak"]]
	if !ok || q["q-sign-algorithm"] != "sha1" {
		return "InvalidAccessKeyId"
	}
	start, end, ok := window(q["q-sign-time"])
	now := time.Now()
	if b.Now != nil {
		now = b.Now()
	}
	if !ok || now.Unix() < start || now.Unix() > end {
		return "AccessDenied" // COS: "Request has expired"
	}
	headers := func(name string) (string, bool) {
		if name == "host" {
			return r.Host, true
		}
		v, ok := r.Header[http.CanonicalHeaderKey(name)]
		if !ok || len(v) == 0 {
			return "", false
		}
		return v[0], true
	}
	params := func(name string) (string, bool) {
		for k, v := range r.URL.Query() {
			if strings.ToLower(k) == name && len(v) > 0 {
				return v[0], true
			}
		}
		return "", false
	}
	hs, ok1 := format(q["q-header-list"], headers)
	ps, ok2 := format(q["q-url-param-list"], params)
	if !ok1 || !ok2 {
		return "SignatureDoesNotMatch"
	}
	formatted := strings.ToLower(r.Method) + "\n" + r.URL.Path + "\n" + ps + "\n" + hs + "\n"
	sum := sha1.Sum([]byte(formatted))
	toSign := "sha1\n" + q["q-sign-time"] + "\n" + hex.EncodeToString(sum[:]) + "\n"
	key := hexHMAC([]byte(sk), q["q-key-time"])
	if !hmac.Equal([]byte(hexHMAC([]byte(key), toSign)), []byte(q["q-signature"])) {
		return "SignatureDoesNotMatch"
	}
	return ""
}

// format lists the named values as COS signs them: sorted by name,
// name=value with the value percent-encoded (RFC 3986), joined by '&'.
// A listed name without a value fails.
func format(list string, get func(string) (string, bool)) (string, bool) {
	if list == "" {
		return "", true
	}
	names := strings.Split(list, ";")
	slices.Sort(names)
	out := make([]string, len(names))
	for i, n := range names {
		v, ok := get(n)
		if !ok {
			return "", false
		}
		out[i] = n + "=" + strings.ReplaceAll(url.QueryEscape(v), "+", "%20")
	}
	return strings.Join(out, "&"), true
}

// window reads "start;end" in Unix seconds.
func window(s string) (start, end int64, ok bool) {
	a, b, found := strings.Cut(s, ";")
	start, err1 := strconv.ParseInt(a, 10, 64)
	end, err2 := strconv.ParseInt(b, 10, 64)
	return start, end, found && err1 == nil && err2 == nil
}

func hexHMAC(key []byte, msg string) string {
	m := hmac.New(sha1.New, key)
	m.Write([]byte(msg))
	return hex.EncodeToString(m.Sum(nil))
}
