package upload

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// ErrBadCOSKey reports a COS event key that is not /<appid>/<bucket>/<key>.
var ErrBadCOSKey = errors.New("upload: malformed COS event key")

// maxAppIDLen bounds the APPID segment; real ones have 10 digits.
const maxAppIDLen = 20

// ParseCOSKey splits a COS event's cosObject.key, "/<appid>/<bucket>/<key>",
// into the bucket's full name as the COS API wants it ("<bucket>-<appid>",
// unless the segment already ends so) and the object key.
//
// The object key is returned as the event spells it. Tencent's event
// documentation and samples show plain keys and Tencent's own demos use them
// unchanged, so that is the primary reading; because nothing documents how
// keys with spaces or non-ASCII characters are spelt, Process also tries the
// percent-decoded key when a COS key with '%' is not found (see README.md).
func ParseCOSKey(raw string) (bucket, key string, err error) {
	rest, ok := strings.CutPrefix(raw, "/")
	if !ok {
		return "", "", fmt.Errorf("%w: no leading slash", ErrBadCOSKey)
	}
	appid, rest, ok := strings.Cut(rest, "/")
	if !ok || !isAppID(appid) {
		return "", "", fmt.Errorf("%w: no numeric APPID segment", ErrBadCOSKey)
	}
	name, key, ok := strings.Cut(rest, "/")
	if !ok || !isBucketName(name) {
		return "", "", fmt.Errorf("%w: no bucket segment", ErrBadCOSKey)
	}
	if key == "" || !utf8.ValidString(key) {
		return "", "", fmt.Errorf("%w: empty or invalid object key", ErrBadCOSKey)
	}
	bucket = name
	if !strings.HasSuffix(name, "-"+appid) {
		bucket = name + "-" + appid
	}
	return bucket, key, nil
}

func isAppID(s string) bool {
	if s == "" || len(s) > maxAppIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isBucketName accepts COS bucket names: lower-case letters, digits and
// inner hyphens.
func isBucketName(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// decodedCOSKey returns the percent-decoded key when it differs from key,
// for the fallback lookup ParseCOSKey describes.
func decodedCOSKey(key string) (string, bool) {
	if !strings.Contains(key, "%") {
		return "", false
	}
	d, err := url.PathUnescape(key)
	if err != nil || d == key || d == "" || !utf8.ValidString(d) {
		return "", false
	}
	return d, true
}
