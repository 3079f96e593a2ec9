package core

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// Clock skew heals itself. A gateway refuses a signature dated more than
// 900 s from its own clock before anything reaches the seller, so the
// refusal is never billed, and its Date header says how far off this
// machine's clock is. The client then re-signs once with the gateway's
// clock and tries again. It keeps the offset for its later calls, so a
// machine that is off keeps working without a refusal per call; a later
// refusal measures it afresh (say, after the machine's clock was fixed).
// An offset is kept only once a call signed with it was not refused for
// its date in turn.

// clockOffset is the gateway's clock minus ours, shared by the calls of
// one Client.
type clockOffset struct{ ns atomic.Int64 }

func (o *clockOffset) load() time.Duration   { return time.Duration(o.ns.Load()) }
func (o *clockOffset) store(d time.Duration) { o.ns.Store(int64(d)) }

// clockSkewObserver is implemented by an Observer that also counts
// clock-skew re-signs (the metrics package's Lines and Registry do).
type clockSkewObserver interface {
	// ClockSkewRetry reports one re-signed call; skew is the gateway's
	// clock minus ours.
	ClockSkewRetry(skew time.Duration)
}

// WithLogger sets where the client logs its warnings (a clock-skew
// re-sign). Default: slog.Default().
func WithLogger(l *slog.Logger) Option { return func(c *Client) { c.log = l } }

// signingTime is our clock corrected by the offset last measured.
func (c *Client) signingTime() time.Time { return c.now().Add(c.skew.load()) }

// dateRefused returns the gateway's clock when err is a gateway refusal of
// the signature's date, provably before forwarding (gatewayError.Refused),
// that carries a Date header: the legacy gateway's 401 "…x-date header is
// out of date…", or the Cloud Market gateway's 403 whose message has
// 签名时间 (signature time) and 超时 (timed out).
func dateRefused(err error) (time.Time, bool) {
	var ge *gatewayError
	if !errors.As(err, &ge) || !ge.Refused || ge.ServerDate.IsZero() {
		return time.Time{}, false
	}
	switch {
	case ge.Status == http.StatusUnauthorized && strings.Contains(ge.Message, "x-date header is out of date"):
	case ge.Status == http.StatusForbidden && strings.Contains(ge.Message, "签名时间") && strings.Contains(ge.Message, "超时"):
	default:
		return time.Time{}, false
	}
	return ge.ServerDate, true
}

// attemptHealingSkew is one attempt, plus one re-signed attempt when the
// gateway refuses the first for its date and no such re-sign was spent on
// this request yet (*spent). It reports the refused attempt to the
// observer itself and moves *start to the second attempt, whose outcome
// the caller reports. The re-sign does not count against MaxAttempts: the
// refusal cost nothing.
func (c *Client) attemptHealingSkew(ctx context.Context, body body, start *time.Time, spent *bool) (*Result, error) {
	res, err := c.attempt(ctx, body)
	server, refused := dateRefused(err)
	if !refused || *spent || ctx.Err() != nil {
		return res, err
	}
	*spent = true
	c.observe(res, err, time.Since(*start))
	skew := server.Sub(c.now())
	kept := c.skew.load()
	c.skew.store(skew)
	var ge *gatewayError
	errors.As(err, &ge)
	c.log.Warn("upstream gateway refused the signature's date: this machine's clock is off; re-signing once with the gateway's clock",
		"skew_seconds", math.Round(skew.Seconds()), "status", ge.Status, "upstream_request_id", ge.RequestID)
	if o, ok := c.obs.(clockSkewObserver); ok {
		o.ClockSkewRetry(skew)
	}
	*start = time.Now()
	res, err = c.attempt(ctx, body)
	if _, again := dateRefused(err); again {
		c.skew.store(kept) // the gateway's Date did not help: do not trust it
	}
	return res, err
}
