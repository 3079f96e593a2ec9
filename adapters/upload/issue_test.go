package upload_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/internal/presignfixture"
)

func issuedConfig() upload.Config { return upload.Config{MACKey: presignfixture.MACKey} }

// issuer hands out uploads into the test bucket, signed by the S3 store.
func (e *env) issuer(t *testing.T, c upload.Caller, cfg upload.Config, p upload.Presigner) *upload.Issuer {
	t.Helper()
	if p == nil {
		p = e.store
	}
	is, err := upload.NewIssuer(cfg, upload.IssueConfig{Bucket: testBucket}, c, p, e.store)
	if err != nil {
		t.Fatal(err)
	}
	return is
}

// s3Event is the event the Lambda adapter builds for an upload: no
// metadata, the notification's time.
func s3Event(key string, at time.Time) upload.Event {
	return upload.Event{Platform: upload.PlatformS3, Bucket: testBucket, Key: key, EventTime: at}
}

func TestIssuedUploadIsVerifiedOnceAndReadable(t *testing.T) {
	e := newEnv(t)
	client := e.client(t, core.Config{})
	is := e.issuer(t, client, issuedConfig(), nil)
	p := e.pipeline(t, issuedConfig(), client, nil)
	ctx := context.Background()

	before := time.Now()
	tk, err := is.Issue(ctx, upload.IssueRequest{Name: goodName, IDCard: goodID, ContentType: "image/jpeg", Size: int64(len(e.photo))})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tk.Key, "uploads/issued/") || !strings.HasSuffix(tk.Key, ".jpg") || tk.UploadMethod != "PUT" ||
		tk.ResultKey != "results/"+tk.Key+".json" {
		t.Fatalf("ticket = %+v", tk)
	}
	if d := tk.ExpiresAt.Sub(before); d < 9*time.Minute || d > 11*time.Minute {
		t.Errorf("expires_at %v is not 10 minutes away", tk.ExpiresAt)
	}
	// The person travels in signed headers, never in an address or key.
	for _, s := range []string{tk.Key, tk.UploadURL, tk.ResultURL, tk.ResultKey} {
		for _, pii := range []string{goodID, goodName, goodNameEnc, url.QueryEscape(goodNameEnc)} {
			if strings.Contains(s, pii) {
				t.Errorf("%q contains personal data", s)
			}
		}
	}
	for k, want := range map[string]string{"Content-Type": "image/jpeg", "X-Amz-Meta-Idcard": goodID, "X-Amz-Meta-Name": goodNameEnc} {
		if got := tk.UploadHeaders[k]; got != want {
			t.Errorf("upload_headers[%s] = %q, want %q (all: %v)", k, got, want, tk.UploadHeaders)
		}
	}
	if !strings.HasPrefix(tk.UploadHeaders["X-Amz-Meta-Faceid-Ticket"], "v1;") {
		t.Errorf("no ticket header in %v", tk.UploadHeaders)
	}
	signed, _ := url.Parse(tk.UploadURL)
	if sh := signed.Query().Get("X-Amz-SignedHeaders"); sh != "content-length;content-type;host;x-amz-meta-faceid-ticket;x-amz-meta-idcard;x-amz-meta-name" {
		t.Errorf("signed headers %q: want the size, the type and every metadata header", sh)
	}

	app := presignfixture.App(t)
	if st, _ := presignfixture.Do(t, app, http.MethodGet, tk.ResultURL, nil, nil); st != http.StatusNotFound {
		t.Errorf("result address before the upload: %d, want 404", st)
	}
	if _, err := is.Result(ctx, tk.Key); !errors.Is(err, upload.ErrNotFound) {
		t.Errorf("Result before the upload = %v, want ErrNotFound", err)
	}
	if st := presignfixture.Send(t, app, tk, e.photo, nil); st != http.StatusOK {
		t.Fatalf("upload answered %d", st)
	}
	// The notification twice, then the app uploading the same photo again
	// (a retry after a lost answer): one ticket, one paid call.
	for range 2 {
		if err := p.Process(ctx, s3Event(tk.Key, time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	if st := presignfixture.Send(t, app, tk, e.photo, nil); st != http.StatusOK {
		t.Fatalf("second upload answered %d", st)
	}
	if err := p.Process(ctx, s3Event(tk.Key, time.Now())); err != nil {
		t.Fatal(err)
	}
	if st := e.sb.Stats(); st.Billable != 1 {
		t.Errorf("billable calls = %d, want 1", st.Billable)
	}

	st, body := presignfixture.Do(t, app, http.MethodGet, tk.ResultURL, nil, nil)
	if st != http.StatusOK {
		t.Fatalf("result address: %d %s", st, body)
	}
	var r upload.Result
	if err := json.Unmarshal(body, &r); err != nil || r.Outcome != upload.OutcomeVerified || !r.Passed ||
		r.Person.IDCard != "110***********0011" || r.Person.Name != "张*" {
		t.Fatalf("result = %s (%v)", body, err)
	}
	for _, pii := range []string{goodID, goodName} {
		if strings.Contains(string(body), pii) {
			t.Errorf("result holds %q", pii)
		}
	}
	if got, err := is.Result(ctx, tk.Key); err != nil || !bytes.Equal(got, body) {
		t.Errorf("Result = %q, %v; want the stored object", got, err)
	}
}

// S3's own signature check is what refuses most of these in the cloud;
// gofakes3 checks no signatures, so here every one reaches the pipeline,
// which must refuse it before paying.
func TestTamperedIssuedUploadsCostNothing(t *testing.T) {
	big := func(e *env) []byte { return append(append([]byte{}, e.photo...), make([]byte, 1024)...) }
	tests := []struct {
		name   string
		size   bool                              // issue with the photo's size
		change func(e *env, h map[string]string) // the app's headers
		body   func(e *env) []byte
		late   time.Duration // event time after expiry
		cfg    func() upload.Config
		reason string
	}{
		{name: "another ID number", reason: "tampered",
			change: func(_ *env, h map[string]string) { h["X-Amz-Meta-Idcard"] = "440305199512120016" }},
		{name: "another name", reason: "tampered",
			change: func(_ *env, h map[string]string) { h["X-Amz-Meta-Name"] = "%E6%9D%8E%E5%9B%9B" }},
		{name: "ticket left out", reason: "ticket_missing",
			change: func(_ *env, h map[string]string) { delete(h, "X-Amz-Meta-Faceid-Ticket") }},
		{name: "expiry pushed back", reason: "tampered",
			change: func(_ *env, h map[string]string) {
				h["X-Amz-Meta-Faceid-Ticket"] = strings.Replace(h["X-Amz-Meta-Faceid-Ticket"], "exp=", "exp=9", 1)
			}},
		{name: "size limit raised", reason: "tampered", size: true,
			change: func(e *env, h map[string]string) {
				h["X-Amz-Meta-Faceid-Ticket"] = strings.Replace(h["X-Amz-Meta-Faceid-Ticket"], "max=", "max=9", 1)
			}, body: big},
		{name: "wrong content type", reason: "content_type",
			change: func(_ *env, h map[string]string) { h["Content-Type"] = "image/png" }},
		{name: "expired address", reason: "expired", late: time.Minute},
		{name: "body over the issued size", reason: "too_large", size: true, body: big},
		{name: "body over the intake limit", reason: "too_large",
			body: func(e *env) []byte { return make([]byte, 10<<20+1) }},
		{name: "pipeline without the MAC key", reason: "not_configured", cfg: func() upload.Config { return upload.Config{} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			client := e.client(t, core.Config{})
			is := e.issuer(t, client, issuedConfig(), nil)
			cfg := issuedConfig()
			if tt.cfg != nil {
				cfg = tt.cfg()
			}
			p := e.pipeline(t, cfg, client, nil)
			req := upload.IssueRequest{Name: goodName, IDCard: goodID}
			if tt.size {
				req.Size = int64(len(e.photo))
			}
			tk, err := is.Issue(context.Background(), req)
			if err != nil {
				t.Fatal(err)
			}
			h := maps.Clone(tk.UploadHeaders)
			if tt.change != nil {
				tt.change(e, h)
			}
			body := e.photo
			if tt.body != nil {
				body = tt.body(e)
			}
			if st := presignfixture.Send(t, presignfixture.App(t), tk, body, h); st != http.StatusOK {
				t.Fatalf("gofakes3 answered %d", st)
			}
			at := time.Now()
			if tt.late > 0 {
				at = tk.ExpiresAt.Add(tt.late)
			}
			if err := p.Process(context.Background(), s3Event(tk.Key, at)); err != nil {
				t.Fatal(err)
			}
			if st := e.sb.Stats(); st.Received != 0 {
				t.Errorf("the upstream received %d calls, want 0", st.Received)
			}
			r, raw := e.result(t, tk.Key)
			if r.Outcome != upload.OutcomeInvalid || r.Error == nil || r.Error.Field != "upload" || r.Error.Reason != tt.reason {
				t.Fatalf("result = %s, want invalid upload.%s", raw, tt.reason)
			}
			if r.Error.MessageEn == "" || !strings.Contains(r.Error.Message, "[upload]") {
				t.Errorf("result does not say why: %s", raw)
			}
			if e.count(t, "results/.claims/") != 0 {
				t.Error("a refused upload was claimed")
			}
		})
	}
}

// An upload a few seconds past its expiry, started while it was valid and
// announced once it finished, is still in time.
func TestIssuedUploadFinishingJustAfterExpiry(t *testing.T) {
	e := newEnv(t)
	client := e.client(t, core.Config{})
	tk, err := e.issuer(t, client, issuedConfig(), nil).Issue(context.Background(), upload.IssueRequest{Name: goodName, IDCard: goodID})
	if err != nil {
		t.Fatal(err)
	}
	if st := presignfixture.Send(t, presignfixture.App(t), tk, e.photo, nil); st != http.StatusOK {
		t.Fatal(st)
	}
	p := e.pipeline(t, issuedConfig(), client, nil)
	if err := p.Process(context.Background(), s3Event(tk.Key, tk.ExpiresAt.Add(10*time.Second))); err != nil {
		t.Fatal(err)
	}
	if r, raw := e.result(t, tk.Key); r.Outcome != upload.OutcomeVerified {
		t.Errorf("result = %s", raw)
	}
}

func TestIssueRefusesWhatVerifyRefuses(t *testing.T) {
	e := newEnv(t)
	client := e.client(t, core.Config{})
	counter := &presignfixture.Counter{Presigner: e.store}
	is := e.issuer(t, client, issuedConfig(), counter)
	tests := []struct {
		name          string
		req           upload.IssueRequest
		field, reason string
	}{
		{"bad checksum", upload.IssueRequest{Name: goodName, IDCard: "110101199003070012"}, "idcard", "checksum"},
		{"no ID", upload.IssueRequest{Name: goodName}, "idcard", ""},
		{"no name", upload.IssueRequest{IDCard: goodID}, "name", ""},
		{"gif", upload.IssueRequest{Name: goodName, IDCard: goodID, ContentType: "image/gif"}, "content_type", "unsupported"},
		{"parameters", upload.IssueRequest{Name: goodName, IDCard: goodID, ContentType: "image/jpeg; q=1"}, "content_type", "unsupported"},
		{"negative size", upload.IssueRequest{Name: goodName, IDCard: goodID, Size: -1}, "size", "format"},
		{"over the intake", upload.IssueRequest{Name: goodName, IDCard: goodID, Size: 50 << 20}, "size", "too_large"},
	}
	lim := client.Limits()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := is.Issue(context.Background(), tt.req)
			var ve *core.ValidationError
			if !errors.As(err, &ve) || ve.Field != tt.field || (tt.reason != "" && ve.Reason != tt.reason) {
				t.Fatalf("Issue = %v, want %s.%s", err, tt.field, tt.reason)
			}
			if tt.field == "idcard" || tt.field == "name" {
				// Exactly what a verification of the same person says.
				_, verr := core.Request{Name: tt.req.Name, IDCard: tt.req.IDCard, Image: e.photo}.Validate(context.Background(), lim, time.Now())
				if verr == nil || verr.Error() != err.Error() {
					t.Errorf("Issue says %v, Validate says %v", err, verr)
				}
			}
		})
	}
	if counter.Signed() != 0 {
		t.Errorf("%d uploads were presigned for refused requests", counter.Signed())
	}
	if e.sb.Stats().Received != 0 {
		t.Error("the upstream was called")
	}
	// Accepted: any declared type, in any case, and the key says which.
	for ct, ext := range map[string]string{"": ".jpg", "IMAGE/PNG": ".png", "image/bmp": ".bmp"} {
		tk, err := is.Issue(context.Background(), upload.IssueRequest{Name: goodName, IDCard: goodID, ContentType: ct})
		if err != nil || !strings.HasSuffix(tk.Key, ext) {
			t.Errorf("content type %q: key %q, %v", ct, tk.Key, err)
		}
	}
}

