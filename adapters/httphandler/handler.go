// Package httphandler is the function's one HTTP face. The local server serves
// it directly, and every cloud adapter (SCF Function URL and API Gateway,
// Lambda REST, HTTP API and Function URL) translates its events into calls
// of the same http.Handler, so all of them behave identically.
package httphandler

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/core/hmacauth"
	"github.com/faceid-verify/faceid/state"
)

// Verifier is what the handler needs from the core: *core.Client satisfies it.
type Verifier interface {
	Verify(ctx context.Context, req core.Request) (*core.Result, error)
	// Reject counts a request refused before Verify (a body that cannot
	// be parsed) as an avoided call, where Verify counts its own.
	Reject(err error) error
}

// DefaultMaxBody bounds an inbound body before it is buffered. SCF's
// synchronous payloads stop at 6 MB, and a 3 MB photo is 4 MB in base64.
const DefaultMaxBody = 6 << 20

// Options configure the handler.
type Options struct {
	Verifier Verifier
	Logger   *slog.Logger
	// ClientKeys, when set, turns on drop-in mode: callers must sign like
	// the gateway does, with one of these SecretId→SecretKey pairs.
	ClientKeys map[string]string
	// Now is the clock for inbound signature checks; nil means time.Now.
	Now     func() time.Time
	MaxBody int64
	// MetricsHandler, when set, serves GET /metrics (the local server).
	MetricsHandler http.Handler
	// State holds the Idempotency-Key answers and, unless Replay is set,
	// the drop-in replay memory: a store shared by every instance
	// (FACEID_STATE) covers retries and replays that land on another one.
	// Nil means this process's memory, of at most IdempotencyEntries
	// records for the answers.
	State state.Store
	// IdempotencyEntries bounds that memory (default 4096; negative turns
	// Idempotency-Key off); IdempotencyTTL is how long an answer is kept
	// (default 24h).
	IdempotencyEntries int
	IdempotencyTTL     time.Duration
	// MaxConcurrent, when positive, bounds the requests in flight; beyond
	// it the answer is 503 (limits.go).
	MaxConcurrent int
	// Replay remembers drop-in signatures until their window ends
	// (replay.go); nil means State, or else this instance's memory.
	// LenientDate accepts Date-signed requests without a date window, as
	// the legacy gateway does; such a signature is then remembered for
	// IdempotencyTTL.
	Replay      ReplayStore
	LenientDate bool
	// Uploads, when set, serves POST /uploads and GET /results/{key}, the
	// presigned-upload flow (uploads.go).
	Uploads Uploads
}

// Handler serves the verification API.
type Handler struct {
	opts     Options
	verifier *hmacauth.Verifier
	mux      *http.ServeMux
	idem     *idempotency
	// redact takes the client keys out of upstream text (answer.redacted).
	redact *strings.Replacer
	gate   gate
	sigs   ReplayStore
}

