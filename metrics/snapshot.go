package metrics

import "time"

// Snapshot is a copy of a Registry's counters as plain values, e.g. for a
// JSON status page or a test; latency is in the Prometheus exposition
// only. Counters are read one by one, so a snapshot taken while requests
// are recorded may be off by the ones in flight.
type Snapshot struct {
	UnitPriceFen int64 `json:"unit_price_fen"`

	// UpstreamCalls counts attempts of every outcome, including ones
	// refused before the network (circuit_open, budget_exhausted).
	UpstreamCalls  int64            `json:"upstream_calls"`
	CallsByOutcome map[string]int64 `json:"calls_by_outcome"`
	// PossiblyBilledCalls counts attempts the seller may have billed;
	// PossiblyBilledFen and PossiblyBilledYuan are those × unit price, an
	// upper bound on the bill.
	PossiblyBilledCalls int64   `json:"possibly_billed_calls"`
	PossiblyBilledFen   int64   `json:"possibly_billed_fen"`
	PossiblyBilledYuan  float64 `json:"possibly_billed_yuan"`
	// BilledCalls counts attempts the seller certainly billed (its answer
	// carried code 200); BilledFen and BilledYuan, a lower bound on the bill.
	BilledCalls int64   `json:"billed_calls"`
	BilledFen   int64   `json:"billed_fen"`
	BilledYuan  float64 `json:"billed_yuan"`

	// AvoidedCalls counts requests rejected locally; SavedFen and
	// SavedYuan are AvoidedCalls × unit price.
	AvoidedCalls    int64            `json:"avoided_calls"`
	AvoidedByReason map[string]int64 `json:"avoided_by_reason"`
	SavedFen        int64            `json:"saved_fen"`
	SavedYuan       float64          `json:"saved_yuan"`

	DuplicateEvents      int64            `json:"duplicate_events"`
	DuplicatesByPlatform map[string]int64 `json:"duplicates_by_platform"`

	// ClockSkewRetries counts calls re-signed with the gateway's clock
	// after it refused the signature's date (never billed);
	// ClockSkewSeconds is the gateway's clock minus ours at the last one.
	ClockSkewRetries int64   `json:"clock_skew_retries"`
	ClockSkewSeconds float64 `json:"clock_skew_seconds"`
}

// Snapshot returns the current counters.
func (r *Registry) Snapshot() Snapshot {
	s := Snapshot{UnitPriceFen: r.opts.UnitPriceFen}
	s.CallsByOutcome, s.UpstreamCalls = r.calls.load()
	s.PossiblyBilledCalls = int64(r.possiblyBilled.Get())
	s.PossiblyBilledFen = s.PossiblyBilledCalls * r.opts.UnitPriceFen
	s.PossiblyBilledYuan = yuan(s.PossiblyBilledFen)
	s.BilledCalls = int64(r.billed.Get())
	s.BilledFen = s.BilledCalls * r.opts.UnitPriceFen
	s.BilledYuan = yuan(s.BilledFen)
	s.AvoidedByReason, s.AvoidedCalls = r.avoided.load()
	s.SavedFen = s.AvoidedCalls * r.opts.UnitPriceFen
	s.SavedYuan = yuan(s.SavedFen)
	s.DuplicatesByPlatform, s.DuplicateEvents = r.duplicates.load()

	s.ClockSkewRetries, s.ClockSkewSeconds = int64(r.skewRetries.Get()), r.skewSeconds.Get()
	return s
}

// yuan converts fen for display; sums stay in integer fen so they are exact.
func yuan(fen int64) float64 { return float64(fen) / 100 }

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
