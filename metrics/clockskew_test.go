package metrics

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestClockSkewSnapshot(t *testing.T) {
	r := MustNew(t, Options{})
	if s := r.Snapshot(); s.ClockSkewRetries != 0 || s.ClockSkewSeconds != 0 {
		t.Fatalf("fresh snapshot %+v", s)
	}
	r.ClockSkewRetry(-90 * time.Second)
	r.ClockSkewRetry(1200 * time.Second)
	s := r.Snapshot()
	if s.ClockSkewRetries != 2 || s.ClockSkewSeconds != 1200 {
		t.Errorf("snapshot retries %d seconds %v, want 2 and the last skew, 1200", s.ClockSkewRetries, s.ClockSkewSeconds)
	}
	// A skew retry is not an upstream call and costs nothing.
	if s.UpstreamCalls != 0 || s.PossiblyBilledCalls != 0 || s.BilledCalls != 0 {
		t.Errorf("snapshot %+v counts a skew retry as a call", s)
	}
}

func TestClockSkewLines(t *testing.T) {
	r := MustNew(t, Options{Function: "fn"})
	var b bytes.Buffer
	if err := r.writeSkewLine(&b, FormatEMF, 1199600*time.Millisecond, now); err != nil {
		t.Fatal(err)
	}
	if strings.Count(b.String(), "\n") != 1 {
		t.Fatalf("want one line, got %q", b.String())
	}
	doc := decodeEMF(t, b.String())
	dirs := doc["_aws"].(map[string]any)["CloudWatchMetrics"].([]any)
	var names []string
	for _, m := range dirs[0].(map[string]any)["Metrics"].([]any) {
		names = append(names, m.(map[string]any)["Name"].(string))
	}
	// Only the skew metrics: the line adds no zero samples to per-request ones.
	if len(dirs) != 1 || !slices.Equal(names, []string{"ClockSkewRetries", "ClockSkewSeconds"}) {
		t.Errorf("directives %v", dirs)
	}
	if doc["ClockSkewRetries"] != 1.0 || doc["ClockSkewSeconds"] != 1200.0 || doc["Function"] != "fn" {
		t.Errorf("EMF line %v", doc)
	}

	b.Reset()
	if err := r.writeSkewLine(&b, FormatJSON, -30*time.Second, now); err != nil {
		t.Fatal(err)
	}
	var j map[string]any
	if err := json.Unmarshal(b.Bytes(), &j); err != nil {
		t.Fatal(err)
	}
	if j["msg"] != "metrics" || j["outcome"] != "clock_skew_retry" || j["clock_skew_retries"] != 1.0 ||
		j["clock_skew_seconds"] != -30.0 || j["function"] != "fn" {
		t.Errorf("JSON line %v", j)
	}

	// Lines records and writes.
	for _, format := range []string{FormatJSON, FormatEMF} {
		b.Reset()
		l := &Lines{Registry: MustNew(t, Options{}), Out: &b, Format: format}
		l.ClockSkewRetry(5 * time.Minute)
		if l.Registry.Snapshot().ClockSkewRetries != 1 || strings.Count(b.String(), "\n") != 1 ||
			strings.Contains(b.String(), "_aws") != (format == FormatEMF) {
			t.Errorf("%s: snapshot %+v, output %q", format, l.Registry.Snapshot(), b.String())
		}
	}
}
