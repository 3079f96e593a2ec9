package cosstore_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/internal/cosfake"
	"github.com/faceid-verify/faceid/sandbox"
	"github.com/tencentyun/scf-go-lib/events"
)

// cosWorld is the sandbox upstream and a fake COS bucket over loopback.
type cosWorld struct {
	sb     *sandbox.Server
	cos    *cosfake.Bucket
	client *core.Client
	p      *upload.Pipeline
	photo  []byte
}

func newCOSWorld(t *testing.T, f *cosfake.Bucket) *cosWorld {
	t.Helper()
	sb := sandbox.New(sandbox.Config{})
	up := httptest.NewServer(sb)
	t.Cleanup(func() { sb.Close(); up.Close() })
	client, err := core.New(core.Config{
		Endpoint: up.URL + "/release/face_id_card/post",
		SecretID: sandbox.DefaultSecretID, SecretKey: sandbox.DefaultSecretKey,
	})
	if err != nil {
		t.Fatal(err)
	}
	p, err := upload.New(upload.Config{}, client, newStore(t, f), upload.WithPollInterval(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	photo, err := os.ReadFile("../../../testdata/photos/small-320x240.jpg")
	if err != nil {
		t.Fatal(err)
	}
	return &cosWorld{sb: sb, cos: f, client: client, p: p, photo: photo}
}

// eventFrom builds the pipeline's Event from a COS record, as the SCF
// adapter does.
func eventFrom(t *testing.T, rec events.COSRecord) upload.Event {
	t.Helper()
	b, key, err := upload.ParseCOSKey(rec.Object.Object.Name)
	if err != nil {
		t.Fatal(err)
	}
	return upload.Event{
		Platform: upload.PlatformCOS, Bucket: b, Region: rec.Object.Bucket.Region, Key: key,
		VersionID: rec.Object.Object.VID, Size: rec.Object.Object.Size,
		Metadata:  upload.NormalizeMetadata(rec.Object.Object.Metadata),
		EventTime: time.Unix(rec.Event.Timestamp, 0),
	}
}

func loadEvent(t *testing.T) events.COSRecord {
	t.Helper()
	raw, err := os.ReadFile("../testdata/cos-event.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev events.COSEvent
	if err := json.Unmarshal(raw, &ev); err != nil || len(ev.Records) != 1 {
		t.Fatalf("decode: %v", err)
	}
	return ev.Records[0]
}

func TestCOSUploadPaysOnceUnderConcurrentDeliveries(t *testing.T) {
	w := newCOSWorld(t, cosfake.New())
	rec := loadEvent(t)
	ev := eventFrom(t, rec)
	if ev.Bucket != "photos-1250000000" || ev.Key != "uploads/a.jpg" || ev.Metadata["name"] != "张三" {
		t.Fatalf("event = %+v", ev)
	}
	// Plain UTF-8 metadata, as COS allows.
	w.cos.Put(ev.Key, w.photo, map[string]string{"Idcard": "110101199003070011", "Name": "张三"})

	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			if err := w.p.Process(context.Background(), ev); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if st := w.sb.Stats(); st.Billable != 1 || st.Received != 1 {
		t.Errorf("sandbox stats = %+v, want one call", st)
	}
	body, ok := w.cos.Get("results/uploads/a.jpg.json")
	if !ok {
		t.Fatal("no result object")
	}
	var r upload.Result
	if err := json.Unmarshal(body, &r); err != nil || r.Outcome != upload.OutcomeVerified || !r.Passed {
		t.Fatalf("result = %s", body)
	}
	for _, bad := range []string{"110101199003070011", "张三"} {
		if strings.Contains(string(body), bad) {
			t.Errorf("result contains %q", bad)
		}
	}
}

func TestCOSEncodedKeyFallback(t *testing.T) {
	w := newCOSWorld(t, cosfake.New())
	w.cos.Put("uploads/张 三.jpg", w.photo, map[string]string{"Idcard": "110101199003070011", "Name": "%E5%BC%A0%E4%B8%89"})
	rec := loadEvent(t)
	rec.Object.Object.Name = "/1250000000/photos/uploads/%E5%BC%A0%20%E4%B8%89.jpg"
	rec.Object.Object.Metadata = nil
	if err := w.p.Process(context.Background(), eventFrom(t, rec)); err != nil {
		t.Fatal(err)
	}
	if _, ok := w.cos.Get("results/uploads/张 三.jpg.json"); !ok || w.sb.Stats().Billable != 1 {
		t.Errorf("the percent-encoded event key did not find the object (billable %d)", w.sb.Stats().Billable)
	}
}

func TestCOSBucketThatOverwritesGetsNoPaidCall(t *testing.T) {
	f := cosfake.New()
	f.IgnoreForbid = true
	w := newCOSWorld(t, f)
	ev := eventFrom(t, loadEvent(t))
	w.cos.Put(ev.Key, w.photo, map[string]string{"Idcard": "110101199003070011", "Name": "张三"})
	err := w.p.Process(context.Background(), ev)
	if !errors.Is(err, upload.ErrNoConditionalCreate) {
		t.Fatalf("Process = %v, want ErrNoConditionalCreate", err)
	}
	if st := w.sb.Stats(); st.Received != 0 {
		t.Errorf("sandbox received %d calls, want 0", st.Received)
	}
	if n := len(f.Keys("results/")); n != 0 {
		t.Errorf("%d objects under results/, want 0", n)
	}
}
