package metrics

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	vm "github.com/VictoriaMetrics/metrics"
)

// Defaults for Options.
const (
	defaultUnitPriceFen = 100 // ¥1 per call, the seller's list price
	defaultNamespace    = "FaceID"
	defaultFunction     = "faceid"
)

const (
	maxLabelLen = 64
	maxLabels   = 64 // distinct values per labelled metric
	// otherLabel counts labels that are malformed or beyond the per-metric
	// limit, so a caller bug cannot grow memory or leak input values.
	otherLabel = "other"
	// unknownLabel replaces an empty label: Prometheus treats an empty
	// label value as an absent label.
	unknownLabel = "unknown"
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

	// The counters and the histogram are VictoriaMetrics/metrics ones, in
	// one Set per family so that WritePrometheus can put each family's
	// HELP and TYPE lines before its samples.
	calls          labelled // upstream attempts by outcome
	possiblyBilled *vm.Counter
	billed         *vm.Counter
	avoided        labelled // local rejections by field.reason
	duplicates     labelled // skipped upload events by platform
	latency        *vm.PrometheusHistogram
	skewRetries    *vm.Counter // re-signs after a gateway refused our clock
	skewSeconds    *vm.Gauge   // the gateway's clock minus ours, at the last one

	families []family // in exposition order
}

// family is one metric family of the exposition.
type family struct {
	name, typ, help string
	set             *vm.Set
}

func (f family) counter() *vm.Counter { return f.set.NewCounter(f.name) }

// gauge is a gauge read from get at each scrape, or set by its owner when
// get is nil.
func (f family) gauge(get func() float64) *vm.Gauge { return f.set.NewGauge(f.name, get) }

func (f family) histogram(bounds []float64) *vm.PrometheusHistogram {
	return f.set.NewPrometheusHistogramExt(f.name, bounds)
}

// latencyBounds are the latency histogram's "le" bounds in seconds: the
// usual 1-2.5-5 steps from 1 ms to 10 s, then 30 s (well above the
// client's 20 s default timeout). Few series keep scrapes cheap.
func latencyBounds() []float64 {
	return []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}
}

// New validates opts, applies defaults and returns an empty Registry. The
// checks mirror CloudWatch's: a bad namespace or dimension value would make
// it drop every EMF line silently.
func New(opts Options) (*Registry, error) {
	if opts.UnitPriceFen == 0 {
		opts.UnitPriceFen = defaultUnitPriceFen
	}
	if opts.Namespace == "" {
		opts.Namespace = defaultNamespace
	}
	if opts.Function == "" {
		opts.Function = defaultFunction
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
	add := func(name, typ, help string) family {
		f := family{name, typ, help, vm.NewSet()}
		r.families = append(r.families, f)
		return f
	}
	// Money is derived from the call counters when scraped, so the yuan
	// sums are exact multiples of the price in fen.
	yuanOf := func(c func() uint64) func() float64 {
		return func() float64 { return yuan(int64(c()) * opts.UnitPriceFen) }
	}
	r.calls.init(add("faceid_upstream_calls_total", "counter",
		"Upstream attempts by outcome, including ones refused before the network (circuit_open, budget_exhausted)."), "outcome")
	r.possiblyBilled = add("faceid_possibly_billed_calls_total", "counter",
		"Upstream attempts the seller may have seen and billed: all but those provably never billed.").counter()
	add("faceid_possibly_billed_yuan_total", "counter",
		"Possibly billed calls times the unit price, in yuan; an upper bound on the bill.").gauge(yuanOf(r.possiblyBilled.Get))
	r.billed = add("faceid_billed_calls_total", "counter",
		"Upstream attempts the seller certainly billed: its answer carried code 200.").counter()
	add("faceid_billed_yuan_total", "counter",
		"Billed calls times the unit price, in yuan; a lower bound on the bill.").gauge(yuanOf(r.billed.Get))
	r.avoided.init(add("faceid_avoided_calls_total", "counter",
		"Requests rejected by local checks before any paid call, by field.reason."), "reason")
	add("faceid_saved_yuan_total", "counter",
		"Avoided calls times the unit price, in yuan.").gauge(yuanOf(r.avoided.total))
	r.duplicates.init(add("faceid_duplicate_events_total", "counter",
		"Upload events skipped because their object was already verified or claimed, by platform."), "platform")
	r.latency = add("faceid_upstream_latency_seconds", "histogram",
		"Duration of upstream attempts, except ones refused before the network.").histogram(latencyBounds())
	r.skewRetries = add("faceid_clock_skew_retries_total", "counter",
		"Upstream calls re-signed with the gateway's clock after it refused the signature's date; the refusals are not billed.").counter()
	r.skewSeconds = add("faceid_clock_skew_seconds", "gauge",
		"The gateway's clock minus this instance's, measured at the last clock-skew retry.").gauge(nil)
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
		r.possiblyBilled.Inc()
	}
	if billed {
		r.billed.Inc()
	}
	if latency > 0 {
		r.latency.Update(latency.Seconds())
	}
}

