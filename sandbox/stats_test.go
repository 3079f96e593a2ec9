package sandbox_test

import (
	"encoding/json"
	"net/http"
	"sync"
	"testing"

	"github.com/faceid-verify/faceid/sandbox"
)

func TestStats(t *testing.T) {
	h := newHarness(t, sandbox.Config{Quota: 6})
	img := photo(t, "small-320x240.jpg")
	steps := []struct {
		name string
		send func() *answer
		want sandbox.Stats // the change this call makes
	}{
		{"unknown path is not a call", func() *answer {
			req, _ := http.NewRequest(http.MethodPost, h.ts.URL+"/release/other", nil)
			return h.do(req)
		}, sandbox.Stats{}},
		{"control plane is not a call", func() *answer {
			req, _ := http.NewRequest(http.MethodGet, h.ts.URL+"/_sandbox/stats", nil)
			return h.do(req)
		}, sandbox.Stats{}},
		{"wrong method", func() *answer {
			req := h.newRequest("", nil)
			req.Method = http.MethodGet
			return h.do(req)
		}, sandbox.Stats{Received: 1}},
		{"gateway rejection", func() *answer {
			req := h.newRequest("", nil)
			req.Header.Set("X-Source", "tampered")
			return h.do(req)
		}, sandbox.Stats{Received: 1}},
		{"seller 400", func() *answer { return h.postForm(form("", zhang, img, "")) }, sandbox.Stats{Received: 1, Authenticated: 1}},
		{"seller 604", func() *answer { return h.postForm(form("420102197503150173", "朱九", img, "")) }, sandbox.Stats{Received: 1, Authenticated: 1}},
		{"match", func() *answer { return h.postForm(form(zhangID, zhang, img, "")) }, sandbox.Stats{Received: 1, Authenticated: 1, Billable: 1}},
		{"101 is charged", func() *answer { return h.postForm(form(zhangID, "李四", img, "")) }, sandbox.Stats{Received: 1, Authenticated: 1, Billable: 1}},
		{"102 is charged", func() *answer { return h.postForm(form("110101199003070038", zhang, img, "")) }, sandbox.Stats{Received: 1, Authenticated: 1, Billable: 1}},
		{"112 is charged", func() *answer { return h.postForm(form(zhangID, zhang, "!!", "")) }, sandbox.Stats{Received: 1, Authenticated: 1, Billable: 1}},
		{"quota exhausted", func() *answer { return h.postForm(form(zhangID, zhang, img, "")) }, sandbox.Stats{Received: 1}},
	}
	for _, st := range steps {
		before := h.sb.Stats()
		st.send()
		after := h.sb.Stats()
		got := sandbox.Stats{Received: after.Received - before.Received,
			Authenticated: after.Authenticated - before.Authenticated, Billable: after.Billable - before.Billable}
		if got != st.want {
			t.Errorf("%s: stats changed by %+v, want %+v", st.name, got, st.want)
		}
	}

	// The control plane shows the same numbers, and resets them.
	req, _ := http.NewRequest(http.MethodGet, h.ts.URL+"/_sandbox/stats", nil)
	var viaHTTP sandbox.Stats
	if err := json.Unmarshal(h.do(req).body, &viaHTTP); err != nil || viaHTTP != h.sb.Stats() {
		t.Errorf("GET /_sandbox/stats = %+v (%v), want %+v", viaHTTP, err, h.sb.Stats())
	}
	req, _ = http.NewRequest(http.MethodDelete, h.ts.URL+"/_sandbox/stats", nil)
	if a := h.do(req); a.status != 200 || string(a.body) != `{"received":0,"authenticated":0,"billable":0}` {
		t.Errorf("DELETE /_sandbox/stats: %d %s", a.status, a.body)
	}
	req, _ = http.NewRequest(http.MethodPut, h.ts.URL+"/_sandbox/stats", nil)
	if a := h.do(req); a.status != 405 {
		t.Errorf("PUT /_sandbox/stats: %d", a.status)
	}
	req, _ = http.NewRequest(http.MethodGet, h.ts.URL+"/_sandbox/nothing", nil)
	if a := h.do(req); a.status != 404 {
		t.Errorf("GET /_sandbox/nothing: %d", a.status)
	}
}

func TestOrderNumbersUniqueUnderLoad(t *testing.T) {
	// The harness clock stands still: every call shares one instant, the
	// hardest case for uniqueness.
	h := newHarness(t, sandbox.Config{})
	const workers, each = 8, 25
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				_, v := h.postForm(form(zhangID, zhang, "", "https://example.com/a.jpg")).envelope()
				mu.Lock()
				if !isOrderNo(v.OrderNo) || seen[v.OrderNo] {
					t.Errorf("order number %q (duplicate: %v)", v.OrderNo, seen[v.OrderNo])
				}
				seen[v.OrderNo] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != workers*each {
		t.Errorf("%d order numbers, want %d", len(seen), workers*each)
	}
}
