package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/core/codes"
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
	// Kind says which side failed: validation, upstream_auth, rate_limited,
	// quota_exceeded, budget_exhausted, circuit_open, seller,
	// upstream_unavailable, upstream_timeout, upstream_malformed,
	// idempotency, client_closed (logged only: no one is left to read it).
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
	// field is the rejected field of a validation error.
	field string
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
	outcome := "not_passed"
	if r.Passed {
		outcome = "passed"
	}
	return answer{
		status: http.StatusOK, outcome: outcome, charged: true, upstream: r.RequestID,
		reason: string(r.Verdict),
		body: envelope{
			Msg: r.Msg, Success: true, Code: r.Code, RequestID: rid,
			Data: data{
				OrderNo: r.OrderNo, Score: r.Score, Msg: r.DataMsg, Incorrect: r.Incorrect,
				IncorrectDesc: r.IncorrectDesc, IncorrectEn: r.IncorrectEn,
				Verdict: r.Verdict, Passed: r.Passed,
			},
		},
	}
}

// fromError maps every error the core returns to one status, in one place.
func fromError(err error, rid string) answer {
	fail := func(status, code int, msg string, info errorInfo) answer {
		info.MayHaveCharged = core.MayHaveReached(err)
		return answer{
			status: status, outcome: info.Kind, reason: info.Reason, charged: info.MayHaveCharged,
			detail: err.Error(),
			body:   envelope{Msg: msg, Code: code, Data: struct{}{}, RequestID: rid, Error: &info},
		}
	}
	var (
		ve *core.ValidationError
		ge *core.GatewayError
		se *core.SellerError
		te *core.TransportError
		re *core.ResponseError
		co *core.CircuitOpenError
		be *core.BudgetError
		cc *core.ClientClosedError
	)
	switch {
	case errors.As(err, &ve):
		status := http.StatusBadRequest
		switch {
		case ve.Field == "body" && ve.Reason == "too_large":
			status = http.StatusRequestEntityTooLarge
		case ve.Field == "body" && ve.Reason == "content_type":
			status = http.StatusUnsupportedMediaType
		}
		a := fail(status, codes.BadRequest, ve.Error(),
			errorInfo{Kind: "validation", Field: ve.Field, Reason: ve.Reason, Message: ve.English})
		a.field = ve.Field
		return a
	case errors.As(err, &ge):
		switch {
		case ge.Limited():
			kind := "rate_limited"
			if ge.QuotaExhausted() {
				kind = "quota_exceeded"
			}
			a := fail(http.StatusTooManyRequests, http.StatusTooManyRequests, ge.Message,
				errorInfo{Kind: kind, Reason: ge.Message, Message: ge.Message})
			a.upstream = ge.RequestID
			return a
		case ge.Auth():
			// Our own key pair is wrong: loud in the logs, vague to callers.
			a := fail(http.StatusBadGateway, http.StatusBadGateway, "上游服务鉴权失败,请联系服务管理员",
				errorInfo{Kind: "upstream_auth", Message: "the function's upstream credentials were rejected"})
			a.loud, a.reason, a.upstream = true, ge.Message, ge.RequestID
			return a
		case ge.Status == http.StatusGatewayTimeout:
			a := fail(http.StatusGatewayTimeout, http.StatusGatewayTimeout, "上游服务超时",
				errorInfo{Kind: "upstream_timeout", Reason: "gateway_timeout", Message: "the upstream timed out"})
			a.upstream = ge.RequestID
			return a
		}
		a := fail(http.StatusBadGateway, http.StatusBadGateway, "上游服务异常",
			errorInfo{Kind: "upstream_unavailable", Reason: http.StatusText(ge.Status), Message: "the upstream gateway failed"})
		a.upstream = ge.RequestID
		return a
	case errors.As(err, &se):
		info := errorInfo{Kind: "seller", Reason: http.StatusText(se.Code)}
		if m, ok := codes.Code(se.Code); ok {
			info.Message = m.En
		}
		status := http.StatusBadGateway
		switch se.Code {
		case codes.BadRequest:
			status = http.StatusBadRequest
		case codes.Discontinued:
			status = http.StatusServiceUnavailable
		}
		a := fail(status, se.Code, se.Msg, info)
		a.upstream = se.RequestID
		return a
	case errors.As(err, &co):
		return fail(http.StatusServiceUnavailable, http.StatusServiceUnavailable, "上游服务连续失败,已暂停调用,请稍后重试",
			errorInfo{Kind: "circuit_open", Reason: co.RetryAfter.Round(time.Second).String(),
				Message: "the upstream kept failing; calls are paused for a cool-down"})
	case errors.As(err, &cc):
		a := clientClosedAnswer(rid)
		a.detail = err.Error()
		return a
	case errors.As(err, &be):
		return fail(http.StatusTooManyRequests, http.StatusTooManyRequests, "今日调用额度已用完",
			errorInfo{Kind: "budget_exhausted", Reason: "daily_budget", Message: "this instance's daily paid-call budget is used up"})
	case errors.As(err, &te):
		if te.Timeout {
			return fail(http.StatusGatewayTimeout, http.StatusGatewayTimeout, "上游服务超时",
				errorInfo{Kind: "upstream_timeout", Reason: te.Op, Message: "the upstream did not answer in time"})
		}
		a := fail(http.StatusBadGateway, http.StatusBadGateway, "上游服务连接失败",
			errorInfo{Kind: "upstream_unavailable", Reason: te.Op, Message: "could not reach the upstream"})
		a.loud = te.Op == "tls"
		return a
	case errors.As(err, &re):
		a := fail(http.StatusBadGateway, http.StatusBadGateway, "上游服务返回异常",
			errorInfo{Kind: "upstream_malformed", Reason: re.Reason, Message: "the upstream's answer could not be read"})
		a.upstream = re.RequestID
		return a
	}
	a := fail(http.StatusInternalServerError, http.StatusInternalServerError, "内部错误",
		errorInfo{Kind: "internal", Message: "internal error"})
	a.loud = true
	return a
}

// statusClientClosed is the status logged for a caller that hung up
// before its answer, as nginx and the API gateway log it.
const statusClientClosed = 499

// clientClosedAnswer answers a caller that went away before anything
// was sent upstream. No one reads it; the log line is what counts.
func clientClosedAnswer(rid string) answer {
	return answer{status: statusClientClosed, outcome: "client_closed", body: envelope{
		Msg: "客户端已断开", Code: statusClientClosed, Data: struct{}{}, RequestID: rid,
		Error: &errorInfo{Kind: "client_closed", Message: "the caller closed the request before the answer"},
	}}
}

// callerGone relabels, for the log, an answer whose caller hung up before
// it was written: a 499 client_closed, not an upstream failure, with what
// the upstream call came to beside it. The call itself ran to its end
// (core.Client.Send), and an Idempotency-Key stored its real answer.
func (a answer) callerGone(ctx context.Context) answer {
	if !errors.Is(ctx.Err(), context.Canceled) || a.outcome == "client_closed" {
		return a
	}
	a.upstreamOutcome = a.outcome
	a.status, a.outcome = statusClientClosed, "client_closed"
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
