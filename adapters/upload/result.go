package upload

import (
	"errors"
	"time"

	"github.com/faceid-verify/faceid/core"
)

// Outcomes recorded in a result object.
const (
	// OutcomeVerified: the seller compared; see Passed, Verdict, Incorrect.
	OutcomeVerified = "verified"
	// OutcomeInvalid: the metadata or photo failed a local check; no paid
	// call was made.
	OutcomeInvalid = "invalid"
	// OutcomeUpstreamError: the seller or gateway answered with an error.
	OutcomeUpstreamError = "upstream_error"
	// OutcomeUnknown: the call may have reached the seller (and cost ¥1)
	// but no usable answer came back, or the attempt died midway. It is
	// never retried automatically.
	OutcomeUnknown = "unknown"
	// OutcomeNotSent: the call provably never reached the upstream; the
	// claim was released and the platform's retry will try again.
	OutcomeNotSent = "not_sent"
)

// resultSchema versions the result object's layout.
const resultSchema = 1

// Result is the JSON document written to <ResultPrefix><key>.json. It holds
// masked personal data only: never the ID number, the name, the photo or a
// URL to it.
type Result struct {
	Schema    int        `json:"schema"`
	Outcome   string     `json:"outcome"`
	Passed    bool       `json:"passed"`
	Verdict   string     `json:"verdict,omitempty"`
	Score     *float64   `json:"score,omitempty"`
	Incorrect *Incorrect `json:"incorrect,omitempty"`
	OrderNo   string     `json:"order_no,omitempty"`
	// RequestID is the gateway's X-Api-RequestId, for support tickets.
	RequestID string       `json:"request_id,omitempty"`
	Person    Person       `json:"person"`
	Object    ObjectRecord `json:"object"`
	// Claim is the hashed object-version identity the paid call was made
	// under; empty when no claim was needed (invalid input).
	Claim string     `json:"claim,omitempty"`
	Times Times      `json:"times"`
	Error *ErrorInfo `json:"error,omitempty"`
}

// Incorrect is the seller's comparison code and its meanings.
type Incorrect struct {
	Code int    `json:"code"`
	Zh   string `json:"zh,omitempty"`
	En   string `json:"en,omitempty"`
}

// Person is who the upload claims to show, masked (core/mask).
type Person struct {
	IDCard string `json:"idcard_masked"`
	Name   string `json:"name_masked"`
}

// ObjectRecord is the verified object version. Its Key is masked
// (mask.Key): the result's own name already says which object it is for.
type ObjectRecord struct {
	Platform  string `json:"platform,omitempty"`
	Bucket    string `json:"bucket"`
	Key       string `json:"key"`
	VersionID string `json:"version_id,omitempty"`
	ETag      string `json:"etag,omitempty"`
	Size      int64  `json:"size"`
}

// Times are the event's and the processing's timestamps.
type Times struct {
	Event      *time.Time `json:"event,omitempty"`
	Started    time.Time  `json:"started"`
	Called     *time.Time `json:"called,omitempty"`
	Finished   time.Time  `json:"finished"`
	UpstreamMS int64      `json:"upstream_ms,omitempty"`
	TotalMS    int64      `json:"total_ms"`
}

// ErrorInfo describes why there is no verdict. Messages come from the typed
// errors of core, which never carry the rejected values.
type ErrorInfo struct {
	// Kind: validation, seller, gateway, transport, response, interrupted
	// or internal.
	Kind      string `json:"kind"`
	Field     string `json:"field,omitempty"`
	Reason    string `json:"reason,omitempty"`
	Message   string `json:"message"`
	MessageEn string `json:"message_en,omitempty"`
	Status    int    `json:"status,omitempty"`
	Code      int    `json:"code,omitempty"`
	// Sent tells, for transport errors, whether the request may have left.
	Sent bool `json:"sent,omitempty"`
}

// setVerdict fills the fields of a seller answer.
func (r *Result) setVerdict(res *core.Result) {
	r.Outcome = OutcomeVerified
	r.Passed = res.Passed
	r.Verdict = string(res.Verdict)
	if res.Verdict != core.VerdictNone {
		s := res.Score
		r.Score = &s
	}
	r.Incorrect = &Incorrect{Code: res.Incorrect, Zh: res.IncorrectDesc, En: res.IncorrectEn}
	r.OrderNo = res.OrderNo
	r.RequestID = res.RequestID
}

// outcomeOf maps a failed call to its outcome.
func outcomeOf(err error) string {
	var se *core.SellerError
	switch {
	case !core.MayHaveReached(err):
		return OutcomeNotSent
	case errors.As(err, &se):
		return OutcomeUpstreamError
	}
	return OutcomeUnknown
}

// describe turns an error from validation or the call into an ErrorInfo.
func describe(err error) *ErrorInfo {
	var (
		ve *core.ValidationError
		se *core.SellerError
		ge *core.GatewayError
		te *core.TransportError
		re *core.ResponseError
	)
	switch {
	case errors.As(err, &ve):
		return &ErrorInfo{Kind: "validation", Field: ve.Field, Reason: ve.Reason, Message: ve.Error(), MessageEn: ve.English}
	case errors.As(err, &se):
		return &ErrorInfo{Kind: "seller", Code: se.Code, Message: clip(se.Error())}
	case errors.As(err, &ge):
		return &ErrorInfo{Kind: "gateway", Status: ge.Status, Message: clip(ge.Error())}
	case errors.As(err, &te):
		reason := te.Op
		if te.Timeout {
			reason += "_timeout"
		}
		return &ErrorInfo{Kind: "transport", Reason: reason, Sent: te.Sent, Message: clip(te.Error())}
	case errors.As(err, &re):
		return &ErrorInfo{Kind: "response", Status: re.Status, Reason: re.Reason, Message: clip(re.Error())}
	}
	return &ErrorInfo{Kind: "internal", Message: clip(errText(err))}
}

// interrupted describes a claim whose attempt died without a result.
func interrupted() *ErrorInfo {
	return &ErrorInfo{
		Kind:    "interrupted",
		Message: "上一次处理在调用期间中断,结果未知,未重新调用",
		MessageEn: "an earlier attempt claimed this upload and stopped without a result; " +
			"it may have reached the upstream, so it was not called again",
	}
}

// clip bounds a message before it is stored.
func clip(s string) string {
	const max = 300
	if len(s) > max {
		return s[:max]
	}
	return s
}
