package upload

import (
	"mime"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/faceid-verify/faceid/core/invalid"
)

// User metadata names (after NormalizeMetadata) that carry the person.
const (
	MetaIDCard = "idcard"
	MetaName   = "name"
)

// metaPrefixes are the user-metadata header prefixes, lower-case.
var metaPrefixes = []string{"x-cos-meta-", "x-amz-meta-"}

// NormalizeMetadata returns user metadata with lower-case names and no
// x-cos-meta-/x-amz-meta- prefix, values unchanged. COS events spell names
// as headers ("x-cos-meta-name") next to system headers ("Content-Type");
// S3 and the SDKs return them bare; both end up as "name". Entries that
// would be empty after the prefix is removed are dropped. Nil in, nil out,
// so "the event had no metadata" survives.
func NormalizeMetadata(in map[string]string) map[string]string {
	if in == nil {
		return nil
	}
	out := make(map[string]string, len(in))
	for k, v := range in {
		name := strings.ToLower(strings.TrimSpace(k))
		for _, p := range metaPrefixes {
			if strings.HasPrefix(name, p) {
				name = name[len(p):]
				break
			}
		}
		if name == "" {
			continue
		}
		out[name] = v
	}
	return out
}

// DecodeName turns the name metadata value into the name as typed.
//
// S3 metadata is US-ASCII, so uploaders percent-encode the UTF-8 name
// ("%E5%BC%A0%E4%B8%89" for 张三); '+' also stands for a space, as in
// form encoding, since no name contains a plus sign. A value S3 returns as
// an RFC 2047 encoded word ("=?UTF-8?B?5byg5LiJ?=") is decoded too. A value
// without '%' or encoded words is taken as it is, which lets COS uploaders
// send plain UTF-8.
//
// Errors are *invalid.Error on field "name" and never contain the value.
func DecodeName(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	switch {
	case strings.HasPrefix(s, "=?") && strings.HasSuffix(s, "?="):
		// S3 returns metadata sent as raw UTF-8 (e.g. by the AWS CLI) as
		// RFC 2047 words; without a CharsetReader only UTF-8, US-ASCII and
		// ISO-8859-1 decode.
		d, err := new(mime.WordDecoder).DecodeHeader(s)
		if err != nil {
			return "", errNameEncoding("not a valid RFC 2047 encoded word")
		}
		s = d
	case strings.ContainsAny(s, "%+"):
		d, err := url.QueryUnescape(s)
		if err != nil {
			return "", errNameEncoding("not valid percent-encoding")
		}
		s = d
	}
	if !utf8.ValidString(s) {
		return "", errNameEncoding("not valid UTF-8")
	}
	return s, nil
}

func errNameEncoding(why string) error {
	return invalid.New("name", "encoding", "编码错误(应为UTF-8百分号编码)", "name metadata is "+why+"; percent-encode the UTF-8 name")
}

// personFrom reads the ID number and name from normalised metadata. A
// missing value becomes "", which validation reports as missing.
func personFrom(meta map[string]string) (idcard, name string, err error) {
	idcard = strings.TrimSpace(meta[MetaIDCard])
	name, err = DecodeName(meta[MetaName])
	return idcard, name, err
}
