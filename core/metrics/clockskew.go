package metrics

import (
	"io"
	"strconv"
	"sync/atomic"
	"time"
)

// clockSkew counts calls the client re-signed with the gateway's clock
// after the gateway refused the signature's date, and keeps the last
// measured skew. Such a refusal happens before the seller, so it is never
// billed and is not a paid call.
type clockSkew struct {
	retries atomic.Int64
	last    atomic.Int64 // nanoseconds, the gateway's clock minus ours
}

// ClockSkewRetry records one re-signed call; skew is the gateway's clock
// minus this instance's.
func (r *Registry) ClockSkewRetry(skew time.Duration) {
	r.skew.retries.Add(1)
	r.skew.last.Store(int64(skew))
}

func (s *clockSkew) load() (retries int64, lastSeconds float64) {
	return s.retries.Load(), time.Duration(s.last.Load()).Seconds()
}

func (s *clockSkew) prometheus(b []byte) []byte {
	n, secs := s.load()
	b = family(b, "faceid_clock_skew_retries_total", "counter",
		"Upstream calls re-signed with the gateway's clock after it refused the signature's date; the refusals are not billed.")
	b = sample(b, "faceid_clock_skew_retries_total", float64(n))
	b = family(b, "faceid_clock_skew_seconds", "gauge",
		"The gateway's clock minus this instance's, measured at the last clock-skew retry.")
	b = append(b, "faceid_clock_skew_seconds "...)
	b = strconv.AppendFloat(b, secs, 'g', -1, 64)
	return append(b, '\n')
}

// skewEMF is a line of its own: its directive lists only the skew metrics,
// so it adds no zero samples to the per-request metrics.
type skewEMF struct {
	AWS              emfMeta `json:"_aws"`
	Function         string
	ClockSkewRetries int64
	ClockSkewSeconds float64
}

type skewJSON struct {
	Time             string  `json:"time"`
	Level            string  `json:"level"`
	Msg              string  `json:"msg"`
	Function         string  `json:"function"`
	Outcome          string  `json:"outcome"`
	ClockSkewRetries int64   `json:"clock_skew_retries"`
	ClockSkewSeconds float64 `json:"clock_skew_seconds"`
}

// writeSkewLine writes one clock-skew retry in the given line format.
func (r *Registry) writeSkewLine(w io.Writer, format string, skew time.Duration, now time.Time) error {
	secs := skew.Round(time.Second).Seconds()
	if format == FormatEMF {
		return writeJSONLine(w, skewEMF{
			AWS: emfMeta{Timestamp: now.UnixMilli(), CloudWatchMetrics: []emfDirective{{
				Namespace: r.opts.Namespace, Dimensions: [][]string{{"Function"}},
				Metrics: []emfMetric{{"ClockSkewRetries", "Count"}, {"ClockSkewSeconds", "Seconds"}},
			}}},
			Function: r.opts.Function, ClockSkewRetries: 1, ClockSkewSeconds: secs,
		})
	}
	return writeJSONLine(w, skewJSON{
		Time: now.UTC().Format(time.RFC3339Nano), Level: "INFO", Msg: "metrics", Function: r.opts.Function,
		Outcome: "clock_skew_retry", ClockSkewRetries: 1, ClockSkewSeconds: secs,
	})
}
