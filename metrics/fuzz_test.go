package metrics

import (
	"strings"
	"testing"
)

// FuzzLabelValue checks that any label value written through the registry
// parses back (no raw newline, no unescaped quote) as its normalised code,
// and never makes the library refuse, or panic on, a metric name.
func FuzzLabelValue(f *testing.F) {
	for _, s := range []string{"", "passed", `a"b`, `a\b`, "a\nb", `\n`, `\"`, "身份证", "\xff\xfe", "\"}\n# EOF"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
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
