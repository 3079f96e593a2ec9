package httphandler

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/core/hmacauth"
	"github.com/faceid-verify/faceid/sandbox"
	"github.com/faceid-verify/faceid/state"
)

const (
	replayID  = "client-id"
	replayKey = "client-secret"
)

// captured is one signed request as a client sent it (or an eavesdropper
// saw it): its headers, replayable with any body.
type captured http.Header

func capture(v hmacauth.Variant, at time.Time) captured {
	h := http.Header{}
	hmacauth.Sign(h, hmacauth.Credentials{SecretID: replayID, SecretKey: replayKey, Source: freshSource(), Variant: v}, at)
	return captured(h)
}

// send posts body under the captured headers.
func (c captured) send(h http.Handler, body string, extra ...string) (int, map[string]any, http.Header) {
	r := httptest.NewRequest("POST", "/release/face_id_card/post", strings.NewReader(body))
	for k, v := range c {
		r.Header[k] = v
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(extra); i += 2 {
		r.Header.Set(extra[i], extra[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	var m map[string]any
	json.Unmarshal(w.Body.Bytes(), &m)
	return w.Code, m, w.Result().Header
}

func orderNo(m map[string]any) any {
	d, _ := m["data"].(map[string]any)
	return d["order_no"]
}

// A captured drop-in signature is not a pass: the same signature with the
// same request is a retry, answered from the first answer without a
// second paid call (concurrent repeats included); with any other body, or
// another Idempotency-Key, it is refused before anything is paid. In
// every scheme.
func TestDropInReplay(t *testing.T) {
	for _, v := range []hmacauth.Variant{hmacauth.XDate, hmacauth.Date, hmacauth.CloudMarket} {
		t.Run(string(v), func(t *testing.T) {
			f := newFixture(t, sandbox.Config{}, core.Config{}, Options{ClientKeys: map[string]string{replayID: replayKey}})
			body := func(id, name string) string {
				return url.Values{"idcard": {id}, "name": {name}, "image": {f.photo}}.Encode()
			}
			billed := func() int64 { return f.sb.Stats().Billable }
			sig := capture(v, time.Now())

			status, first, _ := sig.send(f.handler, body(passID, "张三"))
			if status != 200 || billed() != 1 {
				t.Fatalf("first: %d %v, billed %d", status, first, billed())
			}
			status, again, hdr := sig.send(f.handler, body(passID, "张三"))
			if status != 200 || hdr.Get("Idempotent-Replayed") != "true" || orderNo(again) != orderNo(first) || billed() != 1 {
				t.Fatalf("retry: %d %v %v, billed %d", status, again, hdr, billed())
			}
			received := f.sb.Stats().Received
			for name, tc := range map[string]struct {
				body  string
				extra []string
			}{
				"another body":            {body("120101198506120022", "李四"), nil},
				"the same, reformatted":   {body(passID, "张三") + "&x=1", nil},
				"another Idempotency-Key": {body(passID, "张三"), []string{IdempotencyHeader, "new-key"}},
			} {
				status, m, _ := sig.send(f.handler, tc.body, tc.extra...)
				if status != 403 || m["message"] != MsgSignatureReused {
					t.Errorf("%s: %d %v, want 403 %q", name, status, m, MsgSignatureReused)
				}
			}
			if f.sb.Stats().Received != received || billed() != 1 {
				t.Fatalf("refused replays reached the upstream: billed %d", billed())
			}

			// Five copies of a new signed request at once: one paid call.
			sig = capture(v, time.Now().Add(time.Second)) // a signature of its own
			var wg sync.WaitGroup
			orders := make([]any, 5)
			for i := range orders {
				wg.Go(func() {
					status, m, _ := sig.send(f.handler, body(passID, "张三"))
					if status != 200 {
						t.Errorf("concurrent copy %d: %d %v", i, status, m)
					}
					orders[i] = orderNo(m)
				})
			}
			wg.Wait()
			if billed() != 2 {
				t.Errorf("five concurrent copies billed %d calls, want 1", billed()-1)
			}
			for _, o := range orders {
				if o != orders[0] {
					t.Errorf("copies answered differently: %v", orders)
				}
			}
		})
	}
}

// A signature used on a request the handler refused (bad input, free) is
// used up all the same: it cannot carry another body afterwards, and its
// retry is refused again for free.
func TestDropInReplayAfterRefusal(t *testing.T) {
	f := newFixture(t, sandbox.Config{}, core.Config{}, Options{ClientKeys: map[string]string{replayID: replayKey}})
	sig := capture(hmacauth.XDate, time.Now())
	bad := url.Values{"idcard": {"110101199003070012"}, "name": {"张三"}, "image": {f.photo}}.Encode()
	for i := range 2 {
		if status, m, _ := sig.send(f.handler, bad); status != 200 || m["code"] != float64(400) {
			t.Fatalf("bad input, try %d: %d %v", i+1, status, m)
		}
	}
	good := url.Values{"idcard": {passID}, "name": {"张三"}, "image": {f.photo}}.Encode()
	if status, m, _ := sig.send(f.handler, good); status != 403 {
		t.Fatalf("another body under a used signature: %d %v", status, m)
	}
	if n := f.sb.Stats().Received; n != 0 {
		t.Fatalf("the upstream saw %d requests", n)
	}
}

// Drop-in mode holds every scheme to a real date within 900 s, Date too;
// FACEID_LENIENT_DATE restores the gateway's leniency for Date, and the
// replay memory then keeps such a signature for the idempotency TTL.
func TestDropInDateRequired(t *testing.T) {
	dated := func(date string) captured {
		names := []string{"date", "source"}
		src := freshSource()
		sig := hmacauth.Signature(replayKey, hmacauth.SigningString(names, []string{date, src}))
		return captured{"Date": {date}, "Source": {src},
			"Authorization": {hmacauth.AuthorizationValue(replayID, "hmac-sha1", names, sig)}}
	}
	body := func(f *fixture) string {
		return url.Values{"idcard": {passID}, "name": {"张三"}, "image": {f.photo}}.Encode()
	}
	strict := newFixture(t, sandbox.Config{}, core.Config{}, Options{ClientKeys: map[string]string{replayID: replayKey}})
	for _, tc := range []struct {
		date string
		msg  string
	}{
		{"not a date at all", hmacauth.MsgBadDate},
		{hmacauth.FormatDate(time.Unix(0, 0)), hmacauth.MsgDateOutOfDate},
		{hmacauth.FormatDate(time.Now().Add(-16 * time.Minute)), hmacauth.MsgDateOutOfDate},
	} {
		if status, m, _ := dated(tc.date).send(strict.handler, body(strict)); status != 401 || m["message"] != tc.msg {
			t.Errorf("Date %q: %d %v, want 401 %q", tc.date, status, m, tc.msg)
		}
	}
	if n := strict.sb.Stats().Received; n != 0 {
		t.Fatalf("the upstream saw %d requests", n)
	}
	if status, _, _ := dated(hmacauth.FormatDate(time.Now())).send(strict.handler, body(strict)); status != 200 {
		t.Fatalf("a current Date: %d", status)
	}

	lenient := newFixture(t, sandbox.Config{}, core.Config{}, Options{ClientKeys: map[string]string{replayID: replayKey}, LenientDate: true})
	old := dated(hmacauth.FormatDate(time.Unix(0, 0)))
	if status, m, _ := old.send(lenient.handler, body(lenient)); status != 200 {
		t.Fatalf("lenient, 1970: %d %v", status, m)
	}
	other := url.Values{"idcard": {"120101198506120022"}, "name": {"李四"}, "image": {lenient.photo}}.Encode()
	if status, _, _ := old.send(lenient.handler, other); status != 403 || lenient.sb.Stats().Billable != 1 {
		t.Fatalf("lenient, replayed with another body: %d, billed %d", status, lenient.sb.Stats().Billable)
	}
}

// ttlStore records the time to live each claim asked for.
type ttlStore struct {
	ReplayStore
	mu   sync.Mutex
	ttls []time.Duration
}

func (s *ttlStore) Claim(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, []byte, error) {
	s.mu.Lock()
	s.ttls = append(s.ttls, ttl)
	s.mu.Unlock()
	return s.ReplayStore.Claim(ctx, key, value, ttl)
}

// A signature is remembered exactly until its date leaves the window,
// and the memory is the ReplayStore given, any state.Store among them.
func TestReplayMemoryLifetime(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	store := &ttlStore{ReplayStore: state.NewMemory(0, func() time.Time { return now })}
	f := newFixture(t, sandbox.Config{}, core.Config{}, Options{ClientKeys: map[string]string{replayID: replayKey},
		Now: func() time.Time { return now }, Replay: store})
	sig := capture(hmacauth.XDate, now.Add(-100*time.Second))
	body := url.Values{"idcard": {passID}, "name": {"张三"}, "image": {f.photo}}.Encode()
	if status, m, _ := sig.send(f.handler, body); status != 200 {
		t.Fatalf("%d %v", status, m)
	}
	if len(store.ttls) != 1 || store.ttls[0] != 800*time.Second {
		t.Fatalf("claims asked for %v, want one of 800s (the 900 s window less the date's age)", store.ttls)
	}
}

// failingStore is a replay memory that cannot be reached.
type failingStore struct{}

func (failingStore) Claim(context.Context, string, []byte, time.Duration) (bool, []byte, error) {
	return false, nil, &state.UnavailableError{Backend: "redis", Op: "claim", Err: errors.New("connection refused")}
}

// A replay memory that cannot be consulted fails closed: 503, nothing
// sent, and the answer says nothing was charged.
func TestReplayMemoryUnavailable(t *testing.T) {
	f := newFixture(t, sandbox.Config{}, core.Config{}, Options{ClientKeys: map[string]string{replayID: replayKey}, Replay: failingStore{}})
	body := url.Values{"idcard": {passID}, "name": {"张三"}, "image": {f.photo}}.Encode()
	status, m, _ := capture(hmacauth.XDate, time.Now()).send(f.handler, body)
	er, _ := m["error"].(map[string]any)
	if status != 503 || er["kind"] != "state_unavailable" || er["may_have_charged"] != false || f.sb.Stats().Received != 0 {
		t.Fatalf("%d %v, upstream saw %d", status, m, f.sb.Stats().Received)
	}
}
