// Package core validates, signs and sends face–ID-card verifications to the
// Tencent Cloud Market API, and decodes its answers. It is platform-neutral:
// the SCF and Lambda adapters, the local server and the upload pipeline all
// call the same Client.
package core

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/faceid-verify/faceid/core/codes"
	"github.com/faceid-verify/faceid/core/hmacauth"
	"github.com/faceid-verify/faceid/core/mask"
	"github.com/faceid-verify/faceid/core/photo/decode"
	"github.com/faceid-verify/faceid/state"
)

// Client calls the upstream. Create one per process and reuse it across
// warm invocations: it holds the connection pool.
type Client struct {
	cfg     Config
	creds   hmacauth.Credentials
	redact  *strings.Replacer // the key pair, out of upstream text
	hc      *http.Client
	now     func() time.Time
	pool    bodyPool
	photos  photoPool
	breaker *breaker
	budget  *budget
	state   state.Store
	decodes *decode.Budget
	obs     Observer
	log     *slog.Logger
	skew    clockOffset // the gateway's clock minus ours, once measured
}

// Observer receives what the client did, for metrics. Labels are codes,
// never input values.
type Observer interface {
	// UpstreamCall reports one upstream attempt: its Class's Outcome,
	// MayHaveReached and Billed.
	UpstreamCall(outcome string, possiblyBilled, billed bool, latency time.Duration)
	// Avoided reports a request rejected locally, by "field.reason".
	Avoided(reason string)
}

// WithObserver sends the client's outcomes to o (e.g. a metrics registry).
func WithObserver(o Observer) Option { return func(c *Client) { c.obs = o } }

// Option customises a Client.
type Option func(*Client)

// withHTTPClient replaces the HTTP client (tests, custom transports).
func withHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// withClock injects the clock used for signing and date checks.
func withClock(now func() time.Time) Option { return func(c *Client) { c.now = now } }

// WithState keeps the daily budget in s: a store shared by every instance
// (FACEID_STATE) makes it one budget for all of them. Nil, or without the
// option, it is this process's memory.
func WithState(s state.Store) Option { return func(c *Client) { c.state = s } }

// New builds a Client from a config; unset fields take their defaults.
func New(cfg Config, opts ...Option) (*Client, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := &Client{
		cfg: cfg,
		creds: hmacauth.Credentials{
			SecretID: cfg.SecretID, SecretKey: cfg.SecretKey.Reveal(),
			Source: cfg.Source, Variant: cfg.SignatureVariant(),
		},
		now: time.Now,
		log: slog.Default(),
	}
	// The longer value first, should one hold the other.
	secrets := []string{cfg.SecretKey.Reveal(), cfg.SecretID}
	if len(secrets[1]) > len(secrets[0]) {
		secrets[0], secrets[1] = secrets[1], secrets[0]
	}
	c.redact = strings.NewReplacer(secrets[0], redacted, secrets[1], redacted)
	for _, o := range opts {
		o(c)
	}
	c.breaker = &breaker{threshold: cfg.BreakerThreshold, cooldown: cfg.BreakerCooldown, now: c.now}
	if c.state == nil {
		c.state = state.NewMemory(0, c.now)
	}
	c.budget = &budget{limit: cfg.DailyBudget, now: c.now, store: c.state}
	c.decodes = decode.NewBudget(cfg.DecodeMemory, cfg.DecodeWait)
	if c.hc == nil {
		hc, err := newHTTPClient(cfg)
		if err != nil {
			return nil, err
		}
		c.hc = hc
	}
	return c, nil
}

// Config returns the client's effective configuration.
func (c *Client) Config() Config { return c.cfg }

// CloseIdleConnections drops kept-alive upstream connections (tests and
// shutdown; a warm function keeps them).
func (c *Client) CloseIdleConnections() { c.hc.CloseIdleConnections() }

// Now returns the client's clock reading.
func (c *Client) Now() time.Time { return c.now() }

// maxResponseHeaderBytes bounds the headers of an upstream answer: the
// gateway's are well under 2 KB, and an endless header line must not grow
// the function's memory.
const maxResponseHeaderBytes = 16 << 10

