package core

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/core/invalid"
	"github.com/faceid-verify/faceid/state"
)

// TestClassify holds the one vocabulary: every error type the client
// returns (and a result) maps to the outcome label of the metrics, the
// answer's kind and status, the upload result's source, and what it may
// have cost.
func TestClassify(t *testing.T) {
	passed := &Result{Code: 200, Msg: "成功", Passed: true, Verdict: VerdictSame, RequestID: "up-1"}
	notPassed := &Result{Code: 200, Msg: "成功", Verdict: VerdictNone}
	tests := []struct {
		name string
		res  *Result
		err  error
		want Class
	}{
		{"passed", passed, nil, Class{Outcome: "passed", Reason: "same", Status: 200, Code: 200, Msg: "成功",
			RequestID: "up-1", MayHaveReached: true, Billed: true}},
		{"not passed", notPassed, nil, Class{Outcome: "not_passed", Reason: "none", Status: 200, Code: 200, Msg: "成功",
			MayHaveReached: true, Billed: true}},

		{"validation", nil, invalid.New("idcard", "checksum", "校验码错误", "bad check digit"),
			Class{Outcome: "invalid", Kind: "validation", Source: "validation", Field: "idcard", Reason: "checksum",
				Status: 400, Code: 400, Msg: "入参错误,身份证号[idcard]校验码错误", MsgEn: "bad check digit"}},
		{"validation, wrapped", nil, fmt.Errorf("upload: %w", invalid.New("image", "too_large", "图片过大", "too large")),
			Class{Outcome: "invalid", Kind: "validation", Source: "validation", Field: "image", Reason: "too_large",
				Status: 400, Code: 400, Msg: "入参错误,图片[image]图片过大", MsgEn: "too large"}},
		{"body too large", nil, invalid.New("body", "too_large", "请求体过大", "body too large"),
			Class{Outcome: "invalid", Kind: "validation", Source: "validation", Field: "body", Reason: "too_large",
				Status: 413, Code: 400, Msg: "入参错误,请求体[body]请求体过大", MsgEn: "body too large"}},
		{"wrong content type", nil, invalid.New("body", "content_type", "类型错误", "wrong type"),
			Class{Outcome: "invalid", Kind: "validation", Source: "validation", Field: "body", Reason: "content_type",
				Status: 415, Code: 400, Msg: "入参错误,请求体[body]类型错误", MsgEn: "wrong type"}},

		{"circuit open", nil, &CircuitOpenError{RetryAfter: 29600 * time.Millisecond},
			Class{Outcome: "circuit_open", Kind: "circuit_open", Source: "circuit_open", Reason: "30s", Status: 503, Code: 503,
				Msg: "上游服务连续失败,已暂停调用,请稍后重试", MsgEn: "the upstream kept failing; calls are paused for a cool-down"}},
		{"caller gone", nil, &ClientClosedError{Err: context.Canceled},
			Class{Outcome: "client_closed", Kind: "client_closed", Source: "client_closed", Status: 499, Code: 499,
				Msg: "客户端已断开", MsgEn: "the caller closed the request before the answer"}},
		{"budget spent", nil, &BudgetError{Limit: 10},
			Class{Outcome: "budget_exhausted", Kind: "budget_exhausted", Source: "budget_exhausted", Reason: "daily_budget",
				Status: 429, Code: 429, Msg: "今日调用额度已用完", MsgEn: "the daily paid-call budget is used up"}},
		{"state store down", nil, fmt.Errorf("wrapped: %w", &state.UnavailableError{Backend: "redis", Op: "reserve", Err: errors.New("connection refused")}),
			Class{Outcome: "state_unavailable", Kind: "state_unavailable", Source: "state_unavailable", Reason: "redis_reserve",
				Status: 503, Code: 503, Msg: "状态存储不可用,未调用上游,请稍后重试",
				MsgEn: "the shared state store could not be reached; nothing was sent upstream", Loud: true}},
		{"decode memory busy", nil, &BusyError{Need: 40 << 20, Waited: 10 * time.Second},
			Class{Outcome: "overloaded", Kind: "overloaded", Source: "overloaded", Reason: "decode_memory", Status: 503, Code: 503,
				Msg: "服务繁忙,请稍后重试", MsgEn: "too many photos are being decoded at once; nothing was sent, retry shortly"}},

		{"gateway rate limit", nil, &gatewayError{Status: 429, Message: "API rate limit exceeded.", RequestID: "g", Refused: true},
			Class{Outcome: "rate_limited", Kind: "rate_limited", Source: "gateway", Reason: "API rate limit exceeded.",
				Status: 429, Code: 429, Msg: "API rate limit exceeded.", MsgEn: "API rate limit exceeded.",
				UpstreamStatus: 429, RequestID: "g"}},
		{"gateway quota", nil, &gatewayError{Status: 429, Message: "API quota exceeded.", Refused: true},
			Class{Outcome: "quota_exceeded", Kind: "quota_exceeded", Source: "gateway", Reason: "API quota exceeded.",
				Status: 429, Code: 429, Msg: "API quota exceeded.", MsgEn: "API quota exceeded.", UpstreamStatus: 429}},
		{"gateway 403, our key", nil, &gatewayError{Status: 403, Message: "HMAC signature does not match", Refused: true},
			Class{Outcome: "gateway_auth", Kind: "upstream_auth", Source: "gateway", Status: 502, Code: 502,
				Msg: "上游服务鉴权失败,请联系服务管理员", MsgEn: "the function's upstream credentials were rejected",
				UpstreamStatus: 403, Loud: true}},
		{"gateway 401 without the gateway's body", nil, &gatewayError{Status: 401},
			Class{Outcome: "gateway_auth", Kind: "upstream_auth", Source: "gateway", Status: 502, Code: 502,
				Msg: "上游服务鉴权失败,请联系服务管理员", MsgEn: "the function's upstream credentials were rejected",
				UpstreamStatus: 401, Loud: true, MayHaveReached: true}},
		{"gateway 504", nil, &gatewayError{Status: 504, Message: "Gateway Timeout"},
			Class{Outcome: "timeout", Kind: "upstream_timeout", Source: "gateway", Reason: "gateway_timeout", Status: 504, Code: 504,
				Msg: "上游服务超时", MsgEn: "the upstream timed out", UpstreamStatus: 504, MayHaveReached: true}},
		{"gateway 502", nil, &gatewayError{Status: 502},
			Class{Outcome: "gateway_5xx", Kind: "upstream_unavailable", Source: "gateway", Reason: "Bad Gateway", Status: 502, Code: 502,
				Msg: "上游服务异常", MsgEn: "the upstream gateway failed", UpstreamStatus: 502, MayHaveReached: true}},
		{"redirect", nil, &gatewayError{Status: 302},
			Class{Outcome: "gateway_error", Kind: "upstream_unavailable", Source: "gateway", Reason: "Found", Status: 502, Code: 502,
				Msg: "上游服务异常", MsgEn: "the upstream gateway failed", UpstreamStatus: 302, MayHaveReached: true}},
		{"gateway 404 refused", nil, &gatewayError{Status: 404, Message: "There is no api match uri[/x]", Refused: true},
			Class{Outcome: "gateway_error", Kind: "upstream_unavailable", Source: "gateway", Reason: "Not Found", Status: 502, Code: 502,
				Msg: "上游服务异常", MsgEn: "the upstream gateway failed", UpstreamStatus: 404}},

		{"seller 400", nil, &sellerError{Code: 400, Msg: "格式错误", RequestID: "s"},
			Class{Outcome: "seller_error", Kind: "seller", Source: "seller", Reason: "Bad Request", Status: 400, Code: 400,
				Msg: "格式错误", MsgEn: "invalid parameters", SellerCode: 400, RequestID: "s", MayHaveReached: true}},
		{"seller 404", nil, &sellerError{Code: 404, Msg: "请求资源不存在"},
			Class{Outcome: "seller_error", Kind: "seller", Source: "seller", Reason: "Not Found", Status: 502, Code: 404,
				Msg: "请求资源不存在", MsgEn: "resource not found", SellerCode: 404, MayHaveReached: true}},
		{"seller 500", nil, &sellerError{Code: 500, Msg: "系统内部错误"},
			Class{Outcome: "seller_error", Kind: "seller", Source: "seller", Reason: "Internal Server Error", Status: 502, Code: 500,
				Msg: "系统内部错误", MsgEn: "internal error, contact the provider", SellerCode: 500, MayHaveReached: true}},
		{"seller 501", nil, &sellerError{Code: 501, Msg: "第三方服务异常"},
			Class{Outcome: "seller_error", Kind: "seller", Source: "seller", Reason: "Not Implemented", Status: 502, Code: 501,
				Msg: "第三方服务异常", MsgEn: "third-party service error", SellerCode: 501, MayHaveReached: true}},
		{"seller 604", nil, &sellerError{Code: 604, Msg: "接口停用"},
			Class{Outcome: "seller_error", Kind: "seller", Source: "seller", Status: 503, Code: 604,
				Msg: "接口停用", MsgEn: "API discontinued", SellerCode: 604, MayHaveReached: true}},
		{"seller code undocumented", nil, &sellerError{Code: 999, Msg: "?"},
			Class{Outcome: "seller_error", Kind: "seller", Source: "seller", Status: 502, Code: 999,
				Msg: "?", SellerCode: 999, MayHaveReached: true}},

		{"dial refused", nil, &TransportError{Op: "dial"},
			Class{Outcome: "transport_unsent", Kind: "upstream_unavailable", Source: "transport", Reason: "dial",
				Status: 502, Code: 502, Msg: "上游服务连接失败", MsgEn: "could not reach the upstream"}},
		{"dial timeout", nil, &TransportError{Op: "dial", Timeout: true},
			Class{Outcome: "transport_unsent", Kind: "upstream_timeout", Source: "transport", Reason: "dial_timeout",
				Status: 504, Code: 504, Msg: "上游服务超时", MsgEn: "the upstream did not answer in time"}},
		{"untrusted certificate", nil, &TransportError{Op: "tls"},
			Class{Outcome: "transport_unsent", Kind: "upstream_unavailable", Source: "transport", Reason: "tls",
				Status: 502, Code: 502, Msg: "上游服务连接失败", MsgEn: "could not reach the upstream", Loud: true}},
		{"no time left", nil, &TransportError{Op: "deadline", Timeout: true},
			Class{Outcome: "transport_unsent", Kind: "upstream_timeout", Source: "transport", Reason: "deadline_timeout",
				Status: 504, Code: 504, Msg: "上游服务超时", MsgEn: "the upstream did not answer in time"}},
		{"reset after sending", nil, &TransportError{Op: "write", Sent: true},
			Class{Outcome: "transport_error", Kind: "upstream_unavailable", Source: "transport", Reason: "write",
				Status: 502, Code: 502, Msg: "上游服务连接失败", MsgEn: "could not reach the upstream", MayHaveReached: true}},
		{"stalled answer", nil, &TransportError{Op: "read", Sent: true, Timeout: true},
			Class{Outcome: "timeout", Kind: "upstream_timeout", Source: "transport", Reason: "read_timeout",
				Status: 504, Code: 504, Msg: "上游服务超时", MsgEn: "the upstream did not answer in time", MayHaveReached: true}},

		{"malformed answer", nil, &responseError{Status: 200, Reason: "malformed", RequestID: "r"},
			Class{Outcome: "malformed", Kind: "upstream_malformed", Source: "response", Reason: "malformed", Status: 502, Code: 502,
				Msg: "上游服务返回异常", MsgEn: "the upstream's answer could not be read", UpstreamStatus: 200, RequestID: "r",
				MayHaveReached: true}},
		{"billed but unusable", nil, &responseError{Status: 200, Reason: "malformed", Billed: true},
			Class{Outcome: "malformed", Kind: "upstream_malformed", Source: "response", Reason: "malformed", Status: 502, Code: 502,
				Msg: "上游服务返回异常", MsgEn: "the upstream's answer could not be read", UpstreamStatus: 200,
				MayHaveReached: true, Billed: true}},

		{"anything else", nil, errors.New("core: build request: bad URL"),
			Class{Outcome: "error", Kind: "internal", Source: "internal", Status: 500, Code: 500,
				Msg: "内部错误", MsgEn: "internal error", Loud: true, MayHaveReached: true}},
		{"anything else that proves it was not sent", nil, notSent{},
			Class{Outcome: "error", Kind: "internal", Source: "internal", Status: 500, Code: 500,
				Msg: "内部错误", MsgEn: "internal error", Loud: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Classify(tc.res, tc.err); got != tc.want {
				t.Errorf("Classify =\n%+v\nwant\n%+v", got, tc.want)
			}
		})
	}
}

// notSent is an error of another package that knows it sent nothing.
type notSent struct{}

func (notSent) Error() string        { return "store unavailable" }
func (notSent) MayHaveReached() bool { return false }
