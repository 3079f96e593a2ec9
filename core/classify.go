package core

import (
	"errors"
	"net/http"
	"time"

	"github.com/faceid-verify/faceid/core/codes"
	"github.com/faceid-verify/faceid/state"
)

// Class is what a verification came to, in the one vocabulary of the
// function: the HTTP answer, the upload result, the logs and the metrics
// format it and add no words of their own. Classify makes it.
type Class struct {
	// Outcome labels the call for metrics: passed, not_passed, invalid,
	// circuit_open, client_closed, budget_exhausted, state_unavailable,
	// overloaded, quota_exceeded,
	// rate_limited, gateway_auth, timeout, gateway_5xx, gateway_error,
	// seller_error, transport_unsent, transport_error, malformed or error.
	Outcome string
	// Kind is the answer's error.kind (docs/openapi.yaml), "" for a
	// result: validation, seller, rate_limited, quota_exceeded,
	// budget_exhausted, state_unavailable, circuit_open, client_closed,
	// overloaded, upstream_auth,
	// upstream_unavailable, upstream_timeout, upstream_malformed or
	// internal.
	Kind string
	// Source is the part that failed, the upload result's error.kind:
	// validation; seller, gateway, transport or response for a failed
	// upstream call (whose status and code the result records beside it);
	// Kind for a call refused here; internal for anything else.
	Source string
	// Field is the rejected request field of a validation error.
	Field string
	// Reason is a short machine-readable reason: the validation reason, the
	// seller's code or the gateway's status in words, the transport phase
	// ("read", "dial_timeout"), the answer's defect; the verdict for a
	// result.
	Reason string
	// Status is the HTTP status that answers it; Code the envelope's code,
	// the seller's own for seller errors.
	Status, Code int
	// Msg is the Chinese message, worded as the upstream words its own;
	// MsgEn the English one.
	Msg, MsgEn string
	// UpstreamStatus is the upstream's HTTP status when a gateway answered
	// or an answer could not be read; SellerCode the seller's error code.
	UpstreamStatus, SellerCode int
	// RequestID is the upstream's X-Api-RequestId, when it answered.
	RequestID string
	// MayHaveReached tells whether the seller may have seen, and so billed,
	// the call (see the billing rule in errors.go); Billed whether it
	// certainly did: its envelope said code 200. Billed implies
	// MayHaveReached.
	MayHaveReached, Billed bool
	// Loud marks a fault operators must fix (our key pair rejected, TLS
	// failing, an internal error): logged as an error.
	Loud bool
}

// Classify maps a verification's result or error to its Class. It is the
// only place that does: every face of the function formats its answer.
// res is read only when err is nil.
func Classify(res *Result, err error) Class {
	if err == nil {
		c := Class{Outcome: "not_passed", Status: http.StatusOK, Code: codes.OK,
			MayHaveReached: true, Billed: res != nil}
		if res != nil {
			if res.Passed {
				c.Outcome = "passed"
			}
			c.Code, c.Msg, c.Reason, c.RequestID = res.Code, res.Msg, string(res.Verdict), res.RequestID
		}
		return c
	}
	c := classifyError(err)
	c.MayHaveReached = MayHaveReached(err)
	var re *responseError
	c.Billed = errors.As(err, &re) && re.Billed
	return c
}

