package upload_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/faceid-verify/faceid/internal/fakepipeline"
)

// TestProcessAll: every record of a delivery is processed even after one
// fails; the failures go back joined, so the platform retries, and one
// log line counts them without naming any key.
func TestProcessAll(t *testing.T) {
	evs := []upload.Event{{Bucket: "b", Key: "uploads/110101199003070011.jpg"}, {Bucket: "b", Key: "uploads/2.jpg"}}
	retry := errors.New("retry me")
	for _, tc := range []struct {
		name string
		err  error
	}{{"all processed", nil}, {"all failed", retry}} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			p := &fakepipeline.Recorder{Err: tc.err}
			err := upload.ProcessAll(context.Background(), slog.New(slog.NewJSONHandler(&logs, nil)), p, evs)
			if got := p.Events(); len(got) != 2 || got[0].Key != evs[0].Key || got[1].Key != evs[1].Key {
				t.Errorf("processed %+v, want both records in order", got)
			}
			if tc.err == nil {
				if err != nil || logs.Len() != 0 {
					t.Errorf("error %v, log %q: want neither", err, logs.String())
				}
				return
			}
			if !errors.Is(err, retry) || strings.Count(err.Error(), "retry me") != 2 {
				t.Errorf("error %v, want both failures joined", err)
			}
			if !strings.Contains(logs.String(), `"records":2,"failed":2`) || strings.Contains(logs.String(), "110101") {
				t.Errorf("log %s", logs.String())
			}
		})
	}
	if err := upload.ProcessAll(context.Background(), slog.New(slog.DiscardHandler), &fakepipeline.Recorder{}, nil); err != nil {
		t.Errorf("no records: %v", err)
	}
}
