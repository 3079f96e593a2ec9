package metrics

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2025, 3, 1, 8, 30, 15, 123456789, time.UTC)

func TestEMFGolden(t *testing.T) {
	r := MustNew(t, Options{Function: "faceid-prod"})
	var b bytes.Buffer
	ev := event{Outcome: "passed", PossiblyBilled: true, Billed: true, Latency: 180500 * time.Microsecond}
	if err := r.writeEMF(&b, ev, now); err != nil {
		t.Fatal(err)
	}
	want := `{"_aws":{"Timestamp":1740817815123,"CloudWatchMetrics":[` +
		`{"Namespace":"FaceID","Dimensions":[["Function"]],"Metrics":[` +
		`{"Name":"UpstreamCalls","Unit":"Count"},{"Name":"PossiblyBilledCalls","Unit":"Count"},` +
		`{"Name":"PossiblyBilledYuan","Unit":"None"},{"Name":"BilledCalls","Unit":"Count"},` +
		`{"Name":"BilledYuan","Unit":"None"},{"Name":"AvoidedCalls","Unit":"Count"},` +
		`{"Name":"SavedYuan","Unit":"None"},{"Name":"DuplicateEvents","Unit":"Count"},` +
		`{"Name":"UpstreamLatency","Unit":"Milliseconds"}]},` +
		`{"Namespace":"FaceID","Dimensions":[["Function","Outcome"]],"Metrics":[{"Name":"UpstreamCalls","Unit":"Count"}]}]},` +
		`"Function":"faceid-prod","Outcome":"passed","UpstreamCalls":1,"PossiblyBilledCalls":1,"PossiblyBilledYuan":1,` +
		`"BilledCalls":1,"BilledYuan":1,` +
		`"AvoidedCalls":0,"SavedYuan":0,"DuplicateEvents":0,"UpstreamLatency":180.5}` + "\n"
	if b.String() != want {
		t.Errorf("EMF line\n%s\nwant\n%s", b.String(), want)
	}
}

func TestEMFStructure(t *testing.T) {
	tests := map[string]struct {
		ev          event
		want        map[string]any // top-level members besides _aws and Function
		directives  int
		wantLatency bool
	}{
		"passed": {
			ev: event{Outcome: "passed", PossiblyBilled: true, Billed: true, Latency: 200 * time.Millisecond},
			want: map[string]any{"Outcome": "passed", "UpstreamCalls": 1.0, "PossiblyBilledCalls": 1.0, "PossiblyBilledYuan": 1.5,
				"BilledCalls": 1.0, "BilledYuan": 1.5},
			directives: 2, wantLatency: true,
		},
		"timed out after sending: possibly billed only": {
			ev:         event{Outcome: "timeout", PossiblyBilled: true, Latency: 200 * time.Millisecond},
			want:       map[string]any{"Outcome": "timeout", "UpstreamCalls": 1.0, "PossiblyBilledCalls": 1.0, "PossiblyBilledYuan": 1.5},
			directives: 2, wantLatency: true,
		},
		"retried then refused, unpaid": {
			ev:         event{Outcome: "transport_unsent", Attempts: 3, Latency: 30 * time.Millisecond},
			want:       map[string]any{"Outcome": "transport_unsent", "UpstreamCalls": 3.0},
			directives: 2, wantLatency: true,
		},
		"circuit open: no latency": {
			ev:         event{Outcome: "circuit_open"},
			want:       map[string]any{"Outcome": "circuit_open", "UpstreamCalls": 1.0},
			directives: 2,
		},
		"avoided": {
			ev:         event{Avoided: true, Reason: "idcard.checksum", Latency: time.Millisecond},
			want:       map[string]any{"Outcome": "invalid", "Reason": "idcard.checksum", "AvoidedCalls": 1.0, "SavedYuan": 1.5},
			directives: 1,
		},
		"duplicate": {
			ev:         event{Duplicate: true, Platform: "s3"},
			want:       map[string]any{"Outcome": "duplicate", "Platform": "s3", "DuplicateEvents": 1.0},
			directives: 1,
		},
		"input value as label": {
			ev:         event{Outcome: "王小明", Reason: "11010519491231002X and more than sixty-four bytes of text ....."},
			want:       map[string]any{"Outcome": otherLabel, "Reason": otherLabel, "UpstreamCalls": 1.0},
			directives: 2,
		},
	}
	r := MustNew(t, Options{UnitPriceFen: 150})
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := r.writeEMF(&b, tt.ev, now); err != nil {
				t.Fatal(err)
			}
			line := b.String()
			if strings.Count(line, "\n") != 1 || !strings.HasSuffix(line, "\n") {
				t.Fatalf("want exactly one line, got %q", line)
			}
			doc := decodeEMF(t, line)
			meta := doc["_aws"].(map[string]any)
			dirs := meta["CloudWatchMetrics"].([]any)
			if len(dirs) != tt.directives {
				t.Errorf("%d directives, want %d", len(dirs), tt.directives)
			}
			// The directive with every metric names exactly the numeric members.
			var names []string
			for _, m := range dirs[0].(map[string]any)["Metrics"].([]any) {
				names = append(names, m.(map[string]any)["Name"].(string))
			}
			var numeric []string
			for k, v := range doc {
				if _, ok := v.(float64); ok {
					numeric = append(numeric, k)
				}
			}
			slices.Sort(names)
			slices.Sort(numeric)
			if !slices.Equal(names, numeric) {
				t.Errorf("metric names %v, numeric members %v", names, numeric)
			}
			if got := slices.Contains(names, "UpstreamLatency"); got != tt.wantLatency {
				t.Errorf("UpstreamLatency present = %v, want %v", got, tt.wantLatency)
			}
			for k, want := range tt.want {
				if doc[k] != want {
					t.Errorf("%s = %v, want %v", k, doc[k], want)
				}
			}
			for _, k := range []string{"UpstreamCalls", "PossiblyBilledCalls", "PossiblyBilledYuan", "BilledCalls", "BilledYuan", "AvoidedCalls", "SavedYuan", "DuplicateEvents"} {
				if _, set := tt.want[k]; !set && doc[k] != 0.0 {
					t.Errorf("%s = %v, want 0", k, doc[k])
				}
			}
		})
	}
}

