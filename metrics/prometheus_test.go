package metrics

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

const golden = `# HELP faceid_upstream_calls_total Upstream attempts by outcome, including ones refused before the network (circuit_open, budget_exhausted).
# TYPE faceid_upstream_calls_total counter
faceid_upstream_calls_total{outcome="circuit_open"} 1
faceid_upstream_calls_total{outcome="passed"} 2
faceid_upstream_calls_total{outcome="seller_error"} 1
faceid_upstream_calls_total{outcome="transport_unsent"} 1
# HELP faceid_possibly_billed_calls_total Upstream attempts the seller may have seen and billed: all but those provably never billed.
# TYPE faceid_possibly_billed_calls_total counter
faceid_possibly_billed_calls_total 3
# HELP faceid_possibly_billed_yuan_total Possibly billed calls times the unit price, in yuan; an upper bound on the bill.
# TYPE faceid_possibly_billed_yuan_total counter
faceid_possibly_billed_yuan_total 4.5
# HELP faceid_billed_calls_total Upstream attempts the seller certainly billed: its answer carried code 200.
# TYPE faceid_billed_calls_total counter
faceid_billed_calls_total 2
# HELP faceid_billed_yuan_total Billed calls times the unit price, in yuan; a lower bound on the bill.
# TYPE faceid_billed_yuan_total counter
faceid_billed_yuan_total 3
# HELP faceid_avoided_calls_total Requests rejected by local checks before any paid call, by field.reason.
# TYPE faceid_avoided_calls_total counter
faceid_avoided_calls_total{reason="idcard.checksum"} 2
faceid_avoided_calls_total{reason="name.digit"} 1
# HELP faceid_saved_yuan_total Avoided calls times the unit price, in yuan.
# TYPE faceid_saved_yuan_total counter
faceid_saved_yuan_total 4.5
# HELP faceid_duplicate_events_total Upload events skipped because their object was already verified or claimed, by platform.
# TYPE faceid_duplicate_events_total counter
faceid_duplicate_events_total{platform="s3"} 1
# HELP faceid_upstream_latency_seconds Duration of upstream attempts, except ones refused before the network.
# TYPE faceid_upstream_latency_seconds histogram
faceid_upstream_latency_seconds_bucket{le="0.001"} 0
faceid_upstream_latency_seconds_bucket{le="0.0025"} 1
faceid_upstream_latency_seconds_bucket{le="0.005"} 1
faceid_upstream_latency_seconds_bucket{le="0.01"} 1
faceid_upstream_latency_seconds_bucket{le="0.025"} 1
faceid_upstream_latency_seconds_bucket{le="0.05"} 2
faceid_upstream_latency_seconds_bucket{le="0.1"} 2
faceid_upstream_latency_seconds_bucket{le="0.25"} 3
faceid_upstream_latency_seconds_bucket{le="0.5"} 4
faceid_upstream_latency_seconds_bucket{le="1"} 4
faceid_upstream_latency_seconds_bucket{le="2.5"} 4
faceid_upstream_latency_seconds_bucket{le="5"} 4
faceid_upstream_latency_seconds_bucket{le="10"} 4
faceid_upstream_latency_seconds_bucket{le="30"} 4
faceid_upstream_latency_seconds_bucket{le="+Inf"} 4
faceid_upstream_latency_seconds_sum 0.472
faceid_upstream_latency_seconds_count 4
# HELP faceid_clock_skew_retries_total Upstream calls re-signed with the gateway's clock after it refused the signature's date; the refusals are not billed.
# TYPE faceid_clock_skew_retries_total counter
faceid_clock_skew_retries_total 2
# HELP faceid_clock_skew_seconds The gateway's clock minus this instance's, measured at the last clock-skew retry.
# TYPE faceid_clock_skew_seconds gauge
faceid_clock_skew_seconds -1201.5
`

// fixture records a little of everything, in an order unlike the output's.
func fixture(tb testing.TB) *Registry {
	tb.Helper()
	r := MustNew(tb, Options{UnitPriceFen: 150})
	r.UpstreamCall("transport_unsent", false, false, 2*time.Millisecond)
	r.UpstreamCall("passed", true, true, 300*time.Millisecond)
	r.UpstreamCall("seller_error", true, false, 50*time.Millisecond) // exactly on a bound: le is inclusive
	r.UpstreamCall("circuit_open", false, false, 0)
	r.UpstreamCall("passed", true, true, 120*time.Millisecond)
	r.Avoided("name.digit")
	r.Avoided("idcard.checksum")
	r.Avoided("idcard.checksum")
	r.DuplicateSkipped("s3")
	r.ClockSkewRetry(20 * time.Minute)
	r.ClockSkewRetry(-1201500 * time.Millisecond) // the last one is the gauge
	return r
}

func TestWritePrometheusGolden(t *testing.T) {
	var b strings.Builder
	if err := fixture(t).WritePrometheus(&b); err != nil {
		t.Fatal(err)
	}
	if b.String() != golden {
		t.Errorf("output differs from golden:\n%s", b.String())
	}
	if _, err := parseExposition(b.String()); err != nil {
		t.Errorf("golden does not parse: %v", err)
	}
}

