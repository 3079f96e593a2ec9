package metrics

import (
	"io"
	"sync"
	"time"
)

// Line formats for Lines.
const (
	FormatJSON = "json" // a flat JSON log line (SCF, the local server)
	FormatEMF  = "emf"  // CloudWatch Embedded Metric Format (Lambda)
)

// Lines records into a Registry and also writes one metric line per event,
// so serverless platforms, which keep no process to scrape, see every
// upstream attempt, avoided call and skipped duplicate in their logs. It
// satisfies core.Observer.
type Lines struct {
	Registry *Registry
	Out      io.Writer
	Format   string

	mu sync.Mutex // one line per Write, never interleaved
}

// UpstreamCall records one upstream attempt and writes its line.
func (l *Lines) UpstreamCall(outcome string, possiblyBilled, billed bool, latency time.Duration) {
	l.Registry.UpstreamCall(outcome, possiblyBilled, billed, latency)
	l.write(event{Outcome: outcome, PossiblyBilled: possiblyBilled, Billed: billed, Latency: latency, Attempts: 1})
}

// Avoided records one locally rejected request and writes its line.
func (l *Lines) Avoided(reason string) {
	l.Registry.Avoided(reason)
	l.write(event{Avoided: true, Reason: reason})
}

// DuplicateSkipped records one skipped upload event and writes its line.
func (l *Lines) DuplicateSkipped(platform string) {
	l.Registry.DuplicateSkipped(platform)
	l.write(event{Duplicate: true, Platform: platform})
}

// ClockSkewRetry records one call re-signed with the gateway's clock and
// writes its line; skew is the gateway's clock minus ours.
func (l *Lines) ClockSkewRetry(skew time.Duration) {
	l.Registry.ClockSkewRetry(skew)
	if l.Out == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	_ = l.Registry.writeSkewLine(l.Out, l.Format, skew, time.Now())
}

func (l *Lines) write(ev event) {
	if l.Out == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	// A lost metric line must not fail the verification it describes.
	if l.Format == FormatEMF {
		_ = l.Registry.writeEMF(l.Out, ev, time.Now())
		return
	}
	_ = l.Registry.writeJSON(l.Out, ev, time.Now())
}