// decodeEMF checks the rules of the EMF specification that a line can break
// and returns the decoded document.
func decodeEMF(t *testing.T, line string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(line))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	meta, ok := raw["_aws"].(map[string]any)
	if !ok || len(meta) != 2 {
		t.Fatalf("_aws = %v, want an object with Timestamp and CloudWatchMetrics only", raw["_aws"])
	}
	if ts, err := meta["Timestamp"].(json.Number).Int64(); err != nil || ts != now.UnixMilli() {
		t.Errorf("Timestamp = %v, want integer milliseconds %d", meta["Timestamp"], now.UnixMilli())
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(line), &doc); err != nil {
		t.Fatal(err)
	}
	units := []string{"Count", "None", "Milliseconds", "Seconds"}
	for _, d := range doc["_aws"].(map[string]any)["CloudWatchMetrics"].([]any) {
		dir := d.(map[string]any)
		if dir["Namespace"] != "FaceID" || len(dir) != 3 {
			t.Errorf("directive %v: want Namespace FaceID, Dimensions and Metrics only", dir)
		}
		for _, set := range dir["Dimensions"].([]any) {
			for _, dim := range set.([]any) {
				v, ok := doc[dim.(string)].(string)
				if !ok || !printableASCII(v) {
					t.Errorf("dimension %s = %#v, want a non-blank ASCII string member", dim, doc[dim.(string)])
				}
			}
		}
		for _, m := range dir["Metrics"].([]any) {
			md := m.(map[string]any)
			if _, ok := doc[md["Name"].(string)].(float64); !ok {
				t.Errorf("metric %s has no numeric member", md["Name"])
			}
			if !slices.Contains(units, md["Unit"].(string)) {
				t.Errorf("metric %s unit %v", md["Name"], md["Unit"])
			}
		}
	}
	return doc
}

func TestJSONLine(t *testing.T) {
	r := MustNew(t, Options{Function: "faceid-scf"})
	var b bytes.Buffer
	ev := event{Outcome: "seller_error", PossiblyBilled: true, Latency: 95 * time.Millisecond}
	if err := r.writeJSON(&b, ev, now); err != nil {
		t.Fatal(err)
	}
	want := `{"time":"2025-03-01T08:30:15.123456789Z","level":"INFO","msg":"metrics",` +
		`"function":"faceid-scf","outcome":"seller_error","upstream_calls":1,"possibly_billed_calls":1,` +
		`"possibly_billed_fen":100,"possibly_billed_yuan":1,"billed_calls":0,"billed_fen":0,"billed_yuan":0,` +
		`"avoided_calls":0,"saved_fen":0,"saved_yuan":0,` +
		`"duplicate_events":0,"upstream_latency_ms":95}` + "\n"
	if b.String() != want {
		t.Errorf("JSON line\n%s\nwant\n%s", b.String(), want)
	}

	b.Reset()
	if err := r.writeJSON(&b, event{Avoided: true, Reason: "name.digit"}, now); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["msg"] != "metrics" || doc["outcome"] != "invalid" || doc["reason"] != "name.digit" ||
		doc["saved_fen"] != 100.0 || doc["upstream_calls"] != 0.0 || doc["upstream_latency_ms"] != nil {
		t.Errorf("avoided line = %v", doc)
	}
}
