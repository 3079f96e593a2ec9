package upload_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode"

	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/sandbox"
)

func TestDuplicateDeliveriesPayOnce(t *testing.T) {
	tests := []struct {
		name       string
		deliveries int
		concurrent bool
	}{
		{"twice in a row", 2, false},
		{"ten at once", 10, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			var dups atomic.Int32
			p := e.pipeline(t, upload.Config{}, nil, nil, upload.WithDuplicates(func(platform string) {
				if platform == upload.PlatformS3 {
					dups.Add(1)
				}
			}))
			ev := e.put(t, "uploads/dup.jpg", e.photo, person(goodID, goodNameEnc))
			errs := make([]error, tt.deliveries)
			var wg sync.WaitGroup
			for i := range tt.deliveries {
				run := func() { errs[i] = p.Process(context.Background(), ev) }
				if !tt.concurrent {
					run()
					continue
				}
				wg.Go(run)
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Errorf("delivery %d: %v", i, err)
				}
			}
			if st := e.sb.Stats(); st.Billable != 1 || st.Received != 1 {
				t.Errorf("sandbox stats = %+v, want one call", st)
			}
			if n := e.count(t, "results/uploads/"); n != 1 {
				t.Errorf("%d result objects, want 1", n)
			}
			if n := int(dups.Load()); n != tt.deliveries-1 {
				t.Errorf("%d duplicates reported, want %d", n, tt.deliveries-1)
			}
			if r, raw := e.result(t, "uploads/dup.jpg"); r.Outcome != upload.OutcomeVerified {
				t.Errorf("result = %s", raw)
			}
		})
	}
}

func TestUnsentCallIsReleasedAndRetried(t *testing.T) {
	e := newEnv(t)
	ev := e.put(t, "uploads/retry.jpg", e.photo, person(goodID, goodNameEnc))
	down := e.client(t, core.Config{Endpoint: "http://" + closedPort(t) + "/release/face_id_card/post"})
	err := e.pipeline(t, upload.Config{}, down, nil).Process(context.Background(), ev)
	var te *core.TransportError
	if !errors.As(err, &te) || te.Sent {
		t.Fatalf("Process = %v, want an unsent transport error to retry on", err)
	}
	if r, raw := e.result(t, ev.Key); r.Outcome != upload.OutcomeNotSent {
		t.Errorf("result after the failure = %s", raw)
	}
	if n := e.count(t, "results/.claims/"); n != 0 {
		t.Errorf("%d claim markers after an unsent call, want 0 (released)", n)
	}

	// The platform's retry reaches the upstream this time.
	p := e.pipeline(t, upload.Config{}, nil, nil)
	for range 2 {
		if err := p.Process(context.Background(), ev); err != nil {
			t.Fatalf("retry: %v", err)
		}
	}
	if st := e.sb.Stats(); st.Billable != 1 || st.Received != 1 {
		t.Errorf("sandbox stats = %+v, want exactly one call in total", st)
	}
	if r, raw := e.result(t, ev.Key); r.Outcome != upload.OutcomeVerified {
		t.Errorf("result after the retry = %s", raw)
	}
}

func TestNoAnswerAfterSendingIsUnknownAndNotRetried(t *testing.T) {
	tests := []struct {
		fault    sandbox.Fault
		billable int64
		kind     string
	}{
		{sandbox.Fault{Kind: sandbox.FaultLatency, Latency: 5 * time.Second, Times: 1}, 0, "transport"},
		{sandbox.Fault{Kind: sandbox.FaultStall, Times: 1}, 1, "transport"},
		{sandbox.Fault{Kind: sandbox.FaultMalformed, Times: 1}, 1, "response"},
	}
	for _, tt := range tests {
		t.Run(tt.fault.Kind, func(t *testing.T) {
			e := newEnv(t)
			if err := e.sb.InjectFault(tt.fault); err != nil {
				t.Fatal(err)
			}
			// Long enough for a good call, in which the sandbox decodes the
			// photo (tens of ms under the race detector), short of the faults.
			p := e.pipeline(t, upload.Config{}, e.client(t, core.Config{Timeout: 1500 * time.Millisecond}), nil)
			ev := e.put(t, "uploads/slow.jpg", e.photo, person(goodID, goodNameEnc))
			for i := range 2 {
				if err := p.Process(context.Background(), ev); err != nil {
					t.Fatalf("delivery %d: %v", i, err)
				}
			}
			if st := e.sb.Stats(); st.Received != 1 || st.Billable != tt.billable {
				t.Errorf("sandbox stats = %+v, want one call (billable %d)", st, tt.billable)
			}
			r, raw := e.result(t, ev.Key)
			if r.Outcome != upload.OutcomeUnknown || r.Error == nil || r.Error.Kind != tt.kind || tt.kind == "transport" && !r.Error.Sent {
				t.Errorf("result = %s", raw)
			}
		})
	}
}

