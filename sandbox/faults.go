package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Fault kinds. Those marked "after the seller" act once the seller has
// answered, modelling "charged, but the client never got the answer": the
// call counts as billable when the seller's code was 200.
const (
	FaultLatency      = "latency"        // wait Latency, then answer normally
	FaultStatus       = "status"         // the gateway answers Status (500, 502, 503, 504 …)
	FaultEmpty        = "empty"          // 200 with an empty body
	FaultReset        = "reset"          // TCP reset, nothing answered
	FaultMalformed    = "malformed"      // after the seller: 200 with invalid JSON
	FaultTruncated    = "truncated"      // after the seller: 200, the JSON cut in half (Content-Length agrees)
	FaultSlowBody     = "slow_body"      // after the seller: the body trickled over Latency (default 2 s)
	FaultStall        = "stall"          // after the seller: headers, then no body until the client gives up
	FaultResetMidBody = "reset_mid_body" // after the seller: headers and half the body, then TCP reset
	FaultOversize     = "oversize"       // after the seller: a valid answer padded to over 16 MB
)

// maxFaultLatency bounds Latency so a typo cannot hold a request for hours.
const maxFaultLatency = 10 * time.Minute

// Fault is an injected failure, applied to authenticated calls in the order
// faults were injected.
type Fault struct {
	// Kind is one of the Fault* constants.
	Kind string
	// Times is how many calls the fault applies to; 0 means every call
	// until the faults are cleared.
	Times int
	// Latency is the wait of "latency" and the trickle duration of
	// "slow_body". In JSON it is a duration string such as "1.5s".
	Latency time.Duration
	// Status is the gateway status of "status", 400–599.
	Status int
}

// faultKinds lists every kind, before-seller ones first.
func faultKinds() []string {
	return []string{FaultLatency, FaultStatus, FaultEmpty, FaultReset, FaultMalformed,
		FaultTruncated, FaultSlowBody, FaultStall, FaultResetMidBody, FaultOversize}
}

// afterSeller reports whether the fault acts after the seller answered.
func (f Fault) afterSeller() bool {
	return slices.Index(faultKinds(), f.Kind) >= slices.Index(faultKinds(), FaultMalformed)
}

// Validate reports a fault that cannot be applied.
func (f Fault) Validate() error {
	switch {
	case !slices.Contains(faultKinds(), f.Kind):
		return fmt.Errorf("fault kind %q is not one of %v", f.Kind, faultKinds())
	case f.Times < 0:
		return fmt.Errorf("fault times %d is negative", f.Times)
	case f.Latency < 0 || f.Latency > maxFaultLatency:
		return fmt.Errorf("fault latency %v is outside 0–%v", f.Latency, maxFaultLatency)
	case f.Kind == FaultLatency && f.Latency == 0:
		return fmt.Errorf("a latency fault needs a latency")
	case f.Kind == FaultStatus && (f.Status < 400 || f.Status > 599):
		return fmt.Errorf("a status fault needs a status 400–599, not %d", f.Status)
	}
	return nil
}

type faultJSON struct {
	Kind    string `json:"kind"`
	Times   int    `json:"times,omitempty"`
	Latency string `json:"latency,omitempty"`
	Status  int    `json:"status,omitempty"`
}

// MarshalJSON writes {"kind","times","latency","status"}, latency as a
// duration string.
func (f Fault) MarshalJSON() ([]byte, error) {
	j := faultJSON{Kind: f.Kind, Times: f.Times, Status: f.Status}
	if f.Latency != 0 {
		j.Latency = f.Latency.String()
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes and rejects unknown fields.
func (f *Fault) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var j faultJSON
	if err := dec.Decode(&j); err != nil {
		return fmt.Errorf("fault: %w", err)
	}
	var d time.Duration
	if j.Latency != "" {
		var err error
		if d, err = time.ParseDuration(j.Latency); err != nil {
			return fmt.Errorf("fault latency: %w", err)
		}
	}
	*f = Fault{Kind: j.Kind, Times: j.Times, Latency: d, Status: j.Status}
	return nil
}

// faultQueue holds injected faults; the oldest applies first.
type faultQueue struct {
	mu   sync.Mutex
	list []queuedFault
}

type queuedFault struct {
	Fault
	left int // calls left when Times > 0
}

func (q *faultQueue) add(f Fault) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.list = append(q.list, queuedFault{Fault: f, left: f.Times})
}

// take returns the fault for the next call, using one of its Times.
func (q *faultQueue) take() (Fault, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.list) == 0 {
		return Fault{}, false
	}
	f := q.list[0].Fault
	if f.Times > 0 {
		if q.list[0].left--; q.list[0].left == 0 {
			q.list = slices.Delete(q.list, 0, 1)
		}
	}
	return f, true
}

func (q *faultQueue) clear() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.list = nil
}

// pending lists the queued faults with the calls each has left.
func (q *faultQueue) pending() []Fault {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]Fault, len(q.list))
	for i, e := range q.list {
		out[i] = e.Fault
		out[i].Times = e.left
	}
	return out
}

// InjectFault queues f for the next authenticated calls.
func (s *Server) InjectFault(f Fault) error {
	if err := f.Validate(); err != nil {
		return err
	}
	s.faults.add(f)
	return nil
}

// ClearFaults removes every queued fault.
func (s *Server) ClearFaults() { s.faults.clear() }

// Faults lists the queued faults; Times is the number of calls left (0:
// until cleared).
func (s *Server) Faults() []Fault { return s.faults.pending() }
