package cosstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/faceid-verify/faceid/adapters/upload/cosstore"
	"github.com/faceid-verify/faceid/internal/cosfake"
	"github.com/faceid-verify/faceid/internal/presignfixture"
	cos "github.com/tencentyun/cos-go-sdk-v5"
)

// signingFake is a COS bucket that checks signatures with the test key.
func signingFake() *cosfake.Bucket {
	f := cosfake.New()
	f.SecretKeys = map[string]string{"test-id": "test-key"}
	return f
}

// presignWorld is newCOSWorld with an issuer and a pipeline that check
// tickets.
func presignWorld(t *testing.T, f *cosfake.Bucket) (*cosWorld, *upload.Issuer) {
	t.Helper()
	w := newCOSWorld(t, f)
	st := newStore(t, f)
	cfg := upload.Config{MACKey: presignfixture.MACKey}
	var err error
	if w.p, err = upload.New(cfg, w.client, st, upload.WithPollInterval(20*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	is, err := upload.NewIssuer(cfg, upload.IssueConfig{Bucket: bucket, Region: "ap-guangzhou"}, w.client, st, st)
	if err != nil {
		t.Fatal(err)
	}
	return w, is
}

// cosEvent is what the SCF adapter builds for an upload.
func cosEvent(key string, at time.Time) upload.Event {
	return upload.Event{Platform: upload.PlatformCOS, Bucket: bucket, Region: "ap-guangzhou", Key: key, EventTime: at}
}

func TestCOSPresignedUploadIsVerifiedOnce(t *testing.T) {
	f := signingFake()
	w, is := presignWorld(t, f)
	ctx := context.Background()
	tk, err := is.Issue(ctx, upload.IssueRequest{Name: "张三", IDCard: "110101199003070011", ContentType: "image/jpeg", Size: int64(len(w.photo))})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(tk.UploadURL)
	if hl := u.Query().Get("q-header-list"); hl != "content-length;content-type;host;x-cos-meta-faceid-ticket;x-cos-meta-idcard;x-cos-meta-name" {
		t.Errorf("signed headers %q: want the size, the type and every metadata header", hl)
	}
	if u.Query().Get("x-cos-security-token") != "test-token" {
		t.Error("the presigned URL does not carry the role's session token")
	}
	for _, s := range []string{tk.UploadURL, tk.ResultURL, tk.Key} {
		if strings.Contains(s, "110101199003070011") || strings.Contains(s, "%E5%BC%A0") {
			t.Errorf("%q holds personal data", s)
		}
	}
	app := presignfixture.App(t)
	if st, _ := presignfixture.Do(t, app, http.MethodGet, tk.ResultURL, nil, nil); st != http.StatusNotFound {
		t.Errorf("result address before the upload: %d, want 404", st)
	}
	if st, b := presignfixture.Do(t, app, tk.UploadMethod, tk.UploadURL, w.photo, tk.UploadHeaders); st != http.StatusOK {
		t.Fatalf("upload: %d %s", st, b)
	}
	for range 2 {
		if err := w.p.Process(ctx, cosEvent(tk.Key, time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	if st := w.sb.Stats(); st.Billable != 1 {
		t.Errorf("billable calls = %d, want 1", st.Billable)
	}
	st, body := presignfixture.Do(t, app, http.MethodGet, tk.ResultURL, nil, nil)
	var r upload.Result
	if st != http.StatusOK || json.Unmarshal(body, &r) != nil || r.Outcome != upload.OutcomeVerified || !r.Passed ||
		r.Person.IDCard != "110***********0011" {
		t.Fatalf("result address: %d %s", st, body)
	}
	if got, err := is.Result(ctx, tk.Key); err != nil || !bytes.Equal(got, body) {
		t.Errorf("Result = %q, %v", got, err)
	}
}

// COS checks the presigned signature: an upload that changes what was
// signed, or comes too late, is refused by the store and nothing lands.
func TestCOSRefusesUploadsOutsideTheSignature(t *testing.T) {
	tests := []struct {
		name   string
		change func(h map[string]string)
		body   func(photo []byte) []byte
		later  time.Duration
	}{
		{name: "another ID number", change: func(h map[string]string) { h["X-Cos-Meta-Idcard"] = "440305199512120016" }},
		{name: "another name", change: func(h map[string]string) { h["X-Cos-Meta-Name"] = "%E6%9D%8E%E5%9B%9B" }},
		{name: "ticket left out", change: func(h map[string]string) { delete(h, "X-Cos-Meta-Faceid-Ticket") }},
		{name: "wrong content type", change: func(h map[string]string) { h["Content-Type"] = "image/png" }},
		{name: "oversized body", body: func(p []byte) []byte { return append(append([]byte{}, p...), make([]byte, 100)...) }},
		{name: "expired address", later: 11 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := signingFake()
			w, is := presignWorld(t, f)
			tk, err := is.Issue(context.Background(), upload.IssueRequest{Name: "张三", IDCard: "110101199003070011", Size: int64(len(w.photo))})
			if err != nil {
				t.Fatal(err)
			}
			h := maps.Clone(tk.UploadHeaders)
			if tt.change != nil {
				tt.change(h)
			}
			body := w.photo
			if tt.body != nil {
				body = tt.body(body) // net/http sends the body's own length
			}
			if tt.later > 0 {
				f.Now = func() time.Time { return time.Now().Add(tt.later) }
			}
			if st, b := presignfixture.Do(t, presignfixture.App(t), tk.UploadMethod, tk.UploadURL, body, h); st != http.StatusForbidden {
				t.Fatalf("upload answered %d %s, want 403", st, b)
			}
			if keys := f.Keys("uploads/"); len(keys) != 0 {
				t.Errorf("stored %v", keys)
			}
			if w.sb.Stats().Received != 0 {
				t.Error("the upstream was called")
			}
		})
	}
}

// Where a store let a changed upload in anyway, the pipeline refuses it
// before paying.
func TestCOSPipelineRefusesUploadsTheStoreLetIn(t *testing.T) {
	f := signingFake()
	w, is := presignWorld(t, f)
	tk, err := is.Issue(context.Background(), upload.IssueRequest{Name: "张三", IDCard: "110101199003070011"})
	if err != nil {
		t.Fatal(err)
	}
	f.Put(tk.Key, w.photo, map[string]string{
		"Idcard": "440305199512120016", "Name": tk.UploadHeaders["X-Cos-Meta-Name"],
		"Faceid-Ticket": tk.UploadHeaders["X-Cos-Meta-Faceid-Ticket"],
	})
	if err := w.p.Process(context.Background(), cosEvent(tk.Key, time.Now())); err != nil {
		t.Fatal(err)
	}
	if w.sb.Stats().Received != 0 {
		t.Error("the upstream was called")
	}
	body, _ := f.Get(tk.ResultKey)
	var r upload.Result
	if json.Unmarshal(body, &r) != nil || r.Outcome != upload.OutcomeInvalid || r.Error.Reason != "tampered" {
		t.Fatalf("result = %s", body)
	}
}

// The fake's signature check is real: a request signed with another key,
// or a presigned URL whose signature is altered, is refused.
func TestFakeChecksSignatures(t *testing.T) {
	f := signingFake()
	srv := httptest.NewServer(f)
	defer srv.Close()
	ref := upload.Ref{Bucket: bucket, Key: "results/x.json"}
	wrong, err := cosstore.New(cosstore.Config{BaseURL: srv.URL, Credential: cos.NewTokenCredential("test-id", "other-key", "")})
	if err != nil {
		t.Fatal(err)
	}
	if err := wrong.Put(context.Background(), ref, []byte("{}")); err == nil {
		t.Error("a request signed with the wrong key was accepted")
	}
	right := newStore(t, f)
	if err := right.Put(context.Background(), ref, []byte("{}")); err != nil {
		t.Fatalf("a correctly signed request was refused: %v", err)
	}
	get, err := right.PresignGet(context.Background(), ref, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	app := presignfixture.App(t)
	if st, _ := presignfixture.Do(t, app, http.MethodGet, get, nil, nil); st != http.StatusOK {
		t.Errorf("presigned GET: %d", st)
	}
	forged := strings.Replace(get, "/results/x.json", "/results/y.json", 1)
	if st, _ := presignfixture.Do(t, app, http.MethodGet, forged, nil, nil); st != http.StatusForbidden {
		t.Errorf("a presigned GET moved to another key: %d, want 403", st)
	}
}