// New builds the handler.
func New(opts Options) *Handler {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	h := &Handler{opts: opts, mux: http.NewServeMux(), gate: newGate(opts.MaxConcurrent)}
	if opts.IdempotencyEntries >= 0 {
		n, ttl, now := opts.IdempotencyEntries, opts.IdempotencyTTL, opts.Now
		if n == 0 {
			n = 4096
		}
		if ttl <= 0 {
			ttl = 24 * time.Hour
		}
		if now == nil {
			now = time.Now
		}
		store := opts.State
		if store == nil {
			store = state.NewMemory(n, now)
		}
		h.idem = &idempotency{store: store, ttl: ttl, pending: callBound(opts.Verifier), now: now}
	}
	if len(opts.ClientKeys) > 0 {
		h.verifier = newDropInVerifier(opts.ClientKeys, opts.Now, opts.LenientDate)
		h.sigs = newReplayStore(opts)
		h.redact = secretsReplacer(opts.ClientKeys)
	}
	h.mux.HandleFunc("POST /verify", h.verify)
	// The upstream's own paths, on either gateway, so existing clients
	// only change the host (dropin.go).
	for _, env := range upstreamStages {
		h.mux.HandleFunc("POST /"+env+"/face_id_card/post", h.verify)
	}
	h.mux.HandleFunc(servicePattern, h.verify)
	if opts.MetricsHandler != nil {
		h.mux.Handle("GET /metrics", h.signed(opts.MetricsHandler))
	}
	if opts.Uploads != nil {
		h.mux.HandleFunc("POST /uploads", h.issueUpload)
		h.mux.HandleFunc("GET /results/{key...}", h.uploadResult)
	}
	h.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"ok"}`))
	})
	return h
}

// callBound is how long a verification may take, from the core's
// timeout when the verifier tells it, with room to store the answer.
func callBound(v Verifier) time.Duration {
	timeout := core.Config{}.WithDefaults().Timeout
	if c, ok := v.(interface{ Config() core.Config }); ok && c.Config().Timeout > 0 {
		timeout = c.Config().Timeout
	}
	return timeout + idemWriteTimeout + 5*time.Second
}

type ctxKey struct{}

// WithRequestID lets an adapter pass the platform's request id (Lambda's
// or SCF's) so logs and answers carry the id the platform shows.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, ctxKey{}, id)
}

func requestID(ctx context.Context) string {
	if id, ok := ctx.Value(ctxKey{}).(string); ok && id != "" {
		return id
	}
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// One id for the whole answer, the platform's when an adapter gave one.
	rid, given := r.Context().Value(ctxKey{}).(string)
	if !given || rid == "" {
		rid = requestID(r.Context())
		r = r.WithContext(WithRequestID(r.Context(), rid))
	}
	setRequestIDs(w.Header(), rid)
	h.admit(w, r, h.route)
}

func (h *Handler) verify(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rid := requestID(r.Context()) // ServeHTTP's, already on the answer
	log := h.opts.Logger.With("request_id", rid, "path", r.URL.Path)

	signed, ok := h.authenticate(w, r, log, start)
	if !ok {
		return
	}
	caller, sigKey := signed.ID, ""
	if h.verifier != nil {
		if sigKey, ok = h.claimSignature(w, r, signed, rid); !ok {
			return
		}
	}
	req, err := parseRequest(r, h.opts.MaxBody)
	if err != nil {
		h.refuseBody(w, r, err, rid, start)
		return
	}
	var a answer
	key := r.Header.Get(IdempotencyHeader)
	if key == "" {
		key = sigKey // a repeated signature is answered from the first answer
	}
	if key != "" && h.idem != nil {
		a = h.verifyOnce(w, r, req, caller, key, rid)
	} else {
		a = h.call(r.Context(), req, rid)
	}
	a.maskedID = maskID(req.IDCard)
	a = forPath(r, a)
	a.write(w)
	a = a.callerGone(r.Context())
	level := slog.LevelInfo
	if a.loud {
		level = slog.LevelError
	}
	log.Log(r.Context(), level, "verification", a.logAttrs(start)...)
}

// refuseBody answers a request whose body could not be read or parsed,
// counted as an avoided call where Verify counts its own refusals.
func (h *Handler) refuseBody(w http.ResponseWriter, r *http.Request, err error, rid string, start time.Time) {
	h.opts.Verifier.Reject(err)
	a := forPath(r, fromError(err, rid))
	a.write(w)
	h.opts.Logger.InfoContext(r.Context(), "verification", append([]any{"request_id", rid, "path", r.URL.Path}, a.logAttrs(start)...)...)
}

func (h *Handler) call(ctx context.Context, req core.Request, rid string) answer {
	res, err := h.opts.Verifier.Verify(ctx, req)
	if err != nil {
		return fromError(err, rid).redacted(h.redact)
	}
	return fromResult(res, rid).redacted(h.redact)
}

func msSince(t time.Time) float64 {
	return float64(time.Since(t).Microseconds()) / 1000
}
