package upload_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/internal/syncbuf"
	"github.com/faceid-verify/faceid/metrics"
)

func TestValidUploadOnePaidCallMaskedResult(t *testing.T) {
	e := newEnv(t)
	p := e.pipeline(t, upload.Config{}, nil, nil)
	ev := e.put(t, "uploads/a.jpg", e.photo, person(goodID, goodNameEnc))

	if err := p.Process(context.Background(), ev); err != nil {
		t.Fatalf("Process: %v", err)
	}
	if st := e.sb.Stats(); st.Billable != 1 || st.Received != 1 {
		t.Fatalf("sandbox stats = %+v, want exactly one billable call", st)
	}
	r, raw := e.result(t, "uploads/a.jpg")
	t.Logf("result object: %s", raw)
	if r.Outcome != upload.OutcomeVerified || !r.Passed || r.Verdict != "same" || r.Score == nil {
		t.Errorf("result = %+v, want a passed verification with a score", r)
	}
	if r.Incorrect == nil || r.Incorrect.Code != 100 || r.Incorrect.Zh == "" || r.Incorrect.En == "" {
		t.Errorf("incorrect = %+v, want code 100 with meanings", r.Incorrect)
	}
	if r.Person.IDCard != "110***********0011" || r.Person.Name != "张*" {
		t.Errorf("person = %+v, want masked values", r.Person)
	}
	if r.OrderNo == "" || r.Claim == "" || r.Times.Called == nil || r.Times.Event == nil {
		t.Errorf("result lacks order number, claim or times: %s", raw)
	}
	if r.Object.Bucket != testBucket || r.Object.Key != "uploads/a.jpg" || r.Object.ETag == "" || r.Object.Size != int64(len(e.photo)) {
		t.Errorf("object = %+v", r.Object)
	}
	assertNoPersonalData(t, raw, e.photo)
	if n := e.count(t, "results/.claims/"); n != 1 {
		t.Errorf("%d claim markers, want 1", n)
	}
}

// assertNoPersonalData checks a result object for the raw ID, the name in
// any spelling, the photo and any URL.
func assertNoPersonalData(t *testing.T, raw string, photo []byte) {
	t.Helper()
	b64 := base64.StdEncoding.EncodeToString(photo)
	head := string(photo[:min(len(photo), 24)])
	for _, bad := range []string{goodID, goodName, goodNameEnc, strings.ToLower(goodNameEnc), head, b64[:min(len(b64), 32)], "/9j/", "http://", "https://"} {
		if strings.Contains(raw, bad) {
			t.Errorf("result object contains %q", bad)
		}
	}
}

