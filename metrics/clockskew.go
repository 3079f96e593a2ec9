package metrics

import (
	"io"
	"time"
)

// ClockSkewRetry records one call the client re-signed with the gateway's
// clock after the gateway refused the signature's date; skew is the
// gateway's clock minus this instance's. Such a refusal happens before the
// seller, so it is never billed and is not a paid call.
func (r *Registry) ClockSkewRetry(skew time.Duration) {
	r.skewRetries.Inc()
	r.skewSeconds.Set(skew.Seconds())
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
