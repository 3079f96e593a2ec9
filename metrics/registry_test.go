package metrics

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/core"
)

// The client reports to a Registry through core.Observer.
var _ core.Observer = (*Registry)(nil)

// MustNew builds a Registry or fails the test.
func MustNew(tb testing.TB, opts Options) *Registry {
	tb.Helper()
	r, err := New(opts)
	if err != nil {
		tb.Fatalf("New(%+v): %v", opts, err)
	}
	return r
}

func TestNew(t *testing.T) {
	tests := map[string]struct {
		opts    Options
		want    Options
		wantErr string
	}{
		"defaults": {want: Options{UnitPriceFen: 100, Namespace: "FaceID", Function: "faceid"}},
		"kept": {
			opts: Options{UnitPriceFen: 150, Namespace: "Team/FaceID", Function: "faceid-prod"},
			want: Options{UnitPriceFen: 150, Namespace: "Team/FaceID", Function: "faceid-prod"},
		},
		"negative price":     {opts: Options{UnitPriceFen: -1}, wantErr: "negative"},
		"namespace space":    {opts: Options{Namespace: "Face ID"}, wantErr: "namespace"},
		"namespace AWS":      {opts: Options{Namespace: "AWS/Lambda"}, wantErr: "namespace"},
		"namespace too long": {opts: Options{Namespace: strings.Repeat("a", 256)}, wantErr: "namespace"},
		"function non-ASCII": {opts: Options{Function: "人脸"}, wantErr: "function"},
		"function space":     {opts: Options{Function: "face id"}, wantErr: "function"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			r, err := New(tt.opts)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := r.Options(); got != tt.want {
				t.Errorf("Options() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

type call struct {
	outcome        string
	possiblyBilled bool
	billed         bool
	latency        time.Duration
}

func TestRecordingAndSnapshot(t *testing.T) {
	tests := map[string]struct {
		price      int64
		calls      []call
		avoided    []string
		duplicates []string
		want       Snapshot
	}{
		"empty": {
			want: Snapshot{UnitPriceFen: 100, CallsByOutcome: map[string]int64{},
				AvoidedByReason: map[string]int64{}, DuplicatesByPlatform: map[string]int64{}},
		},
		"mixed": {
			calls: []call{
				{"passed", true, true, 100 * time.Millisecond}, {"passed", true, true, 200 * time.Millisecond},
				{"seller_error", true, false, 50 * time.Millisecond}, {"transport_unsent", false, false, 3 * time.Millisecond},
				{"circuit_open", false, false, 0}, {"budget_exhausted", false, false, 0},
			},
			avoided:    []string{"idcard.checksum", "idcard.checksum", "name.digit"},
			duplicates: []string{"s3", "cos", "s3"},
			want: Snapshot{
				UnitPriceFen: 100, UpstreamCalls: 6,
				CallsByOutcome: map[string]int64{"passed": 2, "seller_error": 1,
					"transport_unsent": 1, "circuit_open": 1, "budget_exhausted": 1},
				PossiblyBilledCalls: 3, PossiblyBilledFen: 300, PossiblyBilledYuan: 3,
				BilledCalls: 2, BilledFen: 200, BilledYuan: 2,
				AvoidedCalls: 3, AvoidedByReason: map[string]int64{"idcard.checksum": 2, "name.digit": 1},
				SavedFen: 300, SavedYuan: 3,
				DuplicateEvents: 3, DuplicatesByPlatform: map[string]int64{"s3": 2, "cos": 1},
			},
		},
		"price in fen": {
			price:   150,
			calls:   []call{{"not_passed", true, true, time.Second}},
			avoided: []string{"image.too_large"},
			want: Snapshot{
				UnitPriceFen: 150, UpstreamCalls: 1, CallsByOutcome: map[string]int64{"not_passed": 1},
				PossiblyBilledCalls: 1, PossiblyBilledFen: 150, PossiblyBilledYuan: 1.5,
				BilledCalls: 1, BilledFen: 150, BilledYuan: 1.5,
				AvoidedCalls: 1, AvoidedByReason: map[string]int64{"image.too_large": 1},
				SavedFen: 150, SavedYuan: 1.5, DuplicatesByPlatform: map[string]int64{},
			},
		},
		"labels that are not codes": {
			calls:      []call{{"", false, false, 0}, {"王小明", false, false, 0}, {"a\nb", false, false, 0}},
			avoided:    []string{strings.Repeat("x", 65), "has space"},
			duplicates: []string{""},
			want: Snapshot{
				UnitPriceFen: 100, UpstreamCalls: 3,
				CallsByOutcome: map[string]int64{unknownLabel: 1, otherLabel: 2},
				AvoidedCalls:   2, AvoidedByReason: map[string]int64{otherLabel: 2},
				SavedFen: 200, SavedYuan: 2,
				DuplicateEvents: 1, DuplicatesByPlatform: map[string]int64{unknownLabel: 1},
			},
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			r := MustNew(t, Options{UnitPriceFen: tt.price})
			for _, c := range tt.calls {
				r.UpstreamCall(c.outcome, c.possiblyBilled, c.billed, c.latency)
			}
			for _, a := range tt.avoided {
				r.Avoided(a)
			}
			for _, d := range tt.duplicates {
				r.DuplicateSkipped(d)
			}
			got := r.Snapshot()
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Snapshot() =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

// A caller that passes input values as labels must not grow the registry
// without bound.
func TestLabelLimit(t *testing.T) {
	r := MustNew(t, Options{})
	for i := range 1000 {
		r.Avoided(fmt.Sprintf("reason.%d", i))
	}
	s := r.Snapshot()
	if len(s.AvoidedByReason) > maxLabels+1 {
		t.Errorf("%d distinct labels kept, want at most %d", len(s.AvoidedByReason), maxLabels+1)
	}
	if s.AvoidedCalls != 1000 {
		t.Errorf("AvoidedCalls = %d, want 1000: overflow must still be counted", s.AvoidedCalls)
	}
	if want := int64(1000 - maxLabels); s.AvoidedByReason[otherLabel] != want {
		t.Errorf("other = %d, want %d", s.AvoidedByReason[otherLabel], want)
	}
}

func TestConcurrentRecording(t *testing.T) {
	const goroutines, perG = 16, 2000
	outcomes := []string{"passed", "not_passed", "seller_error", "timeout"}
	r := MustNew(t, Options{})
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range perG {
				r.UpstreamCall(outcomes[(g+i)%len(outcomes)], i%2 == 0, i%4 == 0, time.Duration(1+i%500)*time.Millisecond)
				r.Avoided("idcard.checksum")
				r.DuplicateSkipped("s3")
			}
		})
	}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	readers.Go(func() { // readers race the writers, as a scrape would
		for {
			select {
			case <-stop:
				return
			default:
				_ = r.Snapshot()
				_ = r.WritePrometheus(&strings.Builder{})
			}
		}
	})
	wg.Wait()
	close(stop)
	readers.Wait()

	s := r.Snapshot()
	const total = goroutines * perG
	perOutcome := int64(total / len(outcomes))
	for _, o := range outcomes {
		if s.CallsByOutcome[o] != perOutcome {
			t.Errorf("calls[%s] = %d, want %d", o, s.CallsByOutcome[o], perOutcome)
		}
	}
	if s.UpstreamCalls != total || s.PossiblyBilledCalls != total/2 || s.BilledCalls != total/4 ||
		s.AvoidedCalls != total || s.DuplicateEvents != total {
		t.Errorf("totals = calls %d possibly billed %d billed %d avoided %d dup %d; want %d, %d, %d, %d, %d",
			s.UpstreamCalls, s.PossiblyBilledCalls, s.BilledCalls, s.AvoidedCalls, s.DuplicateEvents,
			total, total/2, total/4, total, total)
	}
	var b strings.Builder
	if err := r.WritePrometheus(&b); err != nil {
		t.Fatal(err)
	}
	samples, err := parseExposition(b.String())
	if err != nil {
		t.Fatal(err)
	}
	if n := samples["faceid_upstream_latency_seconds_count"]; n != total {
		t.Errorf("latency count %v, want %d", n, total)
	}
	if s.PossiblyBilledFen != total/2*100 || s.BilledFen != total/4*100 || s.SavedFen != total*100 {
		t.Errorf("possibly billed %d billed %d saved %d fen, want %d, %d and %d",
			s.PossiblyBilledFen, s.BilledFen, s.SavedFen, total/2*100, total/4*100, total*100)
	}
}

func TestUpstreamCallDoesNotAllocate(t *testing.T) {
	r := MustNew(t, Options{})
	r.UpstreamCall("passed", true, true, time.Millisecond) // first use inserts the label
	r.Avoided("idcard.checksum")
	allocs := testing.AllocsPerRun(1000, func() {
		r.UpstreamCall("passed", true, true, 180*time.Millisecond)
		r.Avoided("idcard.checksum")
	})
	if allocs != 0 {
		t.Errorf("%.1f allocations per known-label observation, want 0", allocs)
	}
}

func BenchmarkUpstreamCall(b *testing.B) {
	r := MustNew(b, Options{})
	r.UpstreamCall("passed", true, true, time.Millisecond)
	b.ReportAllocs()
	for b.Loop() {
		r.UpstreamCall("passed", true, true, 180*time.Millisecond)
	}
}

func BenchmarkUpstreamCallParallel(b *testing.B) {
	r := MustNew(b, Options{})
	r.UpstreamCall("passed", true, true, time.Millisecond)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r.UpstreamCall("passed", true, true, 180*time.Millisecond)
		}
	})
}
