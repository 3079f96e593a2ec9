package core

import (
	"errors"
	"net/http"
)

// Outcome labels a verification's result for logs and metrics: a short
// code, never an input value.
func Outcome(res *Result, err error) string {
	var (
		ve *ValidationError
		ge *GatewayError
		se *SellerError
		te *TransportError
		re *ResponseError
		co *CircuitOpenError
		be *BudgetError
		cc *ClientClosedError
	)
	switch {
	case err == nil && res != nil && res.Passed:
		return "passed"
	case err == nil:
		return "not_passed"
	case errors.As(err, &ve):
		return "invalid"
	case errors.As(err, &co):
		return "circuit_open"
	case errors.As(err, &cc):
		return "client_closed"
	case errors.As(err, &be):
		return "budget_exhausted"
	case errors.As(err, &ge):
		switch {
		case ge.QuotaExhausted():
			return "quota_exceeded"
		case ge.Limited():
			return "rate_limited"
		case ge.Auth():
			return "gateway_auth"
		case ge.Status == http.StatusGatewayTimeout:
			return "timeout"
		case ge.Status >= 500:
			return "gateway_5xx"
		}
		return "gateway_error"
	case errors.As(err, &se):
		return "seller_error"
	case errors.As(err, &te):
		switch {
		case !te.Sent:
			return "transport_unsent"
		case te.Timeout:
			return "timeout"
		}
		return "transport_error"
	case errors.As(err, &re):
		return "malformed"
	}
	return "error"
}
