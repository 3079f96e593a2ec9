package httphandler

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/core/hmacauth"
	"github.com/faceid-verify/faceid/metrics"
	"github.com/faceid-verify/faceid/sandbox"
)

func signAs(r *http.Request, id, key string, v hmacauth.Variant) *http.Request {
	hmacauth.Sign(r.Header, hmacauth.Credentials{SecretID: id, SecretKey: key, Source: "market", Variant: v}, time.Now())
	return r
}

// raw serves r and returns the status and the body's exact bytes.
func raw(h http.Handler, r *http.Request) (int, string) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	b, _ := io.ReadAll(w.Result().Body)
	return w.Code, string(b)
}

// In drop-in mode an unknown SecretId is answered exactly as a wrong
// signature, in every scheme, so a prober cannot tell which ids exist.
// (The sandbox answers as the gateway documents: see its own tests.)
func TestDropInUnknownKeyIsAWrongSignature(t *testing.T) {
	f := newFixture(t, sandbox.Config{}, core.Config{}, Options{ClientKeys: map[string]string{"client-id": "client-secret"}})
	for _, v := range []hmacauth.Variant{hmacauth.XDate, hmacauth.Date, hmacauth.CloudMarket} {
		t.Run(string(v), func(t *testing.T) {
			wrongStatus, wrongBody := raw(f.handler, signAs(jsonReq("/verify", map[string]string{"idcard": passID}), "client-id", "not-the-secret", v))
			unknownStatus, unknownBody := raw(f.handler, signAs(jsonReq("/verify", map[string]string{"idcard": passID}), "no-such-id", "client-secret", v))
			if wrongStatus != 403 || unknownStatus != wrongStatus || unknownBody != wrongBody {
				t.Fatalf("wrong signature %d %s; unknown id %d %s", wrongStatus, wrongBody, unknownStatus, unknownBody)
			}
			if okStatus, body := raw(f.handler, signAs(jsonReq("/verify", map[string]string{"idcard": passID}), "client-id", "client-secret", v)); okStatus != 400 {
				t.Fatalf("signed: %d %s, want the handler's own 400 for the bad body", okStatus, body)
			}
		})
	}
	if n := f.sb.Stats().Received; n != 0 {
		t.Fatalf("the upstream saw %d requests", n)
	}
}

// In drop-in mode /metrics wants a client signature like the API; without
// client keys it stays open (the local server on loopback).
func TestDropInMetricsSigned(t *testing.T) {
	reg, err := metrics.New(metrics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, sandbox.Config{}, core.Config{}, Options{ClientKeys: map[string]string{"client-id": "client-secret"},
		MetricsHandler: reg.Handler()})
	get := func() *http.Request { return httptest.NewRequest("GET", "/metrics", nil) }
	for _, tc := range []struct {
		name   string
		req    *http.Request
		status int
	}{
		{"unsigned", get(), 401},
		{"wrong signature", signAs(get(), "client-id", "nope", hmacauth.XDate), 403},
		{"unknown id", signAs(get(), "other", "client-secret", hmacauth.XDate), 403},
		{"signed", signAs(get(), "client-id", "client-secret", hmacauth.XDate), 200},
		{"signed, Cloud Market scheme", signAs(get(), "client-id", "client-secret", hmacauth.CloudMarket), 200},
	} {
		if status, body := raw(f.handler, tc.req); status != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, status, body, tc.status)
		}
	}
	open := newFixture(t, sandbox.Config{}, core.Config{}, Options{MetricsHandler: reg.Handler()})
	if status, _ := raw(open.handler, get()); status != 200 {
		t.Errorf("without client keys: %d", status)
	}
}

var sources atomic.Int64

// freshSource is a signature watermark no other test request uses.
func freshSource() string { return "market-" + strconv.FormatInt(sources.Add(1), 10) }
