package cosstore_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/faceid-verify/faceid/adapters/upload/cosstore"
	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/internal/cosfake"
	"github.com/faceid-verify/faceid/sandbox"
	"github.com/faceid-verify/faceid/state"
	"github.com/faceid-verify/faceid/state/redisstate"
	"github.com/faceid-verify/faceid/state/statetest"
	cos "github.com/tencentyun/cos-go-sdk-v5"
)

// claimStores are the shared stores the claims are tested on: memory
// always, Redis when redis-server is installed.
func claimStores(t *testing.T) map[string]func(t *testing.T) state.Store {
	return map[string]func(t *testing.T) state.Store{
		"memory": func(t *testing.T) state.Store { return state.NewMemory(0, nil) },
		"redis": func(t *testing.T) state.Store {
			srv := statetest.StartRedis(t)
			cfg, _ := state.Parse("redis://" + srv.Addr)
			s, err := redisstate.Open(context.Background(), cfg.URL)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		},
	}
}

// newClaimedStore is a store on f, served on loopback, whose claims are
// in claims (nil: x-cos-forbid-overwrite).
func newClaimedStore(t *testing.T, f *cosfake.Bucket, claims state.Store) *cosstore.Store {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	cfg := cosstore.Config{BaseURL: srv.URL, Credential: cos.NewTokenCredential("test-id", "test-key", "test-token")}
	if claims != nil {
		cfg.Claims, cfg.ClaimTTL = claims, time.Minute
	}
	st, err := cosstore.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// With a shared store, claims hold on a bucket that ignores
// x-cos-forbid-overwrite (one that ever had versioning), where the header
// alone would let every attempt through.
func TestClaimsInSharedStore(t *testing.T) {
	for name, open := range claimStores(t) {
		t.Run(name, func(t *testing.T) {
			f := cosfake.New()
			f.IgnoreForbid = true
			claims := open(t)
			st := newClaimedStore(t, f, claims)
			ctx := context.Background()
			if err := st.CheckCreate(ctx, upload.Ref{Bucket: bucket, Key: "results/.claims/probe"}); err != nil {
				t.Fatalf("CheckCreate = %v", err)
			}
			ref := upload.Ref{Bucket: bucket, Key: "results/.claims/c.json"}
			const n = 8
			var won atomic.Int32
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					err := st.Create(ctx, ref, []byte{'a' + byte(i)})
					switch {
					case err == nil:
						won.Add(1)
					case !errors.Is(err, upload.ErrExists):
						t.Errorf("Create = %v", err)
					}
				})
			}
			wg.Wait()
			if won.Load() != 1 {
				t.Fatalf("%d of %d concurrent creates won, want 1", won.Load(), n)
			}
			// The store forgets the claim (its time to live); the marker
			// in COS still refuses a late duplicate.
			if err := claims.Delete(ctx, "cos-claim:"+bucket+"/"+ref.Key); err != nil {
				t.Fatal(err)
			}
			if err := st.Create(ctx, ref, []byte("late")); !errors.Is(err, upload.ErrExists) {
				t.Fatalf("Create over a marker whose claim expired = %v, want ErrExists", err)
			}
			// Releasing removes marker and claim: a retry may claim again.
			if err := st.Delete(ctx, ref); err != nil {
				t.Fatal(err)
			}
			if err := st.Create(ctx, ref, []byte("retry")); err != nil {
				t.Fatalf("Create after release = %v", err)
			}
			if body, _ := f.Get(ref.Key); string(body) != "retry" {
				t.Errorf("marker = %q, want the retry's", body)
			}
		})
	}
}

// A store that cannot be reached fails the create: nothing is written and
// nothing will be paid on it.
func TestClaimsStoreDown(t *testing.T) {
	srv := statetest.StartRedis(t)
	cfg, _ := state.Parse("redis://" + srv.Addr)
	claims, err := redisstate.Open(context.Background(), cfg.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer claims.Close()
	f := cosfake.New()
	st := newClaimedStore(t, f, claims)
	srv.Stop()
	err = st.Create(context.Background(), upload.Ref{Bucket: bucket, Key: "results/.claims/c.json"}, []byte("x"))
	if !state.IsUnavailable(err) || errors.Is(err, upload.ErrExists) {
		t.Fatalf("Create with the store down = %v, want an UnavailableError", err)
	}
	if n := len(f.Keys("")); n != 0 {
		t.Errorf("%d objects written with the store down", n)
	}
}

// The whole pipeline on such a bucket: ten deliveries of one upload at
// once cost one paid call. Without the shared store the pipeline refuses
// the bucket (TestCheckCreateCatchesIgnoredHeader) and calls nothing.
func TestPipelineClaimsInRedis(t *testing.T) {
	open := claimStores(t)["redis"]
	f := cosfake.New()
	f.IgnoreForbid = true
	st := newClaimedStore(t, f, open(t))
	sb := sandbox.New(sandbox.Config{})
	up := httptest.NewServer(sb)
	t.Cleanup(func() { sb.Close(); up.Close() })
	client, err := core.New(core.Config{Endpoint: up.URL + "/release/face_id_card/post",
		SecretID: sandbox.DefaultSecretID, SecretKey: sandbox.DefaultSecretKey})
	if err != nil {
		t.Fatal(err)
	}
	defer client.CloseIdleConnections()
	log := slog.New(slog.NewJSONHandler(t.Output(), nil))
	p, err := upload.New(upload.Config{}, client, st, upload.WithLogger(log), upload.WithPollInterval(20*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	photo, err := os.ReadFile("../../../testdata/photos/small-320x240.jpg")
	if err != nil {
		t.Fatal(err)
	}
	f.Put("uploads/a.jpg", photo, map[string]string{"Idcard": "110101199003070011", "Name": "张三"})
	ev := upload.Event{Platform: upload.PlatformCOS, Bucket: bucket, Region: "ap-guangzhou", Key: "uploads/a.jpg",
		Size: int64(len(photo)), EventTime: time.Now()}
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if err := p.Process(context.Background(), ev); err != nil {
				t.Errorf("Process = %v", err)
			}
		})
	}
	wg.Wait()
	if s := sb.Stats(); s.Billable != 1 || s.Received != 1 {
		t.Errorf("sandbox stats = %+v, want one paid call", s)
	}
	if _, ok := f.Get("results/uploads/a.jpg.json"); !ok {
		t.Error("no result written")
	}
}