func TestResultReadsOnlyIssuedKeys(t *testing.T) {
	e := newEnv(t)
	is := e.issuer(t, e.client(t, core.Config{}), issuedConfig(), nil)
	// An ordinary upload's result exists, but it is not the flow's to show.
	if _, err := e.s3.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(testBucket), Key: aws.String("results/uploads/a.jpg.json"), Body: strings.NewReader("{}"),
	}); err != nil {
		t.Fatal(err)
	}
	id := strings.Repeat("a", 26)
	for _, key := range []string{
		"uploads/a.jpg", "results/uploads/a.jpg", "uploads/issued/" + id, "uploads/issued/" + id + ".gif",
		"uploads/issued/" + id + ".jpg/../../a.jpg", "uploads/issued/../a.jpg", "uploads/issued/" + strings.Repeat("A", 26) + ".jpg",
		"uploads/issued/" + strings.Repeat("1", 26) + ".jpg", "/uploads/issued/" + id + ".jpg", "",
	} {
		_, err := is.Result(context.Background(), key)
		var ve *core.ValidationError
		if !errors.As(err, &ve) || ve.Field != "key" {
			t.Errorf("Result(%q) = %v, want a key validation error", key, err)
		}
	}
	if _, err := is.Result(context.Background(), "uploads/issued/"+id+".png"); !errors.Is(err, upload.ErrNotFound) {
		t.Errorf("Result of an issued-shaped key without a result = %v", err)
	}
}

