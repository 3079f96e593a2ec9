package upload_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/faceid-verify/faceid/adapters/upload/s3store"
	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/internal/s3fake"
	"github.com/faceid-verify/faceid/sandbox"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	testBucket = "photos"
	goodID     = "110101199003070011"
	goodName   = "张三"
	// goodNameEnc is goodName percent-encoded, as S3 metadata needs it.
	goodNameEnc = "%E5%BC%A0%E4%B8%89"
)

// env is one test's world: the sandbox upstream and a gofakes3 S3 server,
// both over loopback, reached through the real SDK and core client.
type env struct {
	sb    *sandbox.Server
	sbURL string
	s3    *s3.Client
	store *s3store.Store
	photo []byte
}

func newEnv(t *testing.T) *env {
	t.Helper()
	sb := sandbox.New(sandbox.Config{})
	up := httptest.NewServer(sb)
	t.Cleanup(func() { sb.Close(); up.Close() })
	_, client := s3fake.Start(t, testBucket)
	photo, err := os.ReadFile("../../testdata/photos/small-320x240.jpg")
	if err != nil {
		t.Fatal(err)
	}
	return &env{sb: sb, sbURL: up.URL, s3: client, store: s3store.New(client), photo: photo}
}

// client builds a core client for endpoint (the sandbox unless given).
func (e *env) client(t *testing.T, cfg core.Config, opts ...core.Option) *core.Client {
	t.Helper()
	if cfg.Endpoint == "" {
		cfg.Endpoint = e.sbURL + "/release/face_id_card/post"
	}
	cfg.SecretID, cfg.SecretKey = sandbox.DefaultSecretID, sandbox.DefaultSecretKey
	c, err := core.New(cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *env) pipeline(t *testing.T, cfg upload.Config, c upload.Caller, store upload.Store, opts ...upload.Option) *upload.Pipeline {
	t.Helper()
	if c == nil {
		c = e.client(t, core.Config{})
	}
	if store == nil {
		store = e.store
	}
	// JSON logs go to the test's output: shown with -v or on failure.
	log := slog.New(slog.NewJSONHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	opts = append([]upload.Option{upload.WithPollInterval(20 * time.Millisecond), upload.WithLogger(log)}, opts...)
	p, err := upload.New(cfg, c, store, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// put uploads an object and returns the event an S3 adapter would build
// for it: no metadata, version and ETag from the notification.
func (e *env) put(t *testing.T, key string, body []byte, meta map[string]string) upload.Event {
	t.Helper()
	ctx := context.Background()
	out, err := e.s3.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(testBucket), Key: aws.String(key), Body: bytes.NewReader(body), Metadata: meta,
	})
	if err != nil {
		t.Fatal(err)
	}
	return upload.Event{
		Platform: upload.PlatformS3, Bucket: testBucket, Key: key,
		VersionID: aws.ToString(out.VersionId), ETag: aws.ToString(out.ETag),
		Size: int64(len(body)), EventTime: time.Now(),
	}
}

func person(id, name string) map[string]string {
	return map[string]string{"idcard": id, "name": name}
}

// result reads and decodes the result object of key.
func (e *env) result(t *testing.T, key string) (upload.Result, string) {
	t.Helper()
	b, _, err := e.store.Get(context.Background(), upload.Ref{Bucket: testBucket, Key: "results/" + key + ".json"}, 1<<20)
	if err != nil {
		t.Fatalf("result of %s: %v", key, err)
	}
	var r upload.Result
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r, string(b)
}

// count lists the keys under prefix.
func (e *env) count(t *testing.T, prefix string) int {
	t.Helper()
	out, err := e.s3.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(testBucket), Prefix: aws.String(prefix)})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.Contents)
}

func (e *env) exists(t *testing.T, key string) bool {
	t.Helper()
	_, err := e.store.Head(context.Background(), upload.Ref{Bucket: testBucket, Key: key})
	if err != nil && !errors.Is(err, upload.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// faultStore wraps a real store to inject the storage faults the sandbox
// and gofakes3 cannot produce: each func field, when set, runs instead.
type faultStore struct {
	upload.Store
	mu     sync.Mutex
	create func(ref upload.Ref, body []byte) error
	get    func(ref upload.Ref) error
	put    func(ref upload.Ref) error
	del    func(ref upload.Ref) error
}

func (f *faultStore) Delete(ctx context.Context, ref upload.Ref) error {
	f.mu.Lock()
	fn := f.del
	f.mu.Unlock()
	if fn != nil {
		return fn(ref)
	}
	return f.Store.Delete(ctx, ref)
}

func (f *faultStore) Create(ctx context.Context, ref upload.Ref, body []byte) error {
	f.mu.Lock()
	fn := f.create
	f.mu.Unlock()
	if fn != nil {
		return fn(ref, body)
	}
	return f.Store.Create(ctx, ref, body)
}

func (f *faultStore) Get(ctx context.Context, ref upload.Ref, max int64) ([]byte, upload.ObjectInfo, error) {
	f.mu.Lock()
	fn := f.get
	f.mu.Unlock()
	if fn != nil {
		if err := fn(ref); err != nil {
			return nil, upload.ObjectInfo{}, err
		}
	}
	return f.Store.Get(ctx, ref, max)
}

func (f *faultStore) Put(ctx context.Context, ref upload.Ref, body []byte) error {
	f.mu.Lock()
	fn := f.put
	f.mu.Unlock()
	if fn != nil {
		if err := fn(ref); err != nil {
			return err
		}
	}
	return f.Store.Put(ctx, ref, body)
}