// TestCrashAfterClaim leaves a claim behind as a process killed between
// claim and call would: nobody may call on it, a redelivery within its TTL
// waits and gives up, one after it records "unknown".
func TestCrashAfterClaim(t *testing.T) {
	e := newEnv(t)
	ev := e.put(t, "uploads/crash.jpg", e.photo, person(goodID, goodNameEnc))
	crash := errors.New("process killed")
	fs := &faultStore{Store: e.store}
	fs.create = func(ref upload.Ref, body []byte) error {
		if err := e.store.Create(context.Background(), ref, body); err != nil {
			return err
		}
		return crash
	}
	fs.get = func(ref upload.Ref) error {
		if strings.Contains(ref.Key, ".claims/") {
			return crash
		}
		return nil
	}
	if err := e.pipeline(t, upload.Config{}, nil, fs).Process(context.Background(), ev); !errors.Is(err, crash) {
		t.Fatalf("crashed attempt = %v", err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 800*time.Millisecond)
	defer cancel()
	err := e.pipeline(t, upload.Config{}, nil, nil).Process(ctx, ev)
	if !errors.Is(err, upload.ErrInProgress) {
		t.Fatalf("redelivery within the claim TTL = %v, want ErrInProgress", err)
	}

	later := func() time.Time { return time.Now().Add(upload.DefaultClaimTTL + time.Minute) }
	if err := e.pipeline(t, upload.Config{}, nil, nil, upload.WithClock(later)).Process(context.Background(), ev); err != nil {
		t.Fatalf("redelivery after the TTL: %v", err)
	}
	if st := e.sb.Stats(); st.Received != 0 {
		t.Errorf("sandbox received %d calls, want 0", st.Received)
	}
	r, raw := e.result(t, ev.Key)
	if r.Outcome != upload.OutcomeUnknown || r.Error == nil || r.Error.Kind != "interrupted" {
		t.Errorf("result = %s", raw)
	}
}

func TestResultLostAfterCallIsNotPaidAgain(t *testing.T) {
	e := newEnv(t)
	ev := e.put(t, "uploads/lost.jpg", e.photo, person(goodID, goodNameEnc))
	fs := &faultStore{Store: e.store}
	fs.put = func(upload.Ref) error { return errors.New("storage unavailable") }
	if err := e.pipeline(t, upload.Config{}, nil, fs).Process(context.Background(), ev); err == nil {
		t.Fatal("Process succeeded though no result could be written")
	}
	later := func() time.Time { return time.Now().Add(upload.DefaultClaimTTL + time.Minute) }
	if err := e.pipeline(t, upload.Config{}, nil, nil, upload.WithClock(later)).Process(context.Background(), ev); err != nil {
		t.Fatalf("redelivery: %v", err)
	}
	if st := e.sb.Stats(); st.Billable != 1 {
		t.Errorf("billable = %d, want 1", st.Billable)
	}
	if r, raw := e.result(t, ev.Key); r.Outcome != upload.OutcomeUnknown {
		t.Errorf("result = %s", raw)
	}
}

// TestLostCreateAnswer: the claim landed but its answer was lost (the SDK
// then retries into ErrExists, or reports the error): the attempt
// recognises its own token and goes ahead.
func TestLostCreateAnswer(t *testing.T) {
	for _, after := range []error{upload.ErrExists, errors.New("connection reset")} {
		t.Run(after.Error(), func(t *testing.T) {
			e := newEnv(t)
			fs := &faultStore{Store: e.store}
			fs.create = func(ref upload.Ref, body []byte) error {
				if err := e.store.Create(context.Background(), ref, body); err != nil {
					return err
				}
				return after
			}
			ev := e.put(t, "uploads/lost-answer.jpg", e.photo, person(goodID, goodNameEnc))
			if err := e.pipeline(t, upload.Config{}, nil, fs).Process(context.Background(), ev); err != nil {
				t.Fatal(err)
			}
			if st := e.sb.Stats(); st.Billable != 1 {
				t.Errorf("billable = %d, want 1", st.Billable)
			}
		})
	}
}

func TestUpstreamErrors(t *testing.T) {
	tests := []struct {
		name      string
		id, who   string
		fault     *sandbox.Fault
		secret    string
		outcome   string
		kind      string
		retryable bool
		// status and code are the upstream's HTTP status and the seller's
		// code the result records.
		status, code int
	}{
		{"seller error", "360102199306180149", "沈六", nil, "", upload.OutcomeUpstreamError, "seller", false, 0, 404},
		{"gateway 502", goodID, goodName, &sandbox.Fault{Kind: sandbox.FaultStatus, Status: 502, Times: 1}, "", upload.OutcomeUnknown, "gateway", false, 502, 0},
		{"gateway 403, wrong key", goodID, goodName, nil, "wrong-key", upload.OutcomeNotSent, "gateway", true, 403, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			if tt.fault != nil {
				if err := e.sb.InjectFault(*tt.fault); err != nil {
					t.Fatal(err)
				}
			}
			c := e.client(t, core.Config{})
			if tt.secret != "" {
				var err error
				c, err = core.New(core.Config{Endpoint: e.sbURL + "/release/face_id_card/post", SecretID: sandbox.DefaultSecretID, SecretKey: core.Secret(tt.secret)})
				if err != nil {
					t.Fatal(err)
				}
			}
			p := e.pipeline(t, upload.Config{}, c, nil)
			ev := e.put(t, "uploads/err.jpg", e.photo, person(tt.id, url.QueryEscape(tt.who)))
			err := p.Process(context.Background(), ev)
			if (err != nil) != tt.retryable {
				t.Fatalf("Process = %v, want retryable %v", err, tt.retryable)
			}
			r, raw := e.result(t, ev.Key)
			if r.Outcome != tt.outcome || r.Error == nil || r.Error.Kind != tt.kind {
				t.Fatalf("result = %s", raw)
			}
			// The error in core.Classify's words: the Chinese and English
			// messages of the answer, the upstream's own status and code.
			if e := r.Error; e.Status != tt.status || e.Code != tt.code || !hasHan(e.Message) || e.MessageEn == "" {
				t.Errorf("result error = %s", raw)
			}
			received := e.sb.Stats().Received
			if err := p.Process(context.Background(), ev); (err != nil) != tt.retryable {
				t.Fatalf("redelivery = %v", err)
			}
			if tt.retryable {
				return // unsent: the retry may call again, which is the point
			}
			if got := e.sb.Stats().Received; got != received {
				t.Errorf("redelivery made %d more calls", got-received)
			}
		})
	}
}

