package upload_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"

	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/faceid-verify/faceid/core"
)

// TestDamagedUploadsMakeNoCall: uploads cut short or overwritten with
// zeros pass every header check; the pipeline's validation (the same as
// the HTTP path's) decodes them, records the damage and calls nothing.
// One of them is over the size limit, so the rewrite's decode finds it.
func TestDamagedUploadsMakeNoCall(t *testing.T) {
	e := newEnv(t)
	png, err := os.ReadFile("../../testdata/photos/portrait-rgba.png")
	if err != nil {
		t.Fatal(err)
	}
	large, err := os.ReadFile("../../testdata/photos/large-exif.jpg")
	if err != nil {
		t.Fatal(err)
	}
	sos := bytes.Index(e.photo, []byte{0xFF, 0xDA})
	zeros := append([]byte{}, e.photo...)
	clear(zeros[sos+14:])
	tests := []struct {
		name   string
		body   []byte
		maxImg int
		reason string
	}{
		{"jpeg cut after its header", e.photo[:sos+14], 0, "truncated"},
		{"jpeg header then zeros", zeros, 0, "truncated"},
		{"png first 2 KB", png[:2048], 0, "truncated"},
		{"png header then zeros", append(append([]byte{}, png[:33]...), make([]byte, 4096)...), 0, "corrupt"},
		{"large jpeg cut, to be shrunk", large[:len(large)*3/4], 1 << 20, "truncated"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.sb.ResetStats()
			key := "uploads/damaged-" + string(rune('a'+i)) + ".jpg"
			p := e.pipeline(t, upload.Config{}, e.client(t, core.Config{MaxImageBytes: tt.maxImg}), nil)
			if err := p.Process(context.Background(), e.put(t, key, tt.body, person(goodID, goodNameEnc))); err != nil {
				t.Fatalf("Process: %v", err)
			}
			if st := e.sb.Stats(); st.Received != 0 {
				t.Fatalf("sandbox received %d calls, want 0", st.Received)
			}
			r, raw := e.result(t, key)
			if r.Outcome != upload.OutcomeInvalid || r.Error == nil || r.Error.Field != "image" || r.Error.Reason != tt.reason ||
				r.Error.MessageEn == "" || r.Claim != "" {
				t.Fatalf("result = %s", raw)
			}
			assertNoPersonalData(t, raw, tt.body)
		})
	}
}

// TestBusyUploadIsRetried: an upload whose photo cannot get decode memory
// in time is neither called nor recorded; Process returns the error so
// the platform delivers the event again, and the redelivery is verified.
func TestBusyUploadIsRetried(t *testing.T) {
	e := newEnv(t)
	c := e.client(t, core.Config{DecodeWait: 1})
	p := e.pipeline(t, upload.Config{}, c, nil)
	ev := e.put(t, "uploads/busy.jpg", e.photo, person(goodID, goodNameEnc))
	b := c.Limits().Decode
	release, err := b.Reserve(context.Background(), b.Size())
	if err != nil {
		t.Fatal(err)
	}
	err = p.Process(context.Background(), ev)
	release()
	var busy *core.BusyError
	if !errors.As(err, &busy) {
		t.Fatalf("Process = %v, want a BusyError to retry", err)
	}
	if st := e.sb.Stats(); st.Received != 0 || e.exists(t, "results/uploads/busy.jpg.json") || e.count(t, "results/.claims/") != 0 {
		t.Fatalf("busy upload left traces: %+v", st)
	}
	if err := p.Process(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if r, raw := e.result(t, "uploads/busy.jpg"); r.Outcome != upload.OutcomeVerified {
		t.Fatalf("redelivery: %s", raw)
	}
}