// newHTTPClient builds the one HTTP client a process shares: net/http's
// Transport with bounded dial, TLS handshake and header waits, bounded
// answer headers, kept-alive connections, the environment's proxy, and
// certificate checks that can be extended with a CA file but never
// switched off. It never follows a redirect.
//
// HTTP/1.1 only: a call at a time per connection gains nothing from
// HTTP/2. A POST whose body cannot be rewound (GetBody is nil, as the
// client's bodies are) is never resent by the Transport itself, so every
// retry is the client's own decision (shouldRetry).
func newHTTPClient(cfg Config) (*http.Client, error) {
	var roots func() *x509.CertPool
	if cfg.CAFile != "" {
		var err error
		if roots, err = caRoots(cfg.CAFile); err != nil {
			return nil, err
		}
	}
	dialer := &net.Dialer{Timeout: cfg.DialTimeout, KeepAlive: 30 * time.Second}
	build := func() *http.Transport {
		tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
		if roots != nil {
			tlsCfg.RootCAs = roots()
		}
		return &http.Transport{
			Proxy:                  http.ProxyFromEnvironment,
			DialContext:            dialer.DialContext,
			TLSClientConfig:        tlsCfg,
			TLSHandshakeTimeout:    cfg.TLSHandshakeTimeout,
			ResponseHeaderTimeout:  cfg.ResponseHeaderTimeout,
			MaxResponseHeaderBytes: maxResponseHeaderBytes,
			// The answer is small JSON; the request is sent as the
			// product page's samples send it.
			DisableCompression:  true,
			MaxIdleConns:        16,
			MaxIdleConnsPerHost: 16,
			IdleConnTimeout:     90 * time.Second,
		}
	}
	return &http.Client{
		Transport: &lazyTransport{build: sync.OnceValue(build)},
		// A redirect would resend a paid POST somewhere else: never follow.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}, nil
}

// lazyTransport builds its Transport at the first call: with a CA file the
// TLS config holds the system roots, and loading them takes longer than
// the rest of init.
type lazyTransport struct {
	build func() *http.Transport
	built atomic.Bool
}

func (t *lazyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.built.Store(true)
	return t.build().RoundTrip(r)
}

func (t *lazyTransport) CloseIdleConnections() {
	if t.built.Load() {
		t.build().CloseIdleConnections()
	}
}

// caRoots checks the CA file now, so that a bad one fails at start, and
// returns the pool to trust, built at its first use: the system roots
// (parsing them takes several milliseconds, longer than the rest of init)
// and the file's certificates.
func caRoots(path string) (func() *x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, &ConfigError{EnvPrefix + "_CA_FILE", "cannot read the file"}
	}
	if !x509.NewCertPool().AppendCertsFromPEM(pem) {
		return nil, &ConfigError{EnvPrefix + "_CA_FILE", "no PEM certificate found"}
	}
	return sync.OnceValue(func() *x509.CertPool {
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		pool.AppendCertsFromPEM(pem)
		return pool
	}), nil
}

// Verify validates req locally and, only if it passes, makes one paid call.
// The call's deadline is the earlier of the configured timeout and the
// caller's deadline less the configured margin.
func (c *Client) Verify(ctx context.Context, req Request) (*Result, error) {
	// Canonical base64 has only its header decoded; other text is decoded
	// whole. Either goes into a pooled buffer that Send is done with once
	// the body is encoded, and nothing returned refers to it.
	scratch := c.photos.get()
	defer c.photos.put(scratch)
	checked, err := req.validate(ctx, c.Limits(), c.now(), scratch, true)
	var busy *BusyError
	if errors.As(err, &busy) && clientClosed(ctx) != nil {
		// Gone while its photo waited for decode memory: a hang-up, not
		// an overload.
		return nil, clientClosed(ctx)
	}
	if err != nil {
		return nil, c.Reject(err)
	}
	return c.Send(ctx, checked)
}

// Reject records err, when it is a local refusal (a *ValidationError), as
// a paid call avoided, and returns it. Every local refusal passes through
// here: Verify's, and those of callers that check before Send (the upload
// pipeline, and the HTTP handler for bodies it cannot parse), so the
// avoided calls count the same everywhere.
func (c *Client) Reject(err error) error {
	if c.obs == nil {
		return err
	}
	if cl := Classify(nil, err); cl.Kind == "validation" {
		c.obs.Avoided(cl.Field + "." + cl.Reason)
	}
	return err
}

