package s3store_test

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/faceid-verify/faceid/adapters/upload/s3store"
	"github.com/faceid-verify/faceid/internal/s3fake"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const bucket = "photos"

// newServer starts gofakes3 with one bucket and returns its URL and a
// client configured the way tests configure it explicitly.
func newServer(t *testing.T) (string, *s3.Client) {
	t.Helper()
	return s3fake.Start(t, bucket)
}

// TestLoadHonoursEndpointOverride builds the store the way the Lambda
// function does, from the SDK's environment, pointed at a local server.
func TestLoadHonoursEndpointOverride(t *testing.T) {
	url, _ := newServer(t)
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL_S3": url, "AWS_REGION": "us-east-1",
		"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
		// Keep the developer's own AWS files out of the test.
		"AWS_CONFIG_FILE": filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
	} {
		t.Setenv(k, v)
	}
	st, err := s3store.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ref := upload.Ref{Bucket: bucket, Key: "results/x.json"}
	if err := st.Put(context.Background(), ref, []byte(`{}`)); err != nil {
		t.Fatalf("Put through the env-configured client: %v", err)
	}
	if b, _, err := st.Get(context.Background(), ref, 100); err != nil || string(b) != "{}" {
		t.Fatalf("Get = %q, %v", b, err)
	}
}

func TestStore(t *testing.T) {
	_, c := newServer(t)
	st := s3store.New(c)
	ctx := context.Background()
	photo := bytes.Repeat([]byte{0xAB}, 1000)
	_, err := c.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String("uploads/a.jpg"), Body: bytes.NewReader(photo),
		Metadata: map[string]string{"IDCard": "110101199003070011", "name": "%E5%BC%A0%E4%B8%89"},
	})
	if err != nil {
		t.Fatal(err)
	}
	a := upload.Ref{Bucket: bucket, Key: "uploads/a.jpg"}

	b, info, err := st.Get(ctx, a, 1000)
	if err != nil || !bytes.Equal(b, photo) {
		t.Fatalf("Get = %d bytes, %v", len(b), err)
	}
	if info.Metadata["idcard"] != "110101199003070011" || info.Metadata["name"] != "%E5%BC%A0%E4%B8%89" || info.ETag == "" || info.LastModified.IsZero() {
		t.Errorf("info = %+v", info)
	}
	if h, err := st.Head(ctx, a); err != nil || h.ETag != info.ETag || h.Metadata["idcard"] == "" || h.Size != 1000 {
		t.Errorf("Head = %+v, %v", h, err)
	}
	if _, info, err := st.Get(ctx, a, 999); !errors.Is(err, upload.ErrTooLarge) || info.Metadata["idcard"] == "" {
		t.Errorf("Get over the limit = %v (info %+v), want ErrTooLarge with metadata", err, info)
	}
	missing := upload.Ref{Bucket: bucket, Key: "uploads/none.jpg"}
	if _, _, err := st.Get(ctx, missing, 10); !errors.Is(err, upload.ErrNotFound) {
		t.Errorf("Get missing = %v", err)
	}
	if _, err := st.Head(ctx, missing); !errors.Is(err, upload.ErrNotFound) {
		t.Errorf("Head missing = %v", err)
	}
	if _, _, err := st.Get(ctx, upload.Ref{Bucket: "no-such-bucket", Key: "k"}, 10); err == nil || errors.Is(err, upload.ErrNotFound) {
		t.Errorf("Get from a missing bucket = %v, want an error other than ErrNotFound", err)
	}

	claim := upload.Ref{Bucket: bucket, Key: "results/.claims/c.json"}
	if err := st.Create(ctx, claim, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := st.Create(ctx, claim, []byte("two")); !errors.Is(err, upload.ErrExists) {
		t.Fatalf("second Create = %v, want ErrExists", err)
	}
	if b, _, _ := st.Get(ctx, claim, 10); string(b) != "one" {
		t.Errorf("claim body = %q, want the first writer's", b)
	}
	if err := st.Put(ctx, claim, []byte("three")); err != nil {
		t.Fatal(err)
	}
	for _, r := range []upload.Ref{claim, a, missing} {
		if err := st.Delete(ctx, r); err != nil {
			t.Errorf("Delete(%s) = %v", r.Key, err)
		}
	}
	if _, err := st.Head(ctx, a); !errors.Is(err, upload.ErrNotFound) {
		t.Errorf("Head after Delete = %v", err)
	}
	if err := upload.ProbeCreate(ctx, st, upload.Ref{Bucket: bucket, Key: "results/.claims/probe"}); err != nil {
		t.Errorf("ProbeCreate = %v", err)
	}
}

func TestConcurrentCreateHasOneWinner(t *testing.T) {
	_, c := newServer(t)
	st := s3store.New(c)
	ref := upload.Ref{Bucket: bucket, Key: "results/.claims/race.json"}
	var won, lost atomic.Int64
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			switch err := st.Create(context.Background(), ref, []byte("x")); {
			case err == nil:
				won.Add(1)
			case errors.Is(err, upload.ErrExists):
				lost.Add(1)
			default:
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if won.Load() != 1 || lost.Load() != 19 {
		t.Errorf("won %d, lost %d; want 1 and 19", won.Load(), lost.Load())
	}
}

func TestVersionedBucket(t *testing.T) {
	_, c := newServer(t)
	ctx := context.Background()
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
		Bucket: aws.String(bucket), VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled},
	}); err != nil {
		t.Fatal(err)
	}
	var versions []string
	for _, body := range []string{"first", "second"} {
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("uploads/v.jpg"), Body: bytes.NewReader([]byte(body))})
		if err != nil {
			t.Fatal(err)
		}
		versions = append(versions, aws.ToString(out.VersionId))
	}
	st := s3store.New(c)
	b, info, err := st.Get(ctx, upload.Ref{Bucket: bucket, Key: "uploads/v.jpg", VersionID: versions[0]}, 100)
	if err != nil || string(b) != "first" || info.VersionID != versions[0] {
		t.Fatalf("Get(first version) = %q, %+v, %v", b, info, err)
	}
	if err := st.Delete(ctx, upload.Ref{Bucket: bucket, Key: "uploads/v.jpg", VersionID: versions[0]}); err != nil {
		t.Fatal(err)
	}
	if b, _, err := st.Get(ctx, upload.Ref{Bucket: bucket, Key: "uploads/v.jpg"}, 100); err != nil || string(b) != "second" {
		t.Errorf("current version after deleting the first = %q, %v", b, err)
	}
}
