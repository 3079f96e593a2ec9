package metrics

import (
	"encoding/json"
	"io"
	"time"
)

// event is one request's contribution, for the per-invocation metric line
// a serverless function writes to its log. It holds labels and numbers
// only: Outcome, Reason and Platform must be codes, never input values.
type event struct {
	// Outcome is the request's result code (core.Outcome). Empty means
	// "invalid" when Avoided, "duplicate" when Duplicate, else "unknown".
	Outcome string
	// Reason is the "field.reason" code of a local rejection.
	Reason string
	// Platform is the event source of a skipped upload ("s3", "cos").
	Platform string
	// Attempts is how many upstream attempts the request made; 0 counts as
	// one unless the request was Avoided or a Duplicate, which make none.
	Attempts int
	// PossiblyBilled tells whether the seller may have billed the request.
	// The client retries only attempts that never reached the seller, so a
	// request is billed at most once.
	PossiblyBilled bool
	// Billed tells whether the seller certainly billed it: its answer
	// carried code 200. It implies PossiblyBilled.
	Billed bool
	// Latency is the upstream call's duration; 0 if there was no network
	// exchange, and then no latency is reported.
	Latency time.Duration
	// Avoided marks a request rejected by local checks before any paid call.
	Avoided bool
	// Duplicate marks an upload event skipped as already verified or claimed.
	Duplicate bool
}

// eventCounts is an event reduced to the numbers both line formats carry.
type eventCounts struct {
	outcome, reason, platform                   string
	calls, possiblyBilled, billed, avoided, dup int64
	possiblyBilledFen, billedFen, savedFen      int64
	latencyMs                                   float64
	hasLatency                                  bool
	upstream                                    bool // the request got past local checks to the client
}

func (r *Registry) count(ev event) eventCounts {
	c := eventCounts{outcome: ev.Outcome}
	switch {
	case ev.Avoided:
		c.avoided = 1
		if c.outcome == "" {
			c.outcome = "invalid"
		}
	case ev.Duplicate:
		c.dup = 1
		if c.outcome == "" {
			c.outcome = "duplicate"
		}
	default:
		c.calls = int64(max(ev.Attempts, 1))
		if ev.PossiblyBilled || ev.Billed {
			c.possiblyBilled = 1
		}
		if ev.Billed {
			c.billed = 1
		}
		c.upstream = true
	}
	c.outcome = normLabel(c.outcome)
	if ev.Reason != "" {
		c.reason = normLabel(ev.Reason)
	}
	if ev.Platform != "" {
		c.platform = normLabel(ev.Platform)
	}
	c.possiblyBilledFen = c.possiblyBilled * r.opts.UnitPriceFen
	c.billedFen = c.billed * r.opts.UnitPriceFen
	c.savedFen = c.avoided * r.opts.UnitPriceFen
	if ev.Latency > 0 && c.upstream {
		c.hasLatency, c.latencyMs = true, ms(ev.Latency)
	}
	return c
}

type emfMetric struct {
	Name string
	Unit string
}

type emfDirective struct {
	Namespace  string
	Dimensions [][]string
	Metrics    []emfMetric
}

type emfMeta struct {
	Timestamp         int64
	CloudWatchMetrics []emfDirective
}

// emfLine's members other than _aws are the targets the directives name:
// dimensions must be strings, metrics numbers.
type emfLine struct {
	AWS                 emfMeta `json:"_aws"`
	Function            string
	Outcome             string
	Reason              string `json:",omitempty"`
	Platform            string `json:",omitempty"`
	UpstreamCalls       int64
	PossiblyBilledCalls int64
	PossiblyBilledYuan  float64
	BilledCalls         int64
	BilledYuan          float64
	AvoidedCalls        int64
	SavedYuan           float64
	DuplicateEvents     int64
	UpstreamLatency     *float64 `json:",omitempty"`
}

