package metrics

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func newHistogram() *histogram {
	h := &histogram{}
	h.init()
	return h
}

func TestHistogramBounds(t *testing.T) {
	h := newHistogram()
	if h.bounds[0] != time.Millisecond || h.bounds[len(h.bounds)-1] != 30*time.Second {
		t.Errorf("bounds span %v–%v, want 1ms–30s", h.bounds[0], h.bounds[len(h.bounds)-1])
	}
	for i := 1; i < len(h.bounds); i++ {
		if ratio := float64(h.bounds[i]) / float64(h.bounds[i-1]); ratio <= 1 || ratio > maxStep {
			t.Errorf("bounds[%d]/bounds[%d] = %v/%v = %.4f, want in (1, %v]", i, i-1, h.bounds[i], h.bounds[i-1], ratio, maxStep)
		}
	}
	eb := exportedBounds()
	for i, j := range h.exported {
		if h.bounds[j] != eb[i] {
			t.Errorf("exported[%d] = bounds[%d] = %v, want %v", i, j, h.bounds[j], eb[i])
		}
	}
	if len(h.bounds) > 200 {
		t.Errorf("%d buckets: more than the hot path's binary search needs", len(h.bounds))
	}
}

// nearestRank is the exact q-quantile the estimate is compared with.
func nearestRank(sorted []time.Duration, q float64) time.Duration {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, i)]
}

func TestQuantileWithinBound(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	gen := map[string]func(i int) time.Duration{
		"uniform 1..1000ms": func(i int) time.Duration { return time.Duration(i%1000+1) * time.Millisecond },
		"lognormal around 300ms": func(int) time.Duration {
			return time.Duration(300 * math.Exp(0.8*rng.NormFloat64()) * float64(time.Millisecond))
		},
		"exponential mean 2s": func(int) time.Duration {
			return time.Duration(rng.ExpFloat64() * 2 * float64(time.Second))
		},
		"constant 250ms (a bound)": func(int) time.Duration { return 250 * time.Millisecond },
		"constant 777ms":           func(int) time.Duration { return 777 * time.Millisecond },
		"bimodal 40ms/8s": func(i int) time.Duration {
			if i%10 == 0 {
				return 8 * time.Second
			}
			return 40 * time.Millisecond
		},
	}
	for name, g := range gen {
		t.Run(name, func(t *testing.T) {
			h := newHistogram()
			var vals []time.Duration
			for i := range 10000 {
				d := max(g(i), time.Millisecond) // the 10% bound holds from 1 ms up
				d = min(d, 30*time.Second)
				vals = append(vals, d)
				h.observe(d)
			}
			slices.Sort(vals)
			s := h.snapshot()
			for _, q := range []float64{0.5, 0.9, 0.99} {
				want, got := nearestRank(vals, q), s.quantile(q)
				if err := math.Abs(float64(got-want)) / float64(want); err > maxStep-1 {
					t.Errorf("p%v = %v, exact %v: error %.1f%% > %.0f%%", q*100, got, want, err*100, (maxStep-1)*100)
				}
			}
		})
	}
}

func TestQuantileEdges(t *testing.T) {
	tests := map[string]struct {
		observe []time.Duration
		q       float64
		lo, hi  time.Duration // inclusive range for the estimate
	}{
		"empty":            {q: 0.5},
		"zero is ignored":  {observe: []time.Duration{0, -time.Second}, q: 0.5},
		"below 1ms":        {observe: []time.Duration{300 * time.Microsecond}, q: 0.5, lo: 0, hi: time.Millisecond},
		"beyond 30s":       {observe: []time.Duration{time.Minute}, q: 0.99, lo: 30 * time.Second, hi: 30 * time.Second},
		"single value p99": {observe: []time.Duration{time.Second}, q: 0.99, lo: 900 * time.Millisecond, hi: time.Second},
		"p100 is the max bucket": {
			observe: []time.Duration{time.Millisecond, 2 * time.Second}, q: 1,
			lo: 2 * time.Second * 10 / 11, hi: 2 * time.Second * 11 / 10,
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			h := newHistogram()
			for _, d := range tt.observe {
				h.observe(d)
			}
			if got := h.snapshot().quantile(tt.q); got < tt.lo || got > tt.hi {
				t.Errorf("quantile(%v) = %v, want in [%v, %v]", tt.q, got, tt.lo, tt.hi)
			}
		})
	}
}

func TestSnapshotPercentiles(t *testing.T) {
	r := MustNew(t, Options{})
	for i := 1; i <= 100; i++ {
		r.UpstreamCall("passed", true, true, time.Duration(i)*10*time.Millisecond)
	}
	s := r.Snapshot()
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"p50", s.P50Ms, 500}, {"p90", s.P90Ms, 900}, {"p99", s.P99Ms, 990}} {
		if math.Abs(c.got-c.want) > c.want*(maxStep-1) {
			t.Errorf("%s = %.1f ms, want %.0f ± 10%%", c.name, c.got, c.want)
		}
	}
	if s.LatencyCount != 100 || s.LatencySumMs != 50500 {
		t.Errorf("latency count %d sum %v ms, want 100 and 50500", s.LatencyCount, s.LatencySumMs)
	}
}