// classifyError fills everything but the billing of an error's Class.
func classifyError(err error) Class {
	var (
		ve *ValidationError
		ge *gatewayError
		se *sellerError
		te *TransportError
		re *responseError
		co *CircuitOpenError
		be *BudgetError
		cc *ClientClosedError
		su *state.UnavailableError
		bu *BusyError
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
		return Class{Outcome: "invalid", Kind: "validation", Source: "validation", Field: ve.Field, Reason: ve.Reason,
			Status: status, Code: codes.BadRequest, Msg: ve.Error(), MsgEn: ve.English}
	case errors.As(err, &co):
		return refused(Class{Kind: "circuit_open", Reason: co.RetryAfter.Round(time.Second).String(),
			Status: http.StatusServiceUnavailable, Msg: "上游服务连续失败,已暂停调用,请稍后重试",
			MsgEn: "the upstream kept failing; calls are paused for a cool-down"})
	case errors.As(err, &cc):
		// No one reads this answer: the log line is what counts. 499 is
		// how nginx and the API gateway log a caller that hung up.
		return refused(Class{Kind: "client_closed", Status: statusClientClosed, Msg: "客户端已断开",
			MsgEn: "the caller closed the request before the answer"})
	case errors.As(err, &be):
		return refused(Class{Kind: "budget_exhausted", Reason: "daily_budget", Status: http.StatusTooManyRequests,
			Msg: "今日调用额度已用完", MsgEn: "the daily paid-call budget is used up"})
	case errors.As(err, &su):
		// A money guard could not be consulted, so nothing was sent: a
		// retry is safe, and operators must see it.
		c := refused(Class{Kind: "state_unavailable", Reason: su.Backend + "_" + su.Op, Status: http.StatusServiceUnavailable,
			Msg: "状态存储不可用,未调用上游,请稍后重试", MsgEn: "the shared state store could not be reached; nothing was sent upstream"})
		c.Loud = true
		return c
	case errors.As(err, &bu):
		// The photo waited in vain for decode memory: the process is busy,
		// as when the local server is full, and a retry is safe.
		return refused(Class{Kind: "overloaded", Reason: "decode_memory", Status: http.StatusServiceUnavailable,
			Msg: "服务繁忙,请稍后重试", MsgEn: "too many photos are being decoded at once; nothing was sent, retry shortly"})
	case errors.As(err, &ge):
		return gatewayClass(ge)
	case errors.As(err, &se):
		c := Class{Outcome: "seller_error", Kind: "seller", Source: "seller", Reason: http.StatusText(se.Code),
			Status: http.StatusBadGateway, Code: se.Code, Msg: se.Msg, SellerCode: se.Code, RequestID: se.RequestID}
		if m, ok := codes.Code(se.Code); ok {
			c.MsgEn = m.En
		}
		switch se.Code {
		case codes.BadRequest:
			c.Status = http.StatusBadRequest
		case codes.Discontinued:
			c.Status = http.StatusServiceUnavailable
		}
		return c
	case errors.As(err, &te):
		c := Class{Outcome: "transport_error", Source: "transport", Reason: te.Op}
		switch {
		case !te.Sent:
			c.Outcome = "transport_unsent"
		case te.Timeout:
			c.Outcome = "timeout"
		}
		if te.Timeout {
			c.Kind, c.Reason, c.Status = "upstream_timeout", te.Op+"_timeout", http.StatusGatewayTimeout
			c.Msg, c.MsgEn = "上游服务超时", "the upstream did not answer in time"
		} else {
			c.Kind, c.Status, c.Loud = "upstream_unavailable", http.StatusBadGateway, te.Op == "tls"
			c.Msg, c.MsgEn = "上游服务连接失败", "could not reach the upstream"
		}
		c.Code = c.Status
		return c
	case errors.As(err, &re):
		return Class{Outcome: "malformed", Kind: "upstream_malformed", Source: "response", Reason: re.Reason,
			Status: http.StatusBadGateway, Code: http.StatusBadGateway, Msg: "上游服务返回异常",
			MsgEn: "the upstream's answer could not be read", UpstreamStatus: re.Status, RequestID: re.RequestID}
	}
	return Class{Outcome: "error", Kind: "internal", Source: "internal", Status: http.StatusInternalServerError,
		Code: http.StatusInternalServerError, Msg: "内部错误", MsgEn: "internal error", Loud: true}
}

// statusClientClosed is the status of a caller that hung up before its
// answer, as nginx and the API gateway log it.
const statusClientClosed = 499

// refused completes the Class of a call refused here, before anything
// was sent: its kind is also its outcome, source and code.
func refused(c Class) Class {
	c.Outcome, c.Source, c.Code = c.Kind, c.Kind, c.Status
	return c
}

// gatewayClass classifies an answer without the seller's envelope.
func gatewayClass(ge *gatewayError) Class {
	c := Class{Source: "gateway", UpstreamStatus: ge.Status, RequestID: ge.RequestID,
		Outcome: "gateway_error", Kind: "upstream_unavailable", Reason: http.StatusText(ge.Status),
		Status: http.StatusBadGateway, Msg: "上游服务异常", MsgEn: "the upstream gateway failed"}
	switch {
	case ge.limited():
		c.Outcome, c.Kind = "rate_limited", "rate_limited"
		if ge.quotaExhausted() {
			c.Outcome, c.Kind = "quota_exceeded", "quota_exceeded"
		}
		c.Status, c.Reason, c.Msg, c.MsgEn = http.StatusTooManyRequests, ge.Message, ge.Message, ge.Message
	case ge.auth():
		// Our own key pair is wrong: loud in the logs, vague to callers
		// (the gateway's words are in the error, for the log).
		c.Outcome, c.Kind, c.Reason, c.Loud = "gateway_auth", "upstream_auth", "", true
		c.Msg, c.MsgEn = "上游服务鉴权失败,请联系服务管理员", "the function's upstream credentials were rejected"
	case ge.Status == http.StatusGatewayTimeout:
		c.Outcome, c.Kind, c.Reason, c.Status = "timeout", "upstream_timeout", "gateway_timeout", http.StatusGatewayTimeout
		c.Msg, c.MsgEn = "上游服务超时", "the upstream timed out"
	case ge.Status >= 500:
		c.Outcome = "gateway_5xx"
	}
	c.Code = c.Status
	return c
}
