package metrics

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults for Options.
const (
	DefaultUnitPriceFen = 100 // ¥1 per call, the seller's list price
	DefaultNamespace    = "FaceID"
	DefaultFunction     = "faceid"
)

const (
	maxLabelLen = 64
	maxLabels   = 64 // distinct values per labelled metric
	// OtherLabel counts labels that are malformed or beyond the per-metric
	// limit, so a caller bug cannot grow memory or leak input values.
	OtherLabel = "other"
	// UnknownLabel replaces an empty label: Prometheus treats an empty
	// label value as an absent label.
	UnknownLabel = "unknown"
)

// Options configures a Registry. Zero values take the defaults.
type Options struct {
	// UnitPriceFen is the price of one paid call in fen (1/100 yuan).
	UnitPriceFen int64
	// Namespace is the CloudWatch namespace of EMF lines.
	Namespace string
	// Function is the function-name dimension of per-invocation lines; main
	// passes the platform's function name.
	Function string
}

// Registry holds the process's counters. Create one with New; it is safe
// for concurrent use.
type Registry struct {
	opts Options

	calls          labelCounters // upstream attempts by outcome
	possiblyBilled atomic.Int64  // attempts the seller may have billed
	billed         atomic.Int64  // attempts the seller certainly billed
	avoided        labelCounters // local rejections by field.reason
	duplicates     labelCounters // skipped upload events by platform
	latency        histogram
	skew           clockSkew // re-signs after a gateway refused our clock
}

// New validates opts, applies defaults and returns an empty Registry. The
// checks mirror CloudWatch's: a bad namespace or dimension value would make
// it drop every EMF line silently.
func New(opts Options) (*Registry, error) {
	if opts.UnitPriceFen == 0 {
		opts.UnitPriceFen = DefaultUnitPriceFen
	}
	if opts.Namespace == "" {
		opts.Namespace = DefaultNamespace
	}
	if opts.Function == "" {
		opts.Function = DefaultFunction
	}
	switch {
	case opts.UnitPriceFen < 0:
		return nil, fmt.Errorf("metrics: unit price %d fen is negative", opts.UnitPriceFen)
	case !validNamespace(opts.Namespace):
		return nil, fmt.Errorf("metrics: namespace %q: want 1–255 of A-Z a-z 0-9 . _ # : / -, not starting with AWS/", opts.Namespace)
	case len(opts.Function) > 255 || !printableASCII(opts.Function):
		return nil, fmt.Errorf("metrics: function name %q: want 1–255 printable ASCII characters", opts.Function)
	}
	r := &Registry{opts: opts}
	r.calls.init()
	r.avoided.init()
	r.duplicates.init()
	r.latency.init()
	return r, nil
}

// Options returns the effective options, defaults applied.
func (r *Registry) Options() Options { return r.opts }

// UpstreamCall records one finished upstream attempt. outcome is a code
// such as "passed" or "timeout" (core.Class.Outcome). possiblyBilled tells
// whether the seller may have seen, and so billed, the attempt (core's
// MayHaveReached); billed whether it certainly did: its answer carried
// code 200 (core.Class.Billed), which implies possiblyBilled. latency is the
// attempt's duration; zero means no network exchange happened (circuit
// open, budget spent) and is kept out of the latency histogram.
func (r *Registry) UpstreamCall(outcome string, possiblyBilled, billed bool, latency time.Duration) {
	r.calls.inc(outcome)
	if possiblyBilled || billed {
		r.possiblyBilled.Add(1)
	}
	if billed {
		r.billed.Add(1)
	}
	r.latency.observe(latency)
}

// Avoided records a request rejected by local checks before any paid call,
// by reason code ("idcard.checksum", "image.too_large").
func (r *Registry) Avoided(reason string) { r.avoided.inc(reason) }

// DuplicateSkipped records an upload event skipped because its object was
// already verified or claimed, by platform code ("s3", "cos").
func (r *Registry) DuplicateSkipped(platform string) { r.duplicates.inc(platform) }

// normLabel maps a label to itself if it looks like a code, otherwise to
// UnknownLabel or OtherLabel. It does not allocate.
func normLabel(s string) string {
	switch {
	case s == "":
		return UnknownLabel
	case len(s) > maxLabelLen || !printableASCII(s):
		return OtherLabel
	}
	return s
}

// printableASCII reports whether s is non-empty and all of '!'..'~'. Spaces
// are out too: CloudWatch rejects blank dimension values, and codes have none.
func printableASCII(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '!' || s[i] > '~' {
			return false
		}
	}
	return true
}

func validNamespace(s string) bool {
	if s == "" || len(s) > 255 || strings.HasPrefix(s, "AWS/") {
		return false
	}
	for _, c := range []byte(s) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("._#:/-", c) >= 0
		if !ok {
			return false
		}
	}
	return true
}

// labelCounters is a set of counters keyed by label. The map is replaced,
// never modified, so the hot path is a pointer load, a map lookup and an
// atomic add; only a label's first use takes the mutex and copies the map.
type labelCounters struct {
	cur atomic.Pointer[map[string]*atomic.Int64]
	mu  sync.Mutex // serialises inserts
}

func (l *labelCounters) init() {
	m := map[string]*atomic.Int64{}
	l.cur.Store(&m)
}

func (l *labelCounters) inc(label string) {
	label = normLabel(label)
	if c, ok := (*l.cur.Load())[label]; ok {
		c.Add(1)
		return
	}
	l.insert(label).Add(1)
}

func (l *labelCounters) insert(label string) *atomic.Int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	old := *l.cur.Load()
	if c, ok := old[label]; ok {
		return c // another goroutine won the race
	}
	if len(old) >= maxLabels {
		label = OtherLabel
		if c, ok := old[label]; ok {
			return c
		}
	}
	m := make(map[string]*atomic.Int64, len(old)+1)
	for k, v := range old {
		m[k] = v
	}
	c := new(atomic.Int64)
	// Clone: the key must not pin the caller's (possibly large) string.
	m[strings.Clone(label)] = c
	l.cur.Store(&m)
	return c
}

// load returns the current counts and their total.
func (l *labelCounters) load() (map[string]int64, int64) {
	cur := *l.cur.Load()
	out := make(map[string]int64, len(cur))
	var total int64
	for k, c := range cur {
		n := c.Load()
		out[k] = n
		total += n
	}
	return out, total
}
