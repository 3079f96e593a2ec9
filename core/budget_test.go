package core

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/state"
)

// Clients that share a state store share one budget: two instances with a
// budget of 3 make 3 calls between them.
func TestDailyBudgetShared(t *testing.T) {
	up := &upstream{}
	srv := httptest.NewServer(up)
	defer srv.Close()
	shared := state.NewMemory(0, nil)
	req := Request{Name: "张三", IDCard: testID, Image: testPhoto(t)}
	var clients []*Client
	for range 2 {
		c, err := New(Config{Endpoint: srv.URL, SecretID: "test-id", SecretKey: testSecret, DailyBudget: 3}, WithState(shared))
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, c)
	}
	refused := 0
	for i := range 6 {
		_, err := clients[i%2].Verify(context.Background(), req)
		var be *BudgetError
		switch {
		case errors.As(err, &be):
			refused++
		case err != nil:
			t.Fatal(err)
		}
	}
	if up.hits.Load() != 3 || refused != 3 {
		t.Fatalf("%d calls made and %d refused, want 3 and 3", up.hits.Load(), refused)
	}
}

// downStore is a state store that cannot be reached.
type downStore struct{ state.Store }

func (downStore) Reserve(context.Context, string, int64, time.Time) (bool, error) {
	return false, &state.UnavailableError{Backend: "redis", Op: "reserve", Err: errors.New("connection refused")}
}

// A budget that cannot be consulted makes no call, and says so.
func TestDailyBudgetStoreDown(t *testing.T) {
	up := &upstream{}
	srv := httptest.NewServer(up)
	defer srv.Close()
	c, err := New(Config{Endpoint: srv.URL, SecretID: "test-id", SecretKey: testSecret, DailyBudget: 3}, WithState(downStore{}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Verify(context.Background(), Request{Name: "张三", IDCard: testID, Image: testPhoto(t)})
	if c := Classify(nil, err); !state.IsUnavailable(err) || c.MayHaveReached || c.Outcome != "state_unavailable" || c.Status != 503 {
		t.Fatalf("Verify = %v (%+v), want a state store error, nothing sent", err, c)
	}
	if up.hits.Load() != 0 {
		t.Fatalf("%d calls made with the budget unknown", up.hits.Load())
	}
}