func TestRejectedUploadsMakeNoCall(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name   string
		body   []byte
		meta   map[string]string
		maxImg int
		field  string
		reason string
	}{
		{"no metadata", e.photo, nil, 0, "idcard", ""},
		{"bad checksum", e.photo, person("110101199003070012", goodNameEnc), 0, "idcard", "checksum"},
		{"bad name encoding", e.photo, person(goodID, "%E5%BC"), 0, "name", "encoding"},
		{"name not a name", e.photo, person(goodID, "Robert%3B%20DROP"), 0, "name", ""},
		{"not an image", []byte("this is a text file, not a photo at all"), person(goodID, goodNameEnc), 0, "image", "unsupported_format"},
		{"oversized photo", e.photo, person(goodID, goodNameEnc), 16 << 10, "image", "too_large"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.sb.ResetStats()
			key := "uploads/reject-" + string(rune('a'+i)) + ".jpg"
			reg, _ := metrics.New(metrics.Options{})
			p := e.pipeline(t, upload.Config{}, e.client(t, core.Config{MaxImageBytes: tt.maxImg, MaxInputBytes: tt.maxImg}, core.WithObserver(reg)), nil)
			if err := p.Process(context.Background(), e.put(t, key, tt.body, tt.meta)); err != nil {
				t.Fatalf("Process: %v", err)
			}
			if st := e.sb.Stats(); st.Received != 0 {
				t.Fatalf("sandbox received %d calls, want 0", st.Received)
			}
			// Counted as an avoided call, as a refused HTTP request is.
			if s := reg.Snapshot(); s.AvoidedCalls != 1 || s.UpstreamCalls != 0 {
				t.Errorf("metrics: %d avoided calls (%v), %d upstream calls; want 1 and 0", s.AvoidedCalls, s.AvoidedByReason, s.UpstreamCalls)
			} else {
				for reason := range s.AvoidedByReason {
					if !strings.HasPrefix(reason, tt.field+".") || tt.reason != "" && reason != tt.field+"."+tt.reason {
						t.Errorf("avoided reason %q, want %s.%s", reason, tt.field, tt.reason)
					}
				}
			}
			r, raw := e.result(t, key)
			if r.Outcome != upload.OutcomeInvalid || r.Error == nil || r.Error.Kind != "validation" || r.Error.Field != tt.field {
				t.Fatalf("result = %s", raw)
			}
			if tt.reason != "" && r.Error.Reason != tt.reason {
				t.Errorf("reason = %q, want %q", r.Error.Reason, tt.reason)
			}
			if r.Error.Message == "" || r.Error.MessageEn == "" || r.Claim != "" {
				t.Errorf("result = %s, want messages and no claim", raw)
			}
			assertNoPersonalData(t, raw, tt.body)
		})
	}
	if n := e.count(t, "results/.claims/"); n != 0 {
		t.Errorf("%d claim markers after rejections, want 0", n)
	}
}

func TestIgnoredKeysAreNotProcessed(t *testing.T) {
	e := newEnv(t)
	p := e.pipeline(t, upload.Config{}, nil, nil)
	for _, key := range []string{
		"results/uploads/a.jpg.json", "results/.claims/abc.json", "other/a.jpg", "uploads/folder/", "uploads",
	} {
		ev := e.put(t, key, e.photo, person(goodID, goodNameEnc))
		if err := p.Process(context.Background(), ev); err != nil {
			t.Errorf("Process(%s): %v", key, err)
		}
	}
	if st := e.sb.Stats(); st.Received != 0 {
		t.Errorf("sandbox received %d calls, want 0", st.Received)
	}
	if n := e.count(t, "results/uploads"); n != 1 { // only the object put above
		t.Errorf("%d objects under results/uploads, want only the one uploaded there", n)
	}
	if err := p.Process(context.Background(), upload.Event{Platform: "s3"}); err != nil {
		t.Errorf("an event without bucket and key should be dropped, got %v", err)
	}
}

func TestDeleteSource(t *testing.T) {
	e := newEnv(t)
	p := e.pipeline(t, upload.Config{DeleteSource: true}, nil, nil)
	ctx := context.Background()
	ok := e.put(t, "uploads/ok.jpg", e.photo, person(goodID, goodNameEnc))
	bad := e.put(t, "uploads/bad.jpg", e.photo, person("110101199003070012", goodNameEnc))
	for _, ev := range []upload.Event{ok, bad} {
		if err := p.Process(ctx, ev); err != nil {
			t.Fatalf("Process(%s): %v", ev.Key, err)
		}
		if e.exists(t, ev.Key) {
			t.Errorf("%s still exists after its result was written", ev.Key)
		}
		if _, raw := e.result(t, ev.Key); raw == "" {
			t.Errorf("no result for %s", ev.Key)
		}
	}
	// A redelivery finds the photo gone and does nothing.
	if err := p.Process(ctx, ok); err != nil {
		t.Fatalf("redelivery: %v", err)
	}
	if st := e.sb.Stats(); st.Billable != 1 {
		t.Errorf("billable = %d, want 1", st.Billable)
	}
}

