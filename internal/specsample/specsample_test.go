package specsample

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

func TestSamples(t *testing.T) {
	spec, err := Load()
	if err != nil {
		t.Skip(err)
	}
	v := Values{BaseURL: "http://127.0.0.1:1234", SecretID: "sid", SecretKey: "skey", IDCard: "110101199003070011", Name: "张三", Image: "QUJD"}
	for _, sample := range All {
		name := sample.Name
		s, err := sample.Source(spec, v)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		wants := []string{"http://127.0.0.1:1234/release/face_id_card/post", "sid", "skey", "110101199003070011", "张三", "QUJD"}
		switch name {
		case "csharp": // a literal form
			wants[4] = "%E5%BC%A0%E4%B8%89"
		case "curl": // signed again, not holding the key
			wants[2] = "signature = " + curlSignature("skey")
		}
		for _, want := range wants {
			if !strings.Contains(s, want) {
				t.Errorf("%s sample lacks %q", name, want)
			}
		}
		if strings.Contains(s, "myqcloud.com") || strings.Contains(s, "xxx") || strings.Contains(s, "AKIDi6qE41WgJ9w8h4h9zq68Vq24d1beIuN0qIwU") {
			t.Errorf("%s sample still points at the real service or placeholder keys", name)
		}
	}
}

// curlSignature is the curl sample's signature with key, computed here
// from the sample's printed date and source.
func curlSignature(key string) string {
	mac := hmac.New(sha1.New, []byte(key))
	mac.Write([]byte("date: Mon, 19 Mar 2018 12:08:40 GMT\nsource: source"))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

func TestCurlDate(t *testing.T) {
	spec, err := Load()
	if err != nil {
		t.Skip(err)
	}
	now := time.Date(2026, 12, 3, 11, 42, 18, 0, time.UTC)
	s, err := Curl(spec, Values{BaseURL: "http://127.0.0.1:1", SecretID: "sid", SecretKey: "skey", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha1.New, []byte("skey"))
	mac.Write([]byte("date: Thu, 03 Dec 2026 11:42:18 GMT\nsource: source"))
	want := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	if !strings.Contains(s, "-H 'Date:Thu, 03 Dec 2026 11:42:18 GMT'") || !strings.Contains(s, "signature = "+want) ||
		strings.Contains(s, "2018") {
		t.Fatalf("the command does not carry and sign the given date:\n%.400s", s)
	}
}

func TestShapeChangesAreErrors(t *testing.T) {
	if _, err := Python("no sample here", Values{}); err == nil {
		t.Error("want an error for a page without the sample")
	}
	if _, err := Go("package main\nurl := 'x'\nusing System.IO;", Values{}); err == nil {
		t.Error("want an error for a sample without the expected lines")
	}
	if _, err := Curl("curl -v -X POST http://x/a -H 'Date:d' -H 'Source:s'\n//请用云市场", Values{}); err == nil {
		t.Error("want an error for a curl command without Authorization")
	}
}

// FuzzSources holds every sample's reader to an error, never a panic, on
// a page of any shape.
func FuzzSources(f *testing.F) {
	if spec, err := Load(); err == nil {
		f.Add(spec)
	}
	f.Add("curl -v -X POST http://x/a -H 'Date:d' -H 'Source:s'\n//请用云市场")
	f.Add("package main\n    url := \"http://x/a\"\nusing System.IO;")
	f.Fuzz(func(t *testing.T, page string) {
		v := Values{BaseURL: "http://127.0.0.1:1", SecretID: "sid", SecretKey: "skey", Now: time.Unix(0, 0)}
		for _, s := range All {
			if out, err := s.Source(page, v); err == nil && out == "" {
				t.Errorf("%s: no error and no source", s.Name)
			}
		}
	})
}
