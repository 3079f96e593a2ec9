package metrics

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzLabelValue checks that any label value, escaped alone or written
// through the registry, parses back: no raw newline, no unescaped quote,
// valid UTF-8, and the original text (invalid bytes as U+FFFD).
func FuzzLabelValue(f *testing.F) {
	for _, s := range []string{"", "passed", `a"b`, `a\b`, "a\nb", `\n`, `\"`, "身份证", "\xff\xfe", "\"}\n# EOF"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		esc := string(appendLabelValue(nil, s))
		if !utf8.ValidString(esc) {
			t.Fatalf("escape(%q) = %q: invalid UTF-8", s, esc)
		}
		val, tail, err := unescapeLabel(esc + `"`)
		if err != nil || tail != "" {
			t.Fatalf("escape(%q) = %q does not parse back: %v (tail %q)", s, esc, err, tail)
		}
		if want := string([]rune(s)); val != want {
			t.Fatalf("escape(%q) = %q reads back as %q, want %q", s, esc, val, want)
		}

		r := MustNew(t, Options{})
		r.Avoided(s)
		r.UpstreamCall(s, true, false, 0)
		r.DuplicateSkipped(s)
		var b strings.Builder
		if err := r.WritePrometheus(&b); err != nil {
			t.Fatal(err)
		}
		samples, err := parseExposition(b.String())
		if err != nil {
			t.Fatalf("label %q: exposition does not parse: %v\n%s", s, err, b.String())
		}
		want := normLabel(s)
		for _, key := range []string{
			"faceid_avoided_calls_total{reason=" + want + "}",
			"faceid_upstream_calls_total{outcome=" + want + "}",
			"faceid_duplicate_events_total{platform=" + want + "}",
		} {
			if samples[key] != 1 {
				t.Errorf("label %q: %s = %v, want 1", s, key, samples[key])
			}
		}
	})
}
