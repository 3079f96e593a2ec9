package httphandler

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/core/mask"
)

// envelope is the upstream's answer shape, so existing clients keep
// working, plus our request_id and, on our own errors, a structured error.
type envelope struct {
	Msg       string     `json:"msg"`
	Success   bool       `json:"success"`
	Code      int        `json:"code"`
	Data      any        `json:"data"`
	RequestID string     `json:"request_id"`
	Error     *errorInfo `json:"error,omitempty"`
}

type data struct {
	OrderNo       string       `json:"order_no"`
	Score         float64      `json:"score"`
	Msg           string       `json:"msg"`
	Incorrect     int          `json:"incorrect"`
	IncorrectDesc string       `json:"incorrect_desc"`
	IncorrectEn   string       `json:"incorrect_desc_en"`
	Verdict       core.Verdict `json:"verdict"`
	Passed        bool         `json:"passed"`
}

type errorInfo struct {
	// Kind says which side failed: core.Class.Kind, or the handler's own
	// refusals (idempotency, overloaded, state_unavailable). A
	// client_closed answer is logged only: no one is left to read it.
	Kind    string `json:"kind"`
	Field   string `json:"field,omitempty"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message_en,omitempty"`
	// Charged tells the caller whether the upstream may have billed this
	// call, so a client does not retry blindly.
	MayHaveCharged bool `json:"may_have_charged"`
}

// answer is one response and what to log about it.
type answer struct {
	status   int
	body     envelope
	outcome  string
	reason   string
	loud     bool
	charged  bool
	maskedID string
	upstream string
	// upstreamOutcome is what the upstream call came to when the caller
	// left before its answer (outcome client_closed).
	upstreamOutcome string
	// detail is the error text for operators; core errors carry no personal data.
	detail string
	// retryAfter, when positive, is sent as Retry-After: the refusal
	// cost nothing and a retry that soon may succeed.
	retryAfter time.Duration
}

// Retry-After of the 503s a retry can cure, where nothing was sent: a
// place in flight or decode memory frees as soon as another request ends;
// a state store that failed is given a few seconds to come back.
const (
	retryOverloaded = time.Second
	retryStore      = 5 * time.Second
)

// retryAfterFor is the Retry-After of an error's answer, or 0 for none:
// the circuit's own cool-down, or the constants above.
func retryAfterFor(kind string, err error) time.Duration {
	var co *core.CircuitOpenError
	switch {
	case errors.As(err, &co):
		return max(co.RetryAfter, time.Second)
	case kind == "overloaded":
		return retryOverloaded
	case kind == "state_unavailable":
		return retryStore
	}
	return 0
}

// write sends a, with its Retry-After when it has one.
func (a answer) write(w http.ResponseWriter) {
	if a.retryAfter > 0 {
		// Whole seconds, rounded up: a client must not come back early.
		w.Header().Set("Retry-After", strconv.FormatInt(int64((a.retryAfter+time.Second-1)/time.Second), 10))
	}
	writeJSON(w, a.status, a.body)
}

func (a answer) logAttrs(start time.Time) []any {
	attrs := []any{
		"status", a.status, "outcome", a.outcome, "may_have_charged", a.charged,
		"latency_ms", msSince(start),
	}
	if a.reason != "" {
		attrs = append(attrs, "reason", a.reason)
	}
	if a.maskedID != "" {
		attrs = append(attrs, "idcard", a.maskedID)
	}
	if a.upstream != "" {
		attrs = append(attrs, "upstream_request_id", a.upstream)
	}
	if a.upstreamOutcome != "" {
		attrs = append(attrs, "upstream_outcome", a.upstreamOutcome)
	}
	if a.detail != "" {
		attrs = append(attrs, "error", a.detail)
	}
	return attrs
}

func fromResult(r *core.Result, rid string) answer {
	c := core.Classify(r, nil)
	return answer{
		status: c.Status, outcome: c.Outcome, charged: c.MayHaveReached, upstream: c.RequestID, reason: c.Reason,
		body: envelope{
			Msg: c.Msg, Success: true, Code: c.Code, RequestID: rid,
			Data: data{
				OrderNo: r.OrderNo, Score: r.Score, Msg: r.DataMsg, Incorrect: r.Incorrect,
				IncorrectDesc: r.IncorrectDesc, IncorrectEn: r.IncorrectEn,
				Verdict: r.Verdict, Passed: r.Passed,
			},
		},
	}
}

// fromError answers an error as core.Classify classifies it. The log's
// outcome is the answer's kind, as the fault matrix reads it
// (docs/reliability.md); the metrics count Class.Outcome.
func fromError(err error, rid string) answer {
	c := core.Classify(nil, err)
	return answer{
		status: c.Status, outcome: c.Kind, reason: c.Reason, charged: c.MayHaveReached, loud: c.Loud,
		upstream: c.RequestID, detail: err.Error(), retryAfter: retryAfterFor(c.Kind, err),
		body: envelope{Msg: c.Msg, Code: c.Code, Data: struct{}{}, RequestID: rid, Error: &errorInfo{
			Kind: c.Kind, Field: c.Field, Reason: c.Reason, Message: c.MsgEn, MayHaveCharged: c.MayHaveReached,
		}},
	}
}

// clientClosedAnswer answers a caller that went away (its context was
// cancelled) before anything was sent upstream for it.
func clientClosedAnswer(ctx context.Context, rid string) answer {
	return fromError(&core.ClientClosedError{Err: context.Cause(ctx)}, rid)
}

// callerGone relabels, for the log, an answer whose caller hung up before
// it was written: a 499 client_closed, not an upstream failure, with what
// the upstream call came to beside it. The call itself ran to its end
// (core.Client.Send), and an Idempotency-Key stored its real answer.
func (a answer) callerGone(ctx context.Context) answer {
	if !errors.Is(ctx.Err(), context.Canceled) {
		return a
	}
	gone := clientClosedAnswer(ctx, "")
	if a.outcome == gone.outcome {
		return a
	}
	a.upstreamOutcome = a.outcome
	a.status, a.outcome = gone.status, gone.outcome
	return a
}

// secretsReplacer redacts the client keys' secrets, longest first.
func secretsReplacer(keys map[string]string) *strings.Replacer {
	secrets := make([]string, 0, len(keys))
	for _, k := range keys {
		secrets = append(secrets, k)
	}
	slices.SortFunc(secrets, func(a, b string) int { return len(b) - len(a) })
	pairs := make([]string, 0, 2*len(secrets))
	for _, k := range secrets {
		pairs = append(pairs, k, "[redacted]")
	}
	return strings.NewReplacer(pairs...)
}

// redacted takes the client keys out of the texts of an answer that may
// quote the upstream. Core redacts its own key pair and masks personal
// data; client keys never go upstream, so this is a second line.
func (a answer) redacted(r *strings.Replacer) answer {
	if r == nil {
		return a
	}
	a.detail, a.reason, a.body.Msg = r.Replace(a.detail), r.Replace(a.reason), r.Replace(a.body.Msg)
	if a.body.Error != nil {
		e := *a.body.Error
		e.Reason, e.Message = r.Replace(e.Reason), r.Replace(e.Message)
		a.body.Error = &e
	}
	if d, ok := a.body.Data.(data); ok {
		d.Msg = r.Replace(d.Msg)
		a.body.Data = d
	}
	return a
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	// A failed write means the caller went away; nothing is left to tell it.
	_ = enc.Encode(v)
}

func maskID(s string) string {
	if s == "" {
		return ""
	}
	return mask.ID(s)
}