// Avoided records a request rejected by local checks before any paid call,
// by reason code ("idcard.checksum", "image.too_large").
func (r *Registry) Avoided(reason string) { r.avoided.inc(reason) }

// DuplicateSkipped records an upload event skipped because its object was
// already verified or claimed, by platform code ("s3", "cos").
func (r *Registry) DuplicateSkipped(platform string) { r.duplicates.inc(platform) }

// normLabel maps a label to itself if it looks like a code, otherwise to
// unknownLabel or otherLabel. It does not allocate.
func normLabel(s string) string {
	switch {
	case s == "":
		return unknownLabel
	case len(s) > maxLabelLen || !printableASCII(s):
		return otherLabel
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

// labelled is one counter family keyed by a label. The map is replaced,
// never modified, so the hot path is a pointer load, a map lookup and an
// atomic add; only a label's first use takes the mutex, copies the map and
// registers a counter in the family's Set.
type labelled struct {
	set         *vm.Set
	name, label string
	cur         atomic.Pointer[map[string]*vm.Counter]
	mu          sync.Mutex // serialises inserts
}

func (l *labelled) init(f family, label string) {
	l.set, l.name, l.label = f.set, f.name, label
	m := map[string]*vm.Counter{}
	l.cur.Store(&m)
}

func (l *labelled) inc(label string) {
	label = normLabel(label)
	if c, ok := (*l.cur.Load())[label]; ok {
		c.Inc()
		return
	}
	l.insert(label).Inc()
}

func (l *labelled) insert(label string) *vm.Counter {
	l.mu.Lock()
	defer l.mu.Unlock()
	old := *l.cur.Load()
	if c, ok := old[label]; ok {
		return c // another goroutine won the race
	}
	if len(old) >= maxLabels {
		label = otherLabel
		if c, ok := old[label]; ok {
			return c
		}
	}
	m := make(map[string]*vm.Counter, len(old)+1)
	for k, v := range old {
		m[k] = v
	}
	// normLabel let through printable ASCII only; strconv.Quote escapes
	// its backslashes and double quotes as the text format wants, so the
	// name is always valid and the Set never panics on it.
	c := l.set.NewCounter(l.name + "{" + l.label + "=" + strconv.Quote(label) + "}")
	// Clone: the key must not pin the caller's (possibly large) string.
	m[strings.Clone(label)] = c
	l.cur.Store(&m)
	return c
}

// total returns the sum of the counts.
func (l *labelled) total() uint64 {
	var n uint64
	for _, c := range *l.cur.Load() {
		n += c.Get()
	}
	return n
}

// load returns the current counts and their total.
func (l *labelled) load() (map[string]int64, int64) {
	cur := *l.cur.Load()
	out := make(map[string]int64, len(cur))
	var total int64
	for k, c := range cur {
		n := int64(c.Get())
		out[k] = n
		total += n
	}
	return out, total
}