func TestWritePrometheusError(t *testing.T) {
	want := errors.New("disk full")
	if err := fixture(t).WritePrometheus(failWriter{want}); !errors.Is(err, want) {
		t.Errorf("err = %v, want %v", err, want)
	}
}

type failWriter struct{ err error }

func (f failWriter) Write([]byte) (int, error) { return 0, f.err }

// Printable ASCII labels are kept, so quotes and backslashes reach the
// writer and must come out escaped.
func TestLabelEscapingInOutput(t *testing.T) {
	r := MustNew(t, Options{})
	r.Avoided(`x"y\z`)
	var b strings.Builder
	if err := r.WritePrometheus(&b); err != nil {
		t.Fatal(err)
	}
	if want := `faceid_avoided_calls_total{reason="x\"y\\z"} 1` + "\n"; !strings.Contains(b.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, b.String())
	}
	samples, err := parseExposition(b.String())
	if err != nil {
		t.Fatal(err)
	}
	if got := samples[`faceid_avoided_calls_total{reason=x"y\z}`]; got != 1 {
		t.Errorf("parsed value %v, want 1 (samples: %v)", got, samples)
	}
}

func TestHandler(t *testing.T) {
	h := fixture(t).Handler()
	tests := map[string]struct {
		method     string
		wantStatus int
		wantBody   string
	}{
		"get":  {http.MethodGet, http.StatusOK, golden},
		"head": {http.MethodHead, http.StatusOK, ""},
		"post": {http.MethodPost, http.StatusMethodNotAllowed, "method not allowed\n"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tt.method, "/metrics", nil))
			if rec.Code != tt.wantStatus || rec.Body.String() != tt.wantBody {
				t.Fatalf("%s: %d %q, want %d %q", tt.method, rec.Code, rec.Body.String(), tt.wantStatus, tt.wantBody)
			}
			if tt.wantStatus != http.StatusOK {
				return
			}
			if ct := rec.Header().Get("Content-Type"); ct != "text/plain; version=0.0.4; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
			if cl := rec.Header().Get("Content-Length"); cl != strconv.Itoa(len(golden)) {
				t.Errorf("Content-Length = %q, want %d", cl, len(golden))
			}
		})
	}
}

// parseExposition is a strict reader of the subset of the text format the
// writer produces. It keys samples as name{k=v,…} with values unescaped.
func parseExposition(text string) (map[string]float64, error) {
	if !strings.HasSuffix(text, "\n") {
		return nil, errors.New("output does not end with a newline")
	}
	out := map[string]float64{}
	for n, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if strings.HasPrefix(line, "# HELP ") || strings.HasPrefix(line, "# TYPE ") {
			continue
		}
		key, rest, err := parseSeries(line)
		if err != nil {
			return nil, fmt.Errorf("line %d %q: %w", n+1, line, err)
		}
		v, err := strconv.ParseFloat(rest, 64)
		if err != nil {
			return nil, fmt.Errorf("line %d %q: value: %w", n+1, line, err)
		}
		if _, dup := out[key]; dup {
			return nil, fmt.Errorf("line %d: series %s repeated", n+1, key)
		}
		out[key] = v
	}
	return out, nil
}

// parseSeries reads `name{label="value",…} ` and returns the unescaped key
// and what follows the space.
func parseSeries(line string) (key, rest string, err error) {
	name, after, ok := strings.Cut(line, " ")
	if i := strings.IndexByte(line, '{'); i >= 0 && i < len(name) {
		name, after = line[:i], line[i+1:]
		var labels []string
		for {
			lname, tail, ok := strings.Cut(after, `="`)
			if !ok {
				return "", "", errors.New("label without =\"")
			}
			val, tail, err := unescapeLabel(tail)
			if err != nil {
				return "", "", err
			}
			labels = append(labels, lname+"="+val)
			if strings.HasPrefix(tail, ",") {
				after = tail[1:]
				continue
			}
			if !strings.HasPrefix(tail, "} ") {
				return "", "", errors.New("label set not closed by '} '")
			}
			return name + "{" + strings.Join(labels, ",") + "}", tail[2:], nil
		}
	}
	if !ok {
		return "", "", errors.New("no value")
	}
	return name, after, nil
}

// unescapeLabel reads a label value up to its closing quote.
func unescapeLabel(s string) (val, tail string, err error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return b.String(), s[i+1:], nil
		case '\n':
			return "", "", errors.New("raw newline in label value")
		case '\\':
			if i+1 == len(s) {
				return "", "", errors.New("dangling backslash")
			}
			i++
			switch s[i] {
			case '\\':
				b.WriteByte('\\')
			case '"':
				b.WriteByte('"')
			case 'n':
				b.WriteByte('\n')
			default:
				return "", "", fmt.Errorf("unknown escape \\%c", s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", "", errors.New("unterminated label value")
}
