package core

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"image"
	"image/jpeg"
	"net/http/httptest"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/core/photo/decode"
	"github.com/faceid-verify/faceid/internal/photofixture"
)

// TestDamagedPhotosNeverCallUpstream sends each damaged photo every way a
// photo arrives — bytes, canonical base64 (checked as it is decoded),
// other base64 (decoded whole first) — and with a rewrite under the size
// limit: each is a "truncated" or "corrupt" image error and the upstream
// sees nothing. The whole photos pass and are sent.
func TestDamagedPhotosNeverCallUpstream(t *testing.T) {
	up := &upstream{}
	srv := httptest.NewServer(up)
	defer srv.Close()
	c, err := New(Config{Endpoint: srv.URL, SecretID: "test-id", SecretKey: testSecret, MaxImageBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	ways := map[string]func([]byte) Request{
		"bytes": func(b []byte) Request { return Request{Name: "张三", IDCard: testID, Image: b} },
		"base64": func(b []byte) Request {
			return Request{Name: "张三", IDCard: testID, ImageBase64: base64.StdEncoding.EncodeToString(b)}
		},
		"URL-safe b64": func(b []byte) Request {
			return Request{Name: "张三", IDCard: testID, ImageBase64: base64.RawURLEncoding.EncodeToString(b)}
		},
	}
	for name, img := range photofixture.Damaged(t) {
		for way, req := range ways {
			t.Run(name+"/"+way, func(t *testing.T) {
				_, err := c.Verify(context.Background(), req(img))
				var ve *ValidationError
				if !errors.As(err, &ve) || ve.Field != "image" || ve.Reason != "truncated" && ve.Reason != "corrupt" || MayHaveReached(err) {
					t.Fatalf("Verify = %v, want image truncated or corrupt", err)
				}
			})
		}
	}
	if n := up.hits.Load(); n != 0 {
		t.Fatalf("upstream saw %d damaged photos", n)
	}
	large, _ := os.ReadFile("../testdata/photos/large-exif.jpg")
	for way, req := range ways {
		for _, img := range [][]byte{testPhoto(t), large} {
			if _, err := c.Verify(context.Background(), req(img)); err != nil {
				t.Fatalf("%s: whole photo: %v", way, err)
			}
		}
	}
	if n := up.hits.Load(); n != 2*int64(len(ways)) {
		t.Fatalf("upstream saw %d whole photos, want %d", n, 2*len(ways))
	}
}

// TestRewriteDecodesOnce: a photo that is rewritten is decoded by the
// rewrite alone, not by the integrity check as well, neither as it came
// nor as rewritten. A grey JPEG stored sideways is turned upright into a
// colour JPEG of the same size: one decode (1 byte a pixel), an RGBA (4)
// and the encoder's buffer (under 1 for this smooth picture) fit the
// bound; decoding the output once more (1.5) would not.
func TestRewriteDecodesOnce(t *testing.T) {
	const w, h = 2000, 1500
	m := image.NewGray(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = byte(i%w/8 + i/w/8)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	// An APP1 Exif segment whose IFD0 holds orientation 6 (turn 90°).
	exif := []byte("\xFF\xE1\x00\x22Exif\x00\x00MM\x00\x2A\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x06\x00\x00\x00\x00\x00\x00")
	img := append(append(append([]byte{}, buf.Bytes()[:2]...), exif...), buf.Bytes()[2:]...)
	est, err := decode.EstimateOf(img)
	if err != nil {
		t.Fatal(err)
	}
	lim := Config{}.WithDefaults().Limits()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	c, err := Request{Name: "张三", IDCard: testID, Image: img}.Validate(context.Background(), lim, time.Now())
	runtime.ReadMemStats(&after)
	if err != nil || c.Info.Width != h || c.Info.Height != w {
		t.Fatalf("Validate = %v, %+v; want it turned upright", err, c.Info)
	}
	bound := est.Bytes + 5*w*h + 512<<10
	got := int64(after.TotalAlloc - before.TotalAlloc)
	t.Logf("allocated %.1f MB: decode %.1f MB, bound %.1f MB", float64(got)/1e6, float64(est.Bytes)/1e6, float64(bound)/1e6)
	if got > bound {
		t.Fatalf("validation allocated %d bytes, over one decode (%d) and the rewrite's buffers", got, est.Bytes)
	}
}

// TestRewriteWaitsForDecodeMemory: with the client's decode memory taken,
// a rewrite waits, and runs once it is free; when it cannot get it within
// FACEID_DECODE_WAIT, it is a BusyError and nothing is sent.
func TestRewriteWaitsForDecodeMemory(t *testing.T) {
	up := &upstream{}
	srv := httptest.NewServer(up)
	defer srv.Close()
	large, err := os.ReadFile("../testdata/photos/large-exif.jpg")
	if err != nil {
		t.Fatal(err)
	}
	req := Request{Name: "张三", IDCard: testID, Image: large}
	for _, wait := range []time.Duration{time.Hour, time.Millisecond} {
		c, err := New(Config{Endpoint: srv.URL, SecretID: "test-id", SecretKey: testSecret,
			MaxImageBytes: 1 << 20, DecodeMemory: 64 << 20, DecodeWait: wait})
		if err != nil {
			t.Fatal(err)
		}
		b := c.Limits().Decode
		hold, err := b.Reserve(context.Background(), b.Size())
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			_, err := c.Verify(context.Background(), req)
			done <- err
		}()
		if wait == time.Millisecond {
			err := <-done
			hold()
			var be *BusyError
			if c := Classify(nil, err); !errors.As(err, &be) || c.MayHaveReached || c.Status != 503 || c.Kind != "overloaded" {
				t.Fatalf("Verify = %v (%+v), want a BusyError, a 503 overloaded", err, c)
			}
			continue
		}
		for b.Waiting() != 1 {
			runtime.Gosched()
			time.Sleep(time.Millisecond)
		}
		if up.hits.Load() != 0 {
			t.Fatal("sent before the photo was checked")
		}
		hold()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if n := up.hits.Load(); n != 1 {
		t.Fatalf("upstream saw %d requests, want 1", n)
	}
}

// TestHangUpWhileWaitingForDecodeMemory: a caller who hangs up while its
// photo waits for decode memory is a ClientClosedError, as a hang-up
// before the call is, not an overload.
func TestHangUpWhileWaitingForDecodeMemory(t *testing.T) {
	up := &upstream{}
	srv := httptest.NewServer(up)
	defer srv.Close()
	c := newTestClient(t, srv.URL)
	b := c.Limits().Decode
	hold, err := b.Reserve(context.Background(), b.Size())
	if err != nil {
		t.Fatal(err)
	}
	defer hold()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.Verify(ctx, Request{Name: "张三", IDCard: testID, Image: testPhoto(t)})
		done <- err
	}()
	for b.Waiting() != 1 {
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
	cancel()
	err = <-done
	var cc *ClientClosedError
	if !errors.As(err, &cc) || MayHaveReached(err) || up.hits.Load() != 0 {
		t.Fatalf("Verify = %v, want a ClientClosedError and no call", err)
	}
}
