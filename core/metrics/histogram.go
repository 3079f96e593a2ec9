package metrics

import (
	"math"
	"slices"
	"sync/atomic"
	"time"
)

// exportedBounds are the latency bucket bounds shown to Prometheus: the
// usual 1-2.5-5 steps from 1 ms to 10 s, then 30 s (well above the client's
// 20 s default timeout). Few series keep scrapes cheap. A function, not a
// var, so there is no package-level state to change.
func exportedBounds() [14]time.Duration {
	return [14]time.Duration{
		1 * time.Millisecond, 2500 * time.Microsecond, 5 * time.Millisecond,
		10 * time.Millisecond, 25 * time.Millisecond, 50 * time.Millisecond,
		100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond,
		1 * time.Second, 2500 * time.Millisecond, 5 * time.Second,
		10 * time.Second, 30 * time.Second,
	}
}

// maxStep is the largest ratio between consecutive internal bucket bounds;
// it sets the percentile error bound documented on Snapshot.
const maxStep = 1.1

// histogram counts latencies in fixed buckets. Internally each exported
// bucket is split geometrically into steps of at most maxStep, so
// percentiles are within 10% while the Prometheus view stays coarse: its
// cumulative counts are exact because every exported bound is also an
// internal one.
type histogram struct {
	bounds   []time.Duration // ascending upper bounds; bucket i is (bounds[i-1], bounds[i]]
	exported []int           // indexes in bounds of exportedBounds
	counts   []atomic.Int64  // len(bounds)+1; the last counts values above 30 s
	sum      atomic.Int64    // nanoseconds
}

func (h *histogram) init() {
	eb := exportedBounds()
	h.bounds = append(h.bounds, eb[0])
	h.exported = append(h.exported, 0)
	for i := 1; i < len(eb); i++ {
		lo, hi := float64(eb[i-1]), float64(eb[i])
		n := int(math.Ceil(math.Log(hi/lo) / math.Log(maxStep)))
		for k := 1; k < n; k++ {
			// Whole microseconds: tidy, and well below the bucket widths.
			b := time.Duration(lo * math.Pow(hi/lo, float64(k)/float64(n)))
			h.bounds = append(h.bounds, b.Round(time.Microsecond))
		}
		h.bounds = append(h.bounds, eb[i])
		h.exported = append(h.exported, len(h.bounds)-1)
	}
	h.counts = make([]atomic.Int64, len(h.bounds)+1)
}

// observe records d; d ≤ 0 means nothing was measured.
func (h *histogram) observe(d time.Duration) {
	if d <= 0 {
		return
	}
	// First bound ≥ d: the bucket whose "le" holds d, or len(bounds).
	i, _ := slices.BinarySearch(h.bounds, d)
	h.counts[i].Add(1)
	h.sum.Add(int64(d))
}

// histSnapshot is a copy of the counts, read one bucket at a time: under
// concurrent recording it may miss observations in flight, never invent any.
type histSnapshot struct {
	bounds []time.Duration
	counts []int64
	total  int64
	sum    time.Duration
}

func (h *histogram) snapshot() histSnapshot {
	s := histSnapshot{bounds: h.bounds, counts: make([]int64, len(h.counts))}
	for i := range h.counts {
		s.counts[i] = h.counts[i].Load()
		s.total += s.counts[i]
	}
	s.sum = time.Duration(h.sum.Load())
	return s
}

// quantile estimates the q-quantile (0 < q ≤ 1) by linear interpolation
// inside the bucket holding the ⌈q·n⌉-th smallest value. That value and the
// estimate share the bucket, so the error is below the bucket's width:
// under 10% of the value above 1 ms, under 1 ms below it. Values above 30 s
// are reported as 30 s. No observations give 0.
func (s histSnapshot) quantile(q float64) time.Duration {
	if s.total == 0 {
		return 0
	}
	rank := q * float64(s.total)
	target := int64(math.Ceil(rank))
	target = max(1, min(target, s.total))
	var before int64
	for i, n := range s.counts {
		if before+n < target {
			before += n
			continue
		}
		if i == len(s.bounds) {
			return s.bounds[len(s.bounds)-1]
		}
		lo := time.Duration(0)
		if i > 0 {
			lo = s.bounds[i-1]
		}
		hi := s.bounds[i]
		frac := (rank - float64(before)) / float64(n)
		frac = max(0, min(frac, 1))
		return lo + time.Duration(frac*float64(hi-lo))
	}
	return s.bounds[len(s.bounds)-1] // unreachable: target ≤ total
}

// cumulative returns the count at or below each exported bound.
func (s histSnapshot) cumulative(exported []int) []int64 {
	out := make([]int64, len(exported))
	var run int64
	j := 0
	for i, n := range s.counts[:len(s.bounds)] {
		run += n
		if j < len(exported) && exported[j] == i {
			out[j] = run
			j++
		}
	}
	return out
}