// writeEMF writes ev as one CloudWatch Embedded Metric Format line. Every metric
// is published per Function; only UpstreamCalls also per Function and
// Outcome, because each name × dimension-value combination is a separate,
// billed custom metric. Reason and Platform are searchable properties, not
// dimensions. Counters are written even when zero so that SampleCount is
// the request count; latency only when measured, so it cannot drag
// percentiles to 0.
func (r *Registry) writeEMF(w io.Writer, ev event, now time.Time) error {
	c := r.count(ev)
	metrics := []emfMetric{
		{"UpstreamCalls", "Count"}, {"PossiblyBilledCalls", "Count"}, {"PossiblyBilledYuan", "None"},
		{"BilledCalls", "Count"}, {"BilledYuan", "None"},
		{"AvoidedCalls", "Count"}, {"SavedYuan", "None"}, {"DuplicateEvents", "Count"},
	}
	line := emfLine{
		Function: r.opts.Function, Outcome: c.outcome, Reason: c.reason, Platform: c.platform,
		UpstreamCalls:       c.calls,
		PossiblyBilledCalls: c.possiblyBilled, PossiblyBilledYuan: yuan(c.possiblyBilledFen),
		BilledCalls: c.billed, BilledYuan: yuan(c.billedFen),
		AvoidedCalls: c.avoided, SavedYuan: yuan(c.savedFen), DuplicateEvents: c.dup,
	}
	if c.hasLatency {
		metrics = append(metrics, emfMetric{"UpstreamLatency", "Milliseconds"})
		line.UpstreamLatency = &c.latencyMs
	}
	line.AWS = emfMeta{
		Timestamp: now.UnixMilli(),
		CloudWatchMetrics: []emfDirective{{
			Namespace: r.opts.Namespace, Dimensions: [][]string{{"Function"}}, Metrics: metrics,
		}},
	}
	if c.upstream {
		line.AWS.CloudWatchMetrics = append(line.AWS.CloudWatchMetrics, emfDirective{
			Namespace:  r.opts.Namespace,
			Dimensions: [][]string{{"Function", "Outcome"}},
			Metrics:    []emfMetric{{"UpstreamCalls", "Count"}},
		})
	}
	return writeJSONLine(w, line)
}

// jsonLine mirrors the EMF members in the snake_case of the project's slog
// JSON logs, so SCF's log service and local runs can be queried alike.
type jsonLine struct {
	Time                string   `json:"time"`
	Level               string   `json:"level"`
	Msg                 string   `json:"msg"`
	Function            string   `json:"function"`
	Outcome             string   `json:"outcome"`
	Reason              string   `json:"reason,omitempty"`
	Platform            string   `json:"platform,omitempty"`
	UpstreamCalls       int64    `json:"upstream_calls"`
	PossiblyBilledCalls int64    `json:"possibly_billed_calls"`
	PossiblyBilledFen   int64    `json:"possibly_billed_fen"`
	PossiblyBilledYuan  float64  `json:"possibly_billed_yuan"`
	BilledCalls         int64    `json:"billed_calls"`
	BilledFen           int64    `json:"billed_fen"`
	BilledYuan          float64  `json:"billed_yuan"`
	AvoidedCalls        int64    `json:"avoided_calls"`
	SavedFen            int64    `json:"saved_fen"`
	SavedYuan           float64  `json:"saved_yuan"`
	DuplicateEvents     int64    `json:"duplicate_events"`
	UpstreamLatencyMs   *float64 `json:"upstream_latency_ms,omitempty"`
}

// writeJSON writes ev as one flat JSON log line with "msg":"metrics", for
// platforms without EMF (SCF, the local server).
func (r *Registry) writeJSON(w io.Writer, ev event, now time.Time) error {
	c := r.count(ev)
	line := jsonLine{
		Time: now.UTC().Format(time.RFC3339Nano), Level: "INFO", Msg: "metrics",
		Function: r.opts.Function, Outcome: c.outcome, Reason: c.reason, Platform: c.platform,
		UpstreamCalls:       c.calls,
		PossiblyBilledCalls: c.possiblyBilled, PossiblyBilledFen: c.possiblyBilledFen,
		PossiblyBilledYuan: yuan(c.possiblyBilledFen),
		BilledCalls:        c.billed, BilledFen: c.billedFen, BilledYuan: yuan(c.billedFen),
		AvoidedCalls: c.avoided, SavedFen: c.savedFen, SavedYuan: yuan(c.savedFen),
		DuplicateEvents: c.dup,
	}
	if c.hasLatency {
		line.UpstreamLatencyMs = &c.latencyMs
	}
	return writeJSONLine(w, line)
}

// writeJSONLine encodes v and writes it with its newline in one Write, so
// concurrent writers to a shared log cannot interleave halves of lines.
func writeJSONLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
