package upload

import (
	"errors"
	"maps"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/faceid-verify/faceid/core/invalid"
)

func TestNormalizeMetadata(t *testing.T) {
	tests := []struct {
		name string
		in   map[string]string
		want map[string]string
	}{
		{"nil stays nil", nil, nil},
		{"cos event", map[string]string{
			"x-cos-meta-idcard": "110101199003070011", "X-Cos-Meta-Name": "张三",
			"Content-Type": "image/jpeg", "x-cos-request-id": "abc",
		}, map[string]string{"idcard": "110101199003070011", "name": "张三", "content-type": "image/jpeg", "x-cos-request-id": "abc"}},
		{"s3 sdk, bare names", map[string]string{"IDCard": "1", "name": "%E5%BC%A0"}, map[string]string{"idcard": "1", "name": "%E5%BC%A0"}},
		{"amz headers", map[string]string{"X-Amz-Meta-Name": "x"}, map[string]string{"name": "x"}},
		{"prefix only is dropped", map[string]string{"x-amz-meta-": "x", " ": "y"}, map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := NormalizeMetadata(tt.in)
			if (got == nil) != (tt.want == nil) || !maps.Equal(got, tt.want) {
				t.Errorf("NormalizeMetadata(%v) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestDecodeName(t *testing.T) {
	tests := []struct {
		in, want string
		reason   string
	}{
		{"%E5%BC%A0%E4%B8%89", "张三", ""},
		{"%e5%bc%a0%e4%b8%89", "张三", ""}, // lower-case hex
		{"张三", "张三", ""},                 // plain UTF-8 (COS)
		{" 张三 ", "张三", ""},               // surrounding spaces
		{"Anna%20Lee", "Anna Lee", ""},   // encodeURIComponent
		{"Anna+Lee", "Anna Lee", ""},     // form encoding
		{"%E4%B9%B0%E4%B9%B0%E6%8F%90%C2%B7%E8%89%BE%E5%8A%9B", "买买提·艾力", ""},
		{"=?UTF-8?B?5byg5LiJ?=", "张三", ""}, // what S3 returns for raw UTF-8
		{"=?utf-8?q?=E5=BC=A0=E4=B8=89?=", "张三", ""},
		{"", "", ""},
		{"%E5%BC", "", "encoding"},             // cut in the middle of a rune
		{"%ZZ", "", "encoding"},                // not an escape
		{"%FF%FE", "", "encoding"},             // not UTF-8
		{"=?GBK?B?1cXI/Q==?=", "", "encoding"}, // charset we do not read
		{"\xff\xfe", "", "encoding"},           // raw bytes that are not UTF-8
	}
	for _, tt := range tests {
		got, err := DecodeName(tt.in)
		if tt.reason != "" {
			var ie *invalid.Error
			if !errors.As(err, &ie) || ie.Field != "name" || ie.Reason != tt.reason {
				t.Errorf("DecodeName(%q) error = %v, want name/%s", tt.in, err, tt.reason)
			}
			if err != nil && strings.Contains(err.Error(), tt.in) && tt.in != "" {
				t.Errorf("error %q repeats the value", err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("DecodeName(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func FuzzDecodeName(f *testing.F) {
	for _, s := range []string{"%E5%BC%A0%E4%B8%89", "张三", "Anna+Lee", "=?UTF-8?B?5byg5LiJ?=", "%", "=?x?q?=?=", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := DecodeName(raw)
		if err != nil {
			var ie *invalid.Error
			if !errors.As(err, &ie) || ie.Field != "name" {
				t.Fatalf("error %v is not a name validation error", err)
			}
			if len(raw) > 3 && strings.Contains(err.Error(), raw) {
				t.Fatalf("error repeats the value")
			}
			return
		}
		if !utf8.ValidString(got) {
			t.Fatalf("DecodeName(%q) = %q, not UTF-8", raw, got)
		}
		if got != strings.TrimSpace(got) && !strings.ContainsAny(raw, "%+=") {
			t.Fatalf("DecodeName(%q) = %q kept surrounding space", raw, got)
		}
	})
}

func FuzzNormalizeMetadata(f *testing.F) {
	f.Add("x-cos-meta-Name", "张三", "X-AMZ-META-idcard", "1")
	f.Add("x-amz-meta-x-cos-meta-a", "", "Content-Type", "image/jpeg")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		in := map[string]string{k1: v1, k2: v2}
		out := NormalizeMetadata(in)
		if len(out) > len(in) {
			t.Fatalf("%d names out of %d", len(out), len(in))
		}
		for k := range out {
			if k == "" || k != strings.ToLower(k) {
				t.Fatalf("name %q is empty or not lower-case", k)
			}
		}
		for k := range in {
			name := strings.ToLower(strings.TrimSpace(k))
			for _, p := range []string{"x-cos-meta-", "x-amz-meta-"} {
				if rest, ok := strings.CutPrefix(name, p); ok {
					name = rest
					break
				}
			}
			if _, ok := out[name]; name != "" && !ok {
				t.Fatalf("%q did not come out as %q: %v", k, name, out)
			}
		}
	})
}
