// Package fakepipeline holds an upload pipeline that only records what it
// is asked to process, for tests of the platform adapters that hand it
// their events. Import it only from _test files.
package fakepipeline

import (
	"context"
	"sync"

	"github.com/faceid-verify/faceid/adapters/upload"
)

// Recorder implements upload.Processor: it keeps every event and answers
// Err for each, as a pipeline asking for a retry would.
type Recorder struct {
	Err error

	mu  sync.Mutex
	got []upload.Event
}

// Process records ev and returns r.Err.
func (r *Recorder) Process(_ context.Context, ev upload.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, ev)
	return r.Err
}

// Events returns what was processed so far, in order.
func (r *Recorder) Events() []upload.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]upload.Event(nil), r.got...)
}
