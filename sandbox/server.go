package sandbox

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"maps"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/faceid-verify/faceid/core/hmacauth"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultSecretID      = "sandbox-secret-id"
	DefaultSecretKey     = "sandbox-secret-key"
	DefaultMaxImageBytes = 3 << 20 // 3 MB: the seller's photo limit (incorrect 108)
	// minBodyBytes bounds a request body; it grows with MaxImageBytes so a
	// base64 photo just under the image limit still fits.
	minBodyBytes = 8 << 20
)

// Config configures a Server. The zero value is usable: every zero field
// takes the default documented on it.
type Config struct {
	// Keys maps SecretId to SecretKey. Default: sandbox-secret-id →
	// sandbox-secret-key.
	Keys map[string]string
	// Now is the clock for X-Date checks, the Date header, rate windows
	// and order numbers. Default: time.Now.
	Now func() time.Time
	// ClockSkew shifts that clock, as a gateway whose clock is off would
	// be, so clients' clock-skew handling can be tested. Default: 0.
	ClockSkew time.Duration
	// Identities is the table answers come from. Default: DefaultIdentities.
	Identities []Identity
	// MaxImageBytes is the seller's photo size limit; bigger photos get
	// incorrect 108. Default: 3 MB.
	MaxImageBytes int
	// RateLimit is authenticated requests per second per key; 0 = none.
	RateLimit int
	// Quota is total authenticated calls per key; 0 = none.
	Quota int
	// Logger receives one JSON line per request. Default: discard.
	Logger *slog.Logger
}

// Server emulates the gateway and the seller. It is an http.Handler, safe
// for concurrent use.
type Server struct {
	keys     map[string]string
	now      func() time.Time
	ids      map[string]Identity
	maxImage int
	maxBody  int64
	log      *slog.Logger
	verifier hmacauth.Verifier
	limits   *limiter
	faults   faultQueue
	orders   orderNumbers
	fetch    *http.Client

	received, authenticated, billable atomic.Int64

	stop     chan struct{} // closed by Close to release held requests
	stopOnce sync.Once
}

// New builds a Server from cfg. Invalid identity entries are logged and
// skipped; use LoadIdentities or ValidateIdentities to see why up front.
func New(cfg Config) *Server {
	s := &Server{
		keys:     maps.Clone(cfg.Keys),
		now:      cfg.Now,
		maxImage: cfg.MaxImageBytes,
		log:      cfg.Logger,
		stop:     make(chan struct{}),
	}
	if len(s.keys) == 0 {
		s.keys = map[string]string{DefaultSecretID: DefaultSecretKey}
	}
	if s.now == nil {
		s.now = time.Now
	}
	if skew, base := cfg.ClockSkew, s.now; skew != 0 {
		s.now = func() time.Time { return base().Add(skew) }
	}
	if s.maxImage <= 0 {
		s.maxImage = DefaultMaxImageBytes
	}
	// Twice the image limit covers base64 (4/3) plus form percent-encoding.
	s.maxBody = max(int64(minBodyBytes), 2*int64(s.maxImage)+64<<10)
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.verifier = hmacauth.Verifier{Lookup: s.lookupKey, Now: s.now}
	s.limits = newLimiter(max(cfg.RateLimit, 0), max(cfg.Quota, 0))
	s.fetch = newLoopbackClient()
	s.ids = s.indexIdentities(cfg.Identities)
	return s
}

func (s *Server) lookupKey(id string) (string, bool) {
	k, ok := s.keys[id]
	return k, ok
}

func (s *Server) indexIdentities(in []Identity) map[string]Identity {
	if in == nil {
		in = DefaultIdentities()
	}
	out := make(map[string]Identity, len(in))
	for i, raw := range in {
		// Birth dates are checked against the real date, not the injected
		// clock: a test clock in 1970 must not empty the table.
		if err := ValidateIdentities([]Identity{raw}, time.Now()); err != nil {
			s.log.Warn("sandbox: skipping invalid identity", "index", i, "error", err.Error())
			continue
		}
		id := withDefaults(raw)
		if _, dup := out[id.IDCard]; dup {
			s.log.Warn("sandbox: skipping duplicate identity", "index", i, "idcard", maskID(id.IDCard))
			continue
		}
		out[id.IDCard] = id
	}
	return out
}

// Close releases requests held by latency, slow_body and stall faults, so
// an httptest.Server wrapping s can shut down: delayed answers go out at
// once and stalls end with a short body. s keeps serving afterwards, but
// no fault holds a request any more.
func (s *Server) Close() {
	s.stopOnce.Do(func() { close(s.stop) })
}

// controlPrefix is the emulator's own control plane; the real gateway has
// no such paths.
const controlPrefix = "/_sandbox/"

// ServeHTTP routes a request to the control plane or the emulated API. Every
// response carries an X-Api-RequestId header, as the gateway's do, and a
// Date from the server's clock (shifted by ClockSkew), which is what a
// client compares its own clock with.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rid := newRequestID()
	// Set without canonicalising, so the name goes out spelt as the
	// gateway spells it (net/http would send X-Api-Requestid).
	w.Header()["X-Api-RequestId"] = []string{rid}
	w.Header().Set("Date", s.now().UTC().Format(http.TimeFormat))
	if strings.HasPrefix(r.URL.Path, controlPrefix) {
		s.serveControl(w, r)
		return
	}
	if g, ok := apiRoute(r.URL.Path); ok {
		s.serveAPI(w, r, rid, g)
		return
	}
	writeGatewayError(w, http.StatusNotFound, "There is no api match uri["+r.URL.Path+"]")
}

// apiRoute tells which gateway serves path: the legacy gateway's three
// environments on its default domain, or the Cloud Market gateway's
// /service-<id>/ prefix (gateway-auth.md §4b), where the id is any 8
// lower-case letters or digits.
func apiRoute(path string) (hmacauth.Gateway, bool) {
	switch path {
	case "/release/face_id_card/post", "/test/face_id_card/post", "/prepub/face_id_card/post":
		return hmacauth.LegacyGateway, true
	}
	id, ok := strings.CutPrefix(path, "/service-")
	if ok && len(id) > 8 && id[8:] == "/face_id_card/post" && isServiceID(id[:8]) {
		return hmacauth.CloudMarketGateway, true
	}
	return 0, false
}

// isServiceID reports whether s is all lower-case ASCII letters and digits.
func isServiceID(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// newRequestID returns 32 hex characters, like the gateway's request ids.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never returns an error since Go 1.24
	return hex.EncodeToString(b[:])
}
