package cosstore_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/faceid-verify/faceid/adapters/upload/cosstore"
	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/internal/cosfake"
	cos "github.com/tencentyun/cos-go-sdk-v5"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const bucket = "photos-1250000000"

// newStore is a store on f, served on loopback, claiming with
// x-cos-forbid-overwrite.
func newStore(t *testing.T, f *cosfake.Bucket) *cosstore.Store {
	t.Helper()
	return newClaimedStore(t, f, nil)
}

func TestStore(t *testing.T) {
	f := cosfake.New()
	st := newStore(t, f)
	ctx := context.Background()
	photo := bytes.Repeat([]byte{0xCD}, 500)
	f.Put("uploads/张三.jpg", photo, map[string]string{"Idcard": "110101199003070011", "Name": "张三"})
	a := upload.Ref{Bucket: bucket, Region: "ap-guangzhou", Key: "uploads/张三.jpg"}

	b, info, err := st.Get(ctx, a, 500)
	if err != nil || !bytes.Equal(b, photo) {
		t.Fatalf("Get = %d bytes, %v", len(b), err)
	}
	if info.Metadata["idcard"] != "110101199003070011" || info.Metadata["name"] != "张三" || info.ETag == "" || info.LastModified.IsZero() {
		t.Errorf("info = %+v, want raw UTF-8 metadata kept", info)
	}
	if h, err := st.Head(ctx, a); err != nil || h.Size != 500 || h.Metadata["name"] != "张三" {
		t.Errorf("Head = %+v, %v", h, err)
	}
	if _, _, err := st.Get(ctx, a, 499); !errors.Is(err, upload.ErrTooLarge) {
		t.Errorf("Get over the limit = %v", err)
	}
	missing := upload.Ref{Bucket: bucket, Key: "uploads/none.jpg"}
	if _, _, err := st.Get(ctx, missing, 10); !errors.Is(err, upload.ErrNotFound) {
		t.Errorf("Get missing = %v", err)
	}
	if _, err := st.Head(ctx, missing); !errors.Is(err, upload.ErrNotFound) {
		t.Errorf("Head missing = %v", err)
	}

	claim := upload.Ref{Bucket: bucket, Key: "results/.claims/c.json"}
	if err := st.Create(ctx, claim, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := st.Create(ctx, claim, []byte("two")); !errors.Is(err, upload.ErrExists) {
		t.Fatalf("second Create = %v, want ErrExists (x-cos-forbid-overwrite sent?)", err)
	}
	if body, _ := f.Get("results/.claims/c.json"); string(body) != "one" {
		t.Errorf("claim = %q, want the first writer's", body)
	}
	if err := st.Put(ctx, claim, []byte("three")); err != nil {
		t.Fatal(err)
	}
	if err := st.CheckCreate(ctx, upload.Ref{Bucket: bucket, Key: "results/.claims/probe"}); err != nil {
		t.Errorf("CheckCreate = %v", err)
	}
	for _, r := range []upload.Ref{claim, a, missing} {
		if err := st.Delete(ctx, r); err != nil {
			t.Errorf("Delete(%s) = %v", r.Key, err)
		}
	}
	if n := len(f.Keys("")); n != 0 {
		t.Errorf("%d objects left", n)
	}
	if token, auth := f.LastCredentials(); token != "test-token" || !strings.Contains(auth, "q-ak=test-id") {
		t.Errorf("request signed with token %q, auth %q", token, auth)
	}
}

func TestCheckCreateCatchesIgnoredHeader(t *testing.T) {
	f := cosfake.New()
	f.IgnoreForbid = true
	st := newStore(t, f)
	err := st.CheckCreate(context.Background(), upload.Ref{Bucket: bucket, Key: "results/.claims/probe"})
	if !errors.Is(err, upload.ErrNoConditionalCreate) {
		t.Fatalf("CheckCreate on a bucket that overwrites = %v", err)
	}
	if n := len(f.Keys("")); n != 0 {
		t.Errorf("probe left %d objects", n)
	}
}

// TestEnvCredentialsAreReadPerRequest: SCF sets the role's temporary keys
// before each invocation, so a long-lived store must not cache them.
func TestEnvCredentialsAreReadPerRequest(t *testing.T) {
	f := cosfake.New()
	srv := httptest.NewServer(f)
	defer srv.Close()
	t.Setenv(cosstore.EnvSecretID, "role-id-1")
	t.Setenv(cosstore.EnvSecretKey, "role-key-1")
	t.Setenv(cosstore.EnvSessionToken, "token-1")
	st, err := cosstore.New(cosstore.Config{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	ref := upload.Ref{Bucket: bucket, Key: "results/x.json"}
	for _, token := range []string{"token-1", "token-2"} {
		t.Setenv(cosstore.EnvSessionToken, token)
		if err := st.Put(context.Background(), ref, []byte("{}")); err != nil {
			t.Fatal(err)
		}
		if got, _ := f.LastCredentials(); got != token {
			t.Errorf("signed with token %q, want %q", got, token)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  cosstore.Config
		role string // TENCENTCLOUD_SECRETID
	}{
		{"plain http to a remote host", cosstore.Config{BaseURL: "http://cos.example.com"}, "id"},
		{"base URL with a path", cosstore.Config{BaseURL: "https://cos.example.com/bucket"}, "id"},
		{"no role keys", cosstore.Config{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(cosstore.EnvSecretID, tt.role)
			var ce *core.ConfigError
			if _, err := cosstore.New(tt.cfg); !errors.As(err, &ce) {
				t.Errorf("New() = %v, want a ConfigError", err)
			}
		})
	}
	t.Setenv(cosstore.EnvSecretID, "id")
	if _, err := cosstore.New(cosstore.Config{}); err != nil {
		t.Errorf("New() with the role's keys = %v", err)
	}
}

// roundTripFunc answers requests without a network.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestBucketURLFromEventRegion(t *testing.T) {
	tests := []struct{ region, host string }{
		{"ap-guangzhou", "photos-1250000000.cos.ap-guangzhou.myqcloud.com"},
		{"gz", "photos-1250000000.cos.ap-guangzhou.myqcloud.com"},
		{"cd", "photos-1250000000.cos.ap-chengdu.myqcloud.com"},
		{"tj", "photos-1250000000.cos.ap-beijing-1.myqcloud.com"},
	}
	for _, tt := range tests {
		var host string
		st, err := cosstore.New(cosstore.Config{
			Credential: cos.NewTokenCredential("id", "key", ""),
			Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
				host = r.URL.Scheme + "://" + r.URL.Host
				return &http.Response{StatusCode: http.StatusNotFound, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
			}),
		})
		if err != nil {
			t.Fatal(err)
		}
		_, err = st.Head(context.Background(), upload.Ref{Bucket: bucket, Region: tt.region, Key: "uploads/a.jpg"})
		if !errors.Is(err, upload.ErrNotFound) || host != "https://"+tt.host {
			t.Errorf("region %q: requested %q (%v), want https://%s", tt.region, host, err, tt.host)
		}
	}
	st, _ := cosstore.New(cosstore.Config{Credential: cos.NewTokenCredential("id", "key", "")})
	if _, err := st.Head(context.Background(), upload.Ref{Bucket: bucket, Region: "zz", Key: "a"}); err == nil {
		t.Error("an unknown short region was accepted")
	}
}
