package httphandler

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/metrics"
	"github.com/faceid-verify/faceid/sandbox"
)

// trafficEntry is one replayed request of testdata/traffic.json.
type trafficEntry struct {
	Label  string `json:"label"`
	IDCard string `json:"idcard"`
	Name   string `json:"name"`
	// Photo names a generated photo: jpeg, png, webp, garbage, truncated,
	// oversize, badbase64; empty for none.
	Photo  string `json:"photo"`
	URL    string `json:"url"`
	Expect string `json:"expect"` // paid or avoided
	Reason string `json:"reason"` // expected field.reason when avoided
}

func trafficPhoto(t *testing.T, kind string) string {
	t.Helper()
	read := func(name string) []byte {
		b, err := os.ReadFile("../../testdata/photos/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	switch kind {
	case "":
		return ""
	case "jpeg":
		return base64.StdEncoding.EncodeToString(read("small-320x240.jpg"))
	case "png":
		return base64.StdEncoding.EncodeToString(read("portrait-rgba.png"))
	case "webp":
		return base64.StdEncoding.EncodeToString(read("portrait.webp"))
	case "garbage":
		return base64.StdEncoding.EncodeToString([]byte(strings.Repeat("not a photo ", 100)))
	case "truncated":
		return base64.StdEncoding.EncodeToString(read("small-320x240.jpg")[:40])
	case "oversize":
		big := make([]byte, 3<<20+1)
		copy(big, read("small-320x240.jpg"))
		return base64.StdEncoding.EncodeToString(big)
	case "huge":
		big := make([]byte, trafficIntake+1)
		copy(big, read("small-320x240.jpg"))
		return base64.StdEncoding.EncodeToString(big)
	case "badbase64":
		return "data:image/jpeg;base64,@@@@"
	}
	t.Fatalf("unknown photo kind %q", kind)
	return ""
}

// trafficIntake keeps the "huge" photo's base64 under the body cap.
const trafficIntake = 4 << 20

// countingObserver is a core.Observer that counts what the client did,
// and passes it on to the metrics registry.
type countingObserver struct {
	mu      sync.Mutex
	calls   map[string]int
	avoided map[string]int
	reg     *metrics.Registry
}

func (o *countingObserver) UpstreamCall(outcome string, possiblyBilled, billed bool, latency time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls[outcome]++
	o.reg.UpstreamCall(outcome, possiblyBilled, billed, latency)
}

func (o *countingObserver) Avoided(reason string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.avoided[reason]++
	o.reg.Avoided(reason)
}

func sumValues(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func doHandler(h http.Handler, r *http.Request) (*http.Response, map[string]any) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var body map[string]any
	json.Unmarshal(w.Body.Bytes(), &body)
	return w.Result(), body
}

// TestTrafficMix replays a mix of good and bad requests and reports paid
// calls made against calls avoided; every request that was bound to fail
// must cost nothing.
func TestTrafficMix(t *testing.T) {
	raw, err := os.ReadFile("testdata/traffic.json")
	if err != nil {
		t.Fatal(err)
	}
	var mix []trafficEntry
	if err := json.Unmarshal(raw, &mix); err != nil {
		t.Fatal(err)
	}
	reg, err := metrics.New(metrics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	obs := &countingObserver{avoided: map[string]int{}, calls: map[string]int{}, reg: reg}
	f := newFixture(t, sandbox.Config{}, core.Config{}, Options{})
	client, err := core.New(core.Config{Endpoint: f.srv.URL + "/release/face_id_card/post",
		SecretID: sandbox.DefaultSecretID, SecretKey: sandbox.DefaultSecretKey, MaxInputBytes: trafficIntake}, core.WithObserver(obs))
	if err != nil {
		t.Fatal(err)
	}
	h := New(Options{Verifier: client, Logger: newJSONLogger(f.logs)})
	var paid, avoided int
	for _, e := range mix {
		before := f.sb.Stats()
		resp, body := doHandler(h, jsonReq("/verify", map[string]string{
			"idcard": e.IDCard, "name": e.Name, "image": trafficPhoto(t, e.Photo), "url": e.URL}))
		after := f.sb.Stats()
		billed := after.Billable - before.Billable
		reached := after.Received - before.Received
		switch e.Expect {
		case "paid":
			paid++
			if resp.StatusCode != 200 || billed != 1 {
				t.Errorf("%s: status %d, billed %d, want a paid answer: %v", e.Label, resp.StatusCode, billed, body)
			}
		case "avoided":
			avoided++
			if reached != 0 || resp.StatusCode != 400 {
				t.Errorf("%s: status %d, %d upstream calls, want a local 400 and none", e.Label, resp.StatusCode, reached)
			}
			if e.Reason != "" {
				er, _ := body["error"].(map[string]any)
				if got := fmt.Sprint(er["field"], ".", er["reason"]); got != e.Reason {
					t.Errorf("%s: reason %s, want %s", e.Label, got, e.Reason)
				}
			}
		default:
			t.Fatalf("%s: expect %q", e.Label, e.Expect)
		}
	}
	st := f.sb.Stats()
	if int(st.Billable) != paid {
		t.Errorf("sandbox billed %d, want %d", st.Billable, paid)
	}
	reasons := make([]string, 0, len(obs.avoided))
	for r, n := range obs.avoided {
		reasons = append(reasons, fmt.Sprintf("%s=%d", r, n))
	}
	sort.Strings(reasons)
	s := reg.Snapshot()
	t.Logf("traffic mix: %d requests, %d paid calls made, %d avoided (¥%d saved at ¥1/call); avoided by reason: %s",
		len(mix), st.Billable, avoided, avoided, strings.Join(reasons, " "))
	t.Logf("money metrics: %d billed, %d possibly billed, %d avoided; the sandbox billed %d",
		s.BilledCalls, s.PossiblyBilledCalls, s.AvoidedCalls, st.Billable)
	// Every call completed normally: both bounds are the bill itself.
	if s.BilledCalls != st.Billable || s.PossiblyBilledCalls != st.Billable || s.AvoidedCalls != int64(avoided) {
		t.Errorf("metrics: %d billed, %d possibly billed, %d avoided; want %d, %d, %d",
			s.BilledCalls, s.PossiblyBilledCalls, s.AvoidedCalls, st.Billable, st.Billable, avoided)
	}
	if total := sumValues(obs.avoided); total != avoided {
		t.Errorf("observer counted %d avoided calls, want %d", total, avoided)
	}
}

// TestBodyRefusalsCountedByTheClient: bodies the handler refuses before
// the core sees them are counted as avoided calls through Client.Reject,
// the one place Verify and the upload pipeline count theirs, under the
// same field.reason labels.
func TestBodyRefusalsCountedByTheClient(t *testing.T) {
	obs := &countingObserver{avoided: map[string]int{}, calls: map[string]int{}}
	obs.reg, _ = metrics.New(metrics.Options{})
	f := newFixture(t, sandbox.Config{}, core.Config{}, Options{})
	client, err := core.New(core.Config{Endpoint: f.srv.URL + "/release/face_id_card/post",
		SecretID: sandbox.DefaultSecretID, SecretKey: sandbox.DefaultSecretKey}, core.WithObserver(obs))
	if err != nil {
		t.Fatal(err)
	}
	h := New(Options{Verifier: client, Logger: newJSONLogger(f.logs)})
	plain := formReq("/release/face_id_card/post", "x")
	plain.Header.Set("Content-Type", "text/plain")
	for _, r := range []*http.Request{
		plain,
		formReq("/verify", "idcard=1&idcard=2"),
		formReq("/verify", "idcard=%zz"),
		jsonReq("/verify", map[string]string{"idcard": "110101199003070012", "name": "张三", "image": f.photo}),
	} {
		doHandler(h, r)
	}
	want := map[string]int{"body.content_type": 1, "idcard.duplicate": 1, "body.form": 1, "idcard.checksum": 1}
	if fmt.Sprint(obs.avoided) != fmt.Sprint(want) || len(obs.calls) != 0 || f.sb.Stats().Received != 0 {
		t.Errorf("avoided %v, calls %v; want %v and no call", obs.avoided, obs.calls, want)
	}
}
