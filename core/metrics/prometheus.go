package metrics

import (
	"bytes"
	"io"
	"math"
	"net/http"
	"slices"
	"strconv"
	"unicode/utf8"
)

// ContentType is the Prometheus text exposition format, version 0.0.4.
const ContentType = "text/plain; version=0.0.4; charset=utf-8"

// WritePrometheus writes all metrics in the Prometheus text format 0.0.4,
// families in a fixed order and label values sorted, so equal counters give
// equal bytes. Money is in yuan: Prometheus expects base units, and the
// fen-exact sums are in Snapshot.
func (r *Registry) WritePrometheus(w io.Writer) error {
	price := r.opts.UnitPriceFen
	b := make([]byte, 0, 4096)

	calls, _ := r.calls.load()
	b = family(b, "faceid_upstream_calls_total", "counter",
		"Upstream attempts by outcome, including ones refused before the network (circuit_open, budget_exhausted).")
	b = labelled(b, "faceid_upstream_calls_total", "outcome", calls)

	maybe, billed := r.possiblyBilled.Load(), r.billed.Load()
	b = family(b, "faceid_possibly_billed_calls_total", "counter",
		"Upstream attempts the seller may have seen and billed: all but those provably never billed.")
	b = sample(b, "faceid_possibly_billed_calls_total", float64(maybe))
	b = family(b, "faceid_possibly_billed_yuan_total", "counter",
		"Possibly billed calls times the unit price, in yuan; an upper bound on the bill.")
	b = sample(b, "faceid_possibly_billed_yuan_total", yuan(maybe*price))
	b = family(b, "faceid_billed_calls_total", "counter",
		"Upstream attempts the seller certainly billed: its answer carried code 200.")
	b = sample(b, "faceid_billed_calls_total", float64(billed))
	b = family(b, "faceid_billed_yuan_total", "counter",
		"Billed calls times the unit price, in yuan; a lower bound on the bill.")
	b = sample(b, "faceid_billed_yuan_total", yuan(billed*price))

	avoided, nAvoided := r.avoided.load()
	b = family(b, "faceid_avoided_calls_total", "counter",
		"Requests rejected by local checks before any paid call, by field.reason.")
	b = labelled(b, "faceid_avoided_calls_total", "reason", avoided)
	b = family(b, "faceid_saved_yuan_total", "counter",
		"Avoided calls times the unit price, in yuan.")
	b = sample(b, "faceid_saved_yuan_total", yuan(nAvoided*price))

	dups, _ := r.duplicates.load()
	b = family(b, "faceid_duplicate_events_total", "counter",
		"Upload events skipped because their object was already verified or claimed, by platform.")
	b = labelled(b, "faceid_duplicate_events_total", "platform", dups)

	const lat = "faceid_upstream_latency_seconds"
	h := r.latency.snapshot()
	b = family(b, lat, "histogram", "Duration of upstream attempts, except ones refused before the network.")
	for i, n := range h.cumulative(r.latency.exported) {
		le := h.bounds[r.latency.exported[i]].Seconds()
		b = append(b, lat+`_bucket{le="`...)
		b = strconv.AppendFloat(b, le, 'g', -1, 64)
		b = append(b, `"} `...)
		b = strconv.AppendInt(b, n, 10)
		b = append(b, '\n')
	}
	b = append(b, lat+`_bucket{le="+Inf"} `...)
	b = strconv.AppendInt(b, h.total, 10)
	b = append(b, '\n')
	b = sample(b, lat+"_sum", h.sum.Seconds())
	b = sample(b, lat+"_count", float64(h.total))
	b = r.skew.prometheus(b)

	_, err := w.Write(b)
	return err
}

// Handler serves WritePrometheus for GET and HEAD (e.g. at /metrics). The
// body is built before the header is sent, so a failure is a clean 500.
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		var buf bytes.Buffer
		if err := r.WritePrometheus(&buf); err != nil {
			http.Error(w, "metrics unavailable", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", ContentType)
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
		if req.Method == http.MethodGet {
			_, _ = w.Write(buf.Bytes()) // the client went away; nothing to do
		}
	})
}

// family writes the HELP and TYPE lines. Help texts are constants without
// backslashes or newlines, so they need no escaping.
func family(b []byte, name, typ, help string) []byte {
	b = append(b, "# HELP "+name+" "+help+"\n"...)
	return append(b, "# TYPE "+name+" "+typ+"\n"...)
}

func sample(b []byte, name string, v float64) []byte {
	b = append(b, name...)
	b = append(b, ' ')
	b = appendValue(b, v)
	return append(b, '\n')
}

// labelled writes one sample per label value, sorted.
func labelled(b []byte, name, label string, counts map[string]int64) []byte {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b = append(b, name...)
		b = append(b, '{')
		b = append(b, label...)
		b = append(b, `="`...)
		b = appendLabelValue(b, k)
		b = append(b, `"} `...)
		b = strconv.AppendInt(b, counts[k], 10)
		b = append(b, '\n')
	}
	return b
}

// appendValue writes a sample value; integers print without an exponent.
func appendValue(b []byte, v float64) []byte {
	if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
		return strconv.AppendInt(b, int64(v), 10)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// appendLabelValue escapes a label value as the format requires: backslash,
// double quote and line feed. Registry labels are printable ASCII already;
// this is the last line of defence, and it also replaces invalid UTF-8,
// which the format forbids.
func appendLabelValue(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch c {
			case '\\':
				b = append(b, `\\`...)
			case '"':
				b = append(b, `\"`...)
			case '\n':
				b = append(b, `\n`...)
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = utf8.AppendRune(b, utf8.RuneError)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return b
}