// Send makes the paid call for an already validated request. It retries
// only attempts that provably never reached the upstream (see shouldRetry),
// and refuses to call while the circuit is open or the budget is spent.
//
// A caller that hangs up does not cut an attempt short: the request's
// bytes leave within milliseconds of its start, and a call cut off after
// that is paid for with nothing to show. So attempts keep ctx's deadline
// (less the margin, and within the configured timeout) but not its
// cancellation; the answer is returned as if the caller were there, for
// an Idempotency-Key to keep, and a caller's impatience never counts as an
// upstream failure. A caller already gone before an attempt starts gets a
// ClientClosedError and nothing is sent.
func (c *Client) Send(ctx context.Context, checked Checked) (*Result, error) {
	deadline := time.Now().Add(c.cfg.Timeout)
	if d, ok := ctx.Deadline(); ok && d.Add(-c.cfg.DeadlineMargin).Before(deadline) {
		deadline = d.Add(-c.cfg.DeadlineMargin)
	}
	if time.Until(deadline) <= 0 {
		err := &TransportError{Op: "deadline", Timeout: true, Err: errors.New("no time left before the caller's deadline")}
		c.observe(nil, err, 0)
		return nil, err
	}
	if err := clientClosed(ctx); err != nil {
		c.observe(nil, err, 0)
		return nil, err
	}
	caller := ctx
	ctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
	defer cancel()

	reserved, err := c.budget.reserve(ctx)
	if err != nil {
		c.observe(nil, err, 0)
		return nil, err
	}
	if err := c.breaker.allow(); err != nil {
		c.budget.refund(ctx, reserved)
		c.observe(nil, err, 0)
		return nil, err
	}
	body := c.newBody(checked)
	defer body.release()

	var (
		res    *Result
		skewed bool // a clock-skew re-sign was spent: at most one per request
	)
	for attempt := 1; ; attempt++ {
		if attempt > 1 {
			// Only unsent attempts are retried: nothing is lost by not
			// starting another for a caller who left.
			if cerr := clientClosed(caller); cerr != nil {
				err = cerr
				c.observe(nil, err, 0)
				break
			}
		}
		start := time.Now()
		res, err = c.attemptHealingSkew(ctx, body, &start, &skewed)
		c.observe(res, err, time.Since(start))
		ok, _ := shouldRetry(err, attempt, c.cfg.MaxAttempts, time.Until(deadline), c.cfg.MaxRetryAfter)
		if !ok {
			break
		}
		wait := backoff(attempt, c.cfg.RetryBaseDelay, c.cfg.RetryMaxDelay, err)
		if wait >= time.Until(deadline) {
			break
		}
		sleep(caller, wait) // the check above ends the loop if it was cut short
	}
	if !MayHaveReached(err) {
		c.budget.refund(ctx, reserved)
	}
	c.breaker.done(upstreamFailed(err))
	c.scrub(res, err, checked.Name)
	return res, err
}

// scrub makes the upstream's words in a call's result or error fit for
// logs, answers and result objects: our key pair redacted, the request's
// name and every run of 11 or more digits (an ID number) masked, and at
// most 256 bytes. Nothing else of the upstream's text is kept: transport
// and JSON errors are described in the client's own words.
func (c *Client) scrub(res *Result, err error, name string) {
	clean := func(s string) string { return truncateMsg(mask.Text(c.redact.Replace(s), name)) }
	var (
		ge *gatewayError
		se *sellerError
	)
	switch {
	case res != nil:
		res.Msg, res.DataMsg = clean(res.Msg), clean(res.DataMsg)
	case errors.As(err, &ge):
		ge.Message = clean(ge.Message)
	case errors.As(err, &se):
		se.Msg = clean(se.Msg)
	}
}

// newBody streams the caller's canonical base64 text, or else encodes the
// photo's bytes into a pooled buffer.
func (c *Client) newBody(checked Checked) body {
	if text, escapes, ok := checked.imageText(); ok {
		return newStreamBody(checked, text, escapes)
	}
	b := newSharedBody(&c.pool)
	encodeForm(b.buf, checked)
	return b
}

// attempt sends the body once.
func (c *Client) attempt(ctx context.Context, body body) (*Result, error) {
	var sent, answered atomic.Bool
	trace := &httptrace.ClientTrace{
		// Headers handed to the connection are as good as sent: from here on
		// the seller may see the request, and a retry could pay twice.
		// (WroteRequest proves nothing: it also reports a write that failed
		// before any byte left.)
		WroteHeaders: func() { sent.Store(true) },
		// An answer began: if it cannot be read, it is a malformed answer.
		GotFirstResponseByte: func() { answered.Store(true) },
	}
	rd := body.reader()
	hreq, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), http.MethodPost, c.cfg.Endpoint, rd)
	if err != nil {
		rd.Close()
		return nil, fmt.Errorf("core: build request: %w", err)
	}
	hreq.ContentLength = body.size()
	hreq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	hreq.Header.Set("Accept", "application/json")
	hmacauth.Sign(hreq.Header, c.creds, c.signingTime())

	resp, err := c.hc.Do(hreq)
	if err != nil {
		err = classify(ctx, err, sent.Load(), "write")
		if te := err.(*TransportError); te.Sent && !te.Timeout && answered.Load() {
			// Headers over maxResponseHeaderBytes or not HTTP at all. The
			// transport's text may quote the upstream's: it is not kept.
			return nil, &responseError{Reason: "malformed", Err: errBadHeaders}
		}
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, int64(c.cfg.MaxResponseBytes)+1))
	if err != nil {
		return nil, classify(ctx, err, true, "read")
	}
	rid := resp.Header.Get("X-Api-RequestId")
	if len(raw) > c.cfg.MaxResponseBytes {
		return nil, &responseError{Status: resp.StatusCode, Reason: "too_large", RequestID: rid}
	}
	return c.decode(resp, raw, rid)
}

