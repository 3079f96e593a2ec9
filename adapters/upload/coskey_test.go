package upload

import (
	"errors"
	"strings"
	"testing"
)

func TestParseCOSKey(t *testing.T) {
	tests := []struct {
		raw, bucket, key string
		ok               bool
	}{
		{"/1253970026/testpic/testfile", "testpic-1253970026", "testfile", true},
		{"/1253970026/testpic/uploads/a b/张三.jpg", "testpic-1253970026", "uploads/a b/张三.jpg", true},
		{"/1253970026/testpic-1253970026/uploads/a.jpg", "testpic-1253970026", "uploads/a.jpg", true},
		{"/1253970026/testpic/uploads/%E5%BC%A0.jpg", "testpic-1253970026", "uploads/%E5%BC%A0.jpg", true}, // verbatim
		{"/1253970026/testpic//double", "testpic-1253970026", "/double", true},
		{"1253970026/testpic/a.jpg", "", "", false},   // no leading slash
		{"/appid/testpic/a.jpg", "", "", false},       // APPID not numeric
		{"/1253970026/testpic/", "", "", false},       // no key
		{"/1253970026/testpic", "", "", false},        // no key segment
		{"/1253970026/Test_Pic/a.jpg", "", "", false}, // not a bucket name
		{"/1253970026/-pic/a.jpg", "", "", false},     // leading hyphen
		{"//testpic/a.jpg", "", "", false},            // empty APPID
		{"/1253970026/testpic/\xff", "", "", false},   // invalid UTF-8
		{"", "", "", false},
	}
	for _, tt := range tests {
		bucket, key, err := ParseCOSKey(tt.raw)
		if !tt.ok {
			if !errors.Is(err, ErrBadCOSKey) {
				t.Errorf("ParseCOSKey(%q) = %q, %q, %v; want ErrBadCOSKey", tt.raw, bucket, key, err)
			}
			continue
		}
		if err != nil || bucket != tt.bucket || key != tt.key {
			t.Errorf("ParseCOSKey(%q) = %q, %q, %v; want %q, %q", tt.raw, bucket, key, err, tt.bucket, tt.key)
		}
	}
}

func TestDecodedCOSKey(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"uploads/%E5%BC%A0%20%E4%B8%89.jpg", "uploads/张 三.jpg", true},
		{"uploads/a.jpg", "", false},
		{"uploads/100%.jpg", "", false}, // not an escape: the key is literal
		{"uploads/a+b.jpg", "", false},  // '+' is a literal plus in a path
	}
	for _, tt := range tests {
		got, ok := decodedCOSKey(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("decodedCOSKey(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzParseCOSKey(f *testing.F) {
	for _, s := range []string{"/1253970026/testpic/testfile", "/1/b-1/k", "//", "/1/a/", "/12/b/%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		bucket, key, err := ParseCOSKey(raw)
		if err != nil {
			if !errors.Is(err, ErrBadCOSKey) {
				t.Fatalf("error %v does not wrap ErrBadCOSKey", err)
			}
			return
		}
		if key == "" || bucket == "" || !strings.HasSuffix(raw, "/"+key) {
			t.Fatalf("ParseCOSKey(%q) = %q, %q", raw, bucket, key)
		}
		appid := strings.SplitN(raw, "/", 3)[1]
		if !strings.HasSuffix(bucket, "-"+appid) || !strings.Contains(raw, "/"+strings.TrimSuffix(bucket, "-"+appid)) {
			t.Fatalf("bucket %q does not come from %q", bucket, raw)
		}
		if d, ok := decodedCOSKey(key); ok && d == key {
			t.Fatalf("decodedCOSKey(%q) returned the key unchanged", key)
		}
	})
}
