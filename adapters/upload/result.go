package upload

import (
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
	// OutcomeUpstreamError: the seller answered with an error code.
	OutcomeUpstreamError = "upstream_error"
	// OutcomeUnknown: the call may have reached the seller (and cost ¥1)
	// but no usable answer came back (the gateway failed after forwarding,
	// the connection broke, the answer could not be read), or the attempt
	// died midway. It is never retried automatically.
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

// ErrorInfo describes why there is no verdict, in core.Classify's words,
// which never carry the rejected values.
type ErrorInfo struct {
	// Kind: validation, seller, gateway, transport, response; circuit_open,
	// budget_exhausted or client_closed for a call refused before sending;
	// interrupted or internal (core.Class.Source).
	Kind      string `json:"kind"`
	Field     string `json:"field,omitempty"`
	Reason    string `json:"reason,omitempty"`
	Message   string `json:"message"`
	MessageEn string `json:"message_en,omitempty"`
	// Status is the upstream's HTTP status (gateway, response); Code the
	// seller's error code.
	Status int `json:"status,omitempty"`
	Code   int `json:"code,omitempty"`
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

// failed records an error from validation or the call, as core.Classify
// classifies it: the outcome, and what the result says of the error.
func (r *Result) failed(err error) {
	c := core.Classify(nil, err)
	switch {
	case c.Kind == "validation":
		r.Outcome = OutcomeInvalid
	case !c.MayHaveReached:
		r.Outcome = OutcomeNotSent
	case c.Source == "seller":
		r.Outcome = OutcomeUpstreamError
	default:
		r.Outcome = OutcomeUnknown
	}
	r.RequestID = c.RequestID
	r.Error = &ErrorInfo{
		Kind: c.Source, Field: c.Field, Reason: c.Reason, Message: clip(c.Msg), MessageEn: c.MsgEn,
		Status: c.UpstreamStatus, Code: c.SellerCode,
		Sent: c.Source == "transport" && c.MayHaveReached,
	}
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