func TestIssueConfig(t *testing.T) {
	e := newEnv(t)
	client := e.client(t, core.Config{})
	if _, err := upload.NewIssuer(upload.Config{}, upload.IssueConfig{Bucket: testBucket}, client, e.store, e.store); err == nil ||
		!strings.Contains(err.Error(), "FACEID_UPLOAD_MAC_KEY") {
		t.Errorf("NewIssuer without a MAC key = %v", err)
	}
	for _, ic := range []upload.IssueConfig{
		{},
		{Bucket: "b", URLTTL: 8 * 24 * time.Hour},
		{Bucket: "b", URLTTL: time.Hour, ResultURLTTL: time.Minute},
	} {
		var ce *core.ConfigError
		if _, err := upload.NewIssuer(issuedConfig(), ic, client, e.store, e.store); !errors.As(err, &ce) {
			t.Errorf("NewIssuer(%+v) = %v, want a ConfigError", ic, err)
		}
	}
	is, err := upload.NewIssuer(issuedConfig(), upload.IssueConfig{Bucket: "b"}, client, e.store, e.store)
	if err != nil {
		t.Fatal(err)
	}
	if c := is.Config(); c.URLTTL != 10*time.Minute || c.ResultURLTTL != time.Hour {
		t.Errorf("defaults = %+v", c)
	}
}