func (c *Client) observe(res *Result, err error, latency time.Duration) {
	if c.obs != nil {
		cl := Classify(res, err)
		c.obs.UpstreamCall(cl.Outcome, cl.MayHaveReached, cl.Billed, latency)
	}
}

var errBadHeaders = fmt.Errorf("answer headers unreadable or over %d bytes", maxResponseHeaderBytes)

// classify turns a transport failure into a *TransportError recording
// whether the request may have left this process.
func classify(ctx context.Context, err error, sent bool, phase string) error {
	te := &TransportError{Op: phase, Sent: sent, Err: err}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil || (errors.As(err, &ne) && ne.Timeout()) {
		te.Timeout = true
	}
	var op *net.OpError
	var dns *net.DNSError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var certErr *tls.CertificateVerificationError
	var recErr tls.RecordHeaderError
	switch {
	case sent:
	case errors.As(err, &dns) || (errors.As(err, &op) && op.Op == "dial"):
		te.Op = "dial"
	case errors.As(err, &certErr) || errors.As(err, &unknownCA) || errors.As(err, &hostErr) || errors.As(err, &recErr):
		te.Op = "tls"
	case te.Timeout:
		te.Op = "deadline"
	}
	return te
}

func (c *Client) decode(resp *http.Response, raw []byte, rid string) (*Result, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		if resp.StatusCode == http.StatusOK {
			return nil, &responseError{Status: resp.StatusCode, Reason: "empty", RequestID: rid}
		}
		return nil, newGatewayError(resp, http.StatusText(resp.StatusCode), false, rid)
	}
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		if resp.StatusCode != http.StatusOK {
			return nil, newGatewayError(resp, http.StatusText(resp.StatusCode), false, rid)
		}
		return nil, &responseError{Status: resp.StatusCode, Reason: "malformed", RequestID: rid, Err: jsonErr(err)}
	}
	// The gateway's own answers are a flat {"message": …}; the seller's
	// always carry a code. A 200 without one is nobody's documented answer.
	if !env.Code.Set {
		if resp.StatusCode == http.StatusOK {
			return nil, &responseError{Status: resp.StatusCode, Reason: "malformed", RequestID: rid, Err: errors.New("no code field")}
		}
		msg := http.StatusText(resp.StatusCode)
		if env.Message != nil {
			msg = *env.Message
		}
		return nil, newGatewayError(resp, msg, env.Message != nil, rid)
	}
	if env.Code.V != codes.OK {
		return nil, &sellerError{Code: env.Code.V, Msg: string(env.Msg), RequestID: rid}
	}
	// Code 200: billed, whatever follows.
	unusable := func(err error) error {
		return &responseError{Status: resp.StatusCode, Reason: "malformed", RequestID: rid, Err: err, Billed: true}
	}
	var d answerData
	if !hasObject(env.Data) {
		return nil, unusable(errors.New("code 200 without data"))
	}
	if err := json.Unmarshal(env.Data, &d); err != nil {
		return nil, unusable(jsonErr(err))
	}
	if !d.Incorrect.Set {
		return nil, unusable(errors.New("data without incorrect"))
	}
	// The seller's scores are 0–1 (the product page); 92 is not a pass
	// but an answer nobody can read. NaN and infinities never decode.
	if d.Score.V < 0 || d.Score.V > 1 {
		return nil, unusable(errors.New("score outside 0-1"))
	}
	r := &Result{
		Code: env.Code.V, Msg: string(env.Msg), OrderNo: string(d.OrderNo),
		Score: d.Score.V, Incorrect: d.Incorrect.V, DataMsg: string(d.Msg), RequestID: rid,
	}
	r.describe(c.cfg.SameThreshold, c.cfg.UncertainThreshold)
	return r, nil
}

func newGatewayError(resp *http.Response, msg string, flatMessage bool, rid string) *gatewayError {
	g := &gatewayError{Status: resp.StatusCode, Message: msg, RequestID: rid,
		Refused: gatewayRefused(resp.StatusCode, flatMessage)}
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		g.ServerDate = d
	}
	if s := resp.Header.Get("Retry-After"); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n >= 0 {
			g.RetryAfter = time.Duration(n) * time.Second
		}
	}
	return g
}

// truncateMsg bounds an upstream message before it reaches logs, cut at a
// character boundary.
func truncateMsg(s string) string {
	const max = 256
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// jsonErr keeps the position of a syntax error but not the text around it.
func jsonErr(err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("invalid JSON at offset %d", se.Offset)
	}
	var ue *json.UnmarshalTypeError
	if errors.As(err, &ue) {
		return fmt.Errorf("unexpected JSON type for %s", ue.Field)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("truncated JSON")
	}
	return errors.New("undecodable JSON")
}