// TestReleaseFailureIsNeverCalledOn: an unsent call whose claim cannot be
// deleted leaves the marker; nobody calls on it, even after its TTL.
func TestReleaseFailureIsNeverCalledOn(t *testing.T) {
	e := newEnv(t)
	ev := e.put(t, "uploads/stuck.jpg", e.photo, person(goodID, goodNameEnc))
	fs := &faultStore{Store: e.store}
	fs.del = func(upload.Ref) error { return errors.New("delete denied") }
	down := e.client(t, core.Config{Endpoint: "http://" + closedPort(t) + "/release/face_id_card/post"})
	if err := e.pipeline(t, upload.Config{}, down, fs).Process(context.Background(), ev); err != nil {
		t.Fatalf("Process = %v, want nil: a retry could not release the claim either", err)
	}
	later := func() time.Time { return time.Now().Add(upload.DefaultClaimTTL + time.Minute) }
	if err := e.pipeline(t, upload.Config{}, nil, nil, upload.WithClock(later)).Process(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if st := e.sb.Stats(); st.Received != 0 {
		t.Errorf("sandbox received %d calls, want 0", st.Received)
	}
	if r, raw := e.result(t, ev.Key); r.Outcome != upload.OutcomeNotSent {
		t.Errorf("result = %s, want the not_sent record kept", raw)
	}
}

// TestRefusedCallsAreNotSent: a call the client refuses before sending
// (here the daily budget) is recorded under the answer's kind, not as an
// internal fault, and left to the platform's retry.
func TestRefusedCallsAreNotSent(t *testing.T) {
	e := newEnv(t)
	p := e.pipeline(t, upload.Config{}, e.client(t, core.Config{DailyBudget: 1}), nil)
	first := e.put(t, "uploads/first.jpg", e.photo, person(goodID, goodNameEnc))
	if err := p.Process(context.Background(), first); err != nil {
		t.Fatal(err)
	}
	second := e.put(t, "uploads/second.jpg", e.photo, person(goodID, goodNameEnc))
	err := p.Process(context.Background(), second)
	var be *core.BudgetError
	if !errors.As(err, &be) {
		t.Fatalf("Process = %v, want the budget error to retry on", err)
	}
	r, raw := e.result(t, second.Key)
	if r.Outcome != upload.OutcomeNotSent || r.Error == nil || r.Error.Kind != "budget_exhausted" ||
		r.Error.Reason != "daily_budget" || !hasHan(r.Error.Message) {
		t.Errorf("result = %s", raw)
	}
	if st := e.sb.Stats(); st.Received != 1 {
		t.Errorf("sandbox received %d calls, want 1", st.Received)
	}
}

// hasHan reports whether s holds a Chinese character.
func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}
