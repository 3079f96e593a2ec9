package redisstate_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/state"
	"github.com/faceid-verify/faceid/state/redisstate"
	"github.com/faceid-verify/faceid/state/statetest"
)

func open(t *testing.T, raw string) (*redisstate.Store, error) {
	t.Helper()
	cfg, err := state.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return redisstate.Open(context.Background(), cfg.URL)
}

// One redis-server with a password: the contract, a wrong password, and
// the store going down under a client that was connected.
func TestRedis(t *testing.T) {
	srv := statetest.StartRedis(t, "--requirepass", "s3cret-pw")
	s, err := open(t, "redis://:s3cret-pw@"+srv.Addr+"/3")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	t.Run("contract", func(t *testing.T) { statetest.Run(t, s) })

	t.Run("wrong password fails the start, without repeating it", func(t *testing.T) {
		_, err := open(t, "redis://:not-the-pw@"+srv.Addr)
		if err == nil {
			t.Fatal("Open with a wrong password succeeded")
		}
		if strings.Contains(err.Error(), "not-the-pw") {
			t.Fatalf("the error shows the password: %v", err)
		}
		if !state.IsUnavailable(err) {
			t.Fatalf("Open: %v, want an UnavailableError", err)
		}
	})
	t.Run("down", func(t *testing.T) {
		srv.Stop()
		statetest.RunDown(t, s)
	})
}

func TestOpenUnreachable(t *testing.T) {
	_, err := open(t, "redis://:pw@127.0.0.1:1")
	if !state.IsUnavailable(err) {
		t.Fatalf("Open of a closed port: %v, want an UnavailableError", err)
	}
	if strings.Contains(err.Error(), "pw@") {
		t.Fatalf("the error shows the password: %v", err)
	}
}

// rediss:// speaks TLS and checks the server's certificate: a server
// with a certificate no CA vouches for is refused.
func TestTLSChecksCertificates(t *testing.T) {
	// Any TLS server will do: the handshake fails before Redis is spoken.
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	defer tlsSrv.Close()
	srv := tlsSrv.Listener.Addr().String()
	_, err := open(t, "rediss://:pw@"+srv)
	var u *state.UnavailableError
	if !errors.As(err, &u) || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("Open over TLS to an unknown certificate: %v, want a certificate error", err)
	}
}
