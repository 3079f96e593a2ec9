package main

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/faceid-verify/faceid/internal/cosfake"
	"github.com/faceid-verify/faceid/sandbox"
	"github.com/faceid-verify/faceid/state/statetest"
)

// With FACEID_STATE on Redis, the COS pipeline takes its claims from it:
// on a bucket that ignores x-cos-forbid-overwrite (one that ever had
// versioning), concurrent deliveries of one upload still pay once, where
// the header alone would make the pipeline refuse the bucket.
func TestCOSClaimsInRedis(t *testing.T) {
	srv := statetest.StartRedis(t)
	sb := sandbox.New(sandbox.Config{})
	up := httptest.NewServer(sb)
	t.Cleanup(func() { sb.Close(); up.Close() })
	bucket := cosfake.New()
	bucket.IgnoreForbid = true
	cosSrv := httptest.NewServer(bucket)
	t.Cleanup(cosSrv.Close)
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); strings.HasPrefix(name, "FACEID_") || strings.HasPrefix(name, "TENCENTCLOUD_") {
			t.Setenv(name, "")
			os.Unsetenv(name)
		}
	}
	for k, v := range map[string]string{
		"FACEID_ENDPOINT":  up.URL + "/release/face_id_card/post",
		"FACEID_SECRET_ID": sandbox.DefaultSecretID, "FACEID_SECRET_KEY": sandbox.DefaultSecretKey,
		"FACEID_COS_BASE_URL": cosSrv.URL, "TENCENTCLOUD_SECRETID": "AKIDtemporary", "TENCENTCLOUD_SECRETKEY": "temporary",
		"FACEID_STATE": "redis://" + srv.Addr,
	} {
		t.Setenv(k, v)
	}
	p, err := fromEnv(slog.New(slog.DiscardHandler)).pipeline(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	photo, err := os.ReadFile("../../testdata/photos/small-320x240.jpg")
	if err != nil {
		t.Fatal(err)
	}
	bucket.Put("uploads/a.jpg", photo, map[string]string{"idcard": photoID, "name": "张三"})
	ev := upload.Event{Platform: upload.PlatformCOS, Bucket: "photos-1250000000", Region: "ap-guangzhou",
		Key: "uploads/a.jpg", Size: int64(len(photo)), EventTime: time.Now()}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if err := p.Process(context.Background(), ev); err != nil {
				t.Errorf("Process = %v", err)
			}
		})
	}
	wg.Wait()
	if s := sb.Stats(); s.Billable != 1 {
		t.Fatalf("four deliveries billed %d calls, want 1", s.Billable)
	}
}