func TestReuploadIsANewVerification(t *testing.T) {
	e := newEnv(t)
	p := e.pipeline(t, upload.Config{}, nil, nil)
	ctx := context.Background()
	if err := p.Process(ctx, e.put(t, "uploads/same.jpg", e.photo, person(goodID, goodNameEnc))); err != nil {
		t.Fatal(err)
	}
	first, _ := e.result(t, "uploads/same.jpg")
	other, err := os.ReadFile("../../testdata/photos/portrait-exif.jpg")
	if err != nil {
		t.Fatal(err)
	}
	ev := e.put(t, "uploads/same.jpg", other, person(goodID, goodNameEnc))
	for range 2 {
		if err := p.Process(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	second, _ := e.result(t, "uploads/same.jpg")
	if st := e.sb.Stats(); st.Billable != 2 {
		t.Errorf("billable = %d, want 2 (one per uploaded version)", st.Billable)
	}
	if first.Claim == second.Claim {
		t.Errorf("both versions share claim %s", first.Claim)
	}
}

func TestVersionedBucketClaimsPerVersion(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.s3.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
		Bucket: aws.String(testBucket), VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled},
	}); err != nil {
		t.Fatal(err)
	}
	p := e.pipeline(t, upload.Config{DeleteSource: true}, nil, nil)
	v1 := e.put(t, "uploads/v.jpg", e.photo, person(goodID, goodNameEnc))
	v2 := e.put(t, "uploads/v.jpg", e.photo, person(goodID, goodNameEnc)) // same bytes, new version
	if v1.VersionID == "" || v1.VersionID == v2.VersionID {
		t.Fatalf("versions %q, %q", v1.VersionID, v2.VersionID)
	}
	for _, ev := range []upload.Event{v1, v2, v1, v2} {
		if err := p.Process(ctx, ev); err != nil {
			t.Fatalf("Process(%s): %v", ev.VersionID, err)
		}
	}
	if st := e.sb.Stats(); st.Billable != 2 {
		t.Errorf("billable = %d, want one per version", st.Billable)
	}
	if r, _ := e.result(t, "uploads/v.jpg"); r.Object.VersionID != v2.VersionID {
		t.Errorf("result is for version %q, want the latest %q", r.Object.VersionID, v2.VersionID)
	}
	out, err := e.s3.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(testBucket), Prefix: aws.String("uploads/")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Versions) != 0 {
		t.Errorf("%d photo versions left after DeleteSource, want 0", len(out.Versions))
	}
}

// A key holding an ID number and a name, against the README's advice, is
// masked wherever the pipeline shows it: its logs, the result object and
// the error the platform logs, whose cause may quote the object's URL.
func TestCarelessKeyIsMasked(t *testing.T) {
	e := newEnv(t)
	var logs syncbuf.Buffer
	fs := &faultStore{Store: e.store}
	cause := errors.New("503 Slow Down")
	fs.get = func(ref upload.Ref) error {
		return fmt.Errorf("GET https://%s.example/%s: %w", ref.Bucket, ref.Key, cause)
	}
	p := e.pipeline(t, upload.Config{}, nil, fs, upload.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
	key := "uploads/" + goodName + "_" + goodID + ".jpg"
	ev := e.put(t, key, e.photo, person(goodID, goodNameEnc))

	err := p.Process(context.Background(), ev)
	if !errors.Is(err, cause) {
		t.Fatalf("Process = %v, want the store's error", err)
	}
	if s := err.Error(); strings.Contains(s, goodID) || strings.Contains(s, goodName) || !strings.Contains(s, "110***********0011") {
		t.Errorf("returned error %q shows the key unmasked", s)
	}
	fs.mu.Lock()
	fs.get = nil
	fs.mu.Unlock()
	if err := p.Process(context.Background(), ev); err != nil {
		t.Fatalf("Process: %v", err)
	}
	r, raw := e.result(t, key)
	if want := "uploads/张*_110***********0011.jpg"; r.Object.Key != want {
		t.Errorf("result key = %q, want %q", r.Object.Key, want)
	}
	assertNoPersonalData(t, raw, e.photo)
	if !strings.Contains(logs.String(), "110***********0011") {
		t.Fatalf("no masked key in the logs:\n%s", logs.String())
	}
	for _, bad := range []string{goodID, goodName} {
		if strings.Contains(logs.String(), bad) {
			t.Errorf("logs contain %q:\n%s", bad, logs.String())
		}
	}
}