// A ticket is one verification: the app uploading another photo to the
// same address (a retry with a new shot) is not paid for again.
func TestIssuedKeyIsPaidOnce(t *testing.T) {
	e := newEnv(t)
	client := e.client(t, core.Config{})
	tk, err := e.issuer(t, client, issuedConfig(), nil).Issue(context.Background(), upload.IssueRequest{Name: goodName, IDCard: goodID})
	if err != nil {
		t.Fatal(err)
	}
	p := e.pipeline(t, issuedConfig(), client, nil)
	app := presignfixture.App(t)
	// The second photo differs (bytes after the JPEG's end): another
	// object version to the store, the same ticket to the pipeline.
	for _, photo := range [][]byte{e.photo, append(append([]byte{}, e.photo...), 0)} {
		if st := presignfixture.Send(t, app, tk, photo, nil); st != http.StatusOK {
			t.Fatal(st)
		}
		if err := p.Process(context.Background(), s3Event(tk.Key, time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	if st := e.sb.Stats(); st.Billable != 1 {
		t.Errorf("billable calls = %d, want 1", st.Billable)
	}
	if r, raw := e.result(t, tk.Key); r.Outcome != upload.OutcomeVerified || r.Object.Size != int64(len(e.photo)) {
		t.Errorf("result = %s, want the first upload's", raw)
	}
}

// With an IdempotencyKey the key is a function of it and the fields,
// shaped like any issued key; without the MAC key no one can derive it.
func TestIssueWithIdempotencyKey(t *testing.T) {
	e := newEnv(t)
	client := e.client(t, core.Config{})
	is := e.issuer(t, client, issuedConfig(), nil)
	other := e.issuer(t, client, upload.Config{MACKey: presignfixture.MACKey + "-other"}, nil)
	req := upload.IssueRequest{Name: goodName, IDCard: goodID, IdempotencyKey: "order-1"}
	issue := func(is *upload.Issuer, r upload.IssueRequest) string {
		tk, err := is.Issue(context.Background(), r)
		if err != nil {
			t.Fatal(err)
		}
		return tk.Key
	}
	k := issue(is, req)
	if issue(is, req) != k {
		t.Error("the same request under the same key got another key")
	}
	if _, err := is.Result(context.Background(), k); !errors.Is(err, upload.ErrNotFound) {
		t.Errorf("Result(%s) = %v: a derived key must be an issued key", k, err)
	}
	for _, r := range []upload.IssueRequest{
		{Name: goodName, IDCard: goodID, IdempotencyKey: "order-2"},
		{Name: goodName, IDCard: goodID, IdempotencyKey: "order-1", Size: 100},
		{Name: goodName, IDCard: goodID, IdempotencyKey: "order-1", ContentType: "image/png"},
		{Name: "李四", IDCard: goodID, IdempotencyKey: "order-1"},
	} {
		if got := issue(is, r); got == k || strings.TrimSuffix(got, ".png") == strings.TrimSuffix(k, ".jpg") {
			t.Errorf("%+v got the key of another request", r)
		}
	}
	if issue(other, req) == k {
		t.Error("another MAC key derived the same key")
	}
}
