package specsample

import (
	"strings"
	"testing"
)

func TestSamples(t *testing.T) {
	spec, err := Load()
	if err != nil {
		t.Skip(err)
	}
	v := Values{BaseURL: "http://127.0.0.1:1234", SecretID: "sid", SecretKey: "skey", IDCard: "110101199003070011", Name: "张三", Image: "QUJD"}
	for name, f := range map[string]func(string, Values) (string, error){"python": Python, "go": Go} {
		s, err := f(spec, v)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, want := range []string{"http://127.0.0.1:1234/release/face_id_card/post", "sid", "skey", "110101199003070011", "张三", "QUJD"} {
			if !strings.Contains(s, want) {
				t.Errorf("%s sample lacks %q", name, want)
			}
		}
		if strings.Contains(s, "myqcloud.com") || strings.Contains(s, "xxxx") {
			t.Errorf("%s sample still points at the real service or placeholder keys", name)
		}
	}
}

func TestShapeChangesAreErrors(t *testing.T) {
	if _, err := Python("no sample here", Values{}); err == nil {
		t.Error("want an error for a page without the sample")
	}
	if _, err := Go("package main\nurl := 'x'\nusing System.IO;", Values{}); err == nil {
		t.Error("want an error for a sample without the expected lines")
	}
}
