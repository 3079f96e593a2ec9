package scfevent

import (
	"bytes"
	"encoding/json"

	"github.com/tencentyun/scf-go-lib/events"
)

// Kind is the shape of an SCF event.
type Kind int

// Event shapes one function handles.
const (
	KindUnknown Kind = iota
	KindFunctionURL
	KindAPIGateway
	KindCOS
)

func (k Kind) String() string {
	switch k {
	case KindFunctionURL:
		return "function_url"
	case KindAPIGateway:
		return "apigw"
	case KindCOS:
		return "cos"
	}
	return "unknown"
}

// probe decodes only what tells the shapes apart; every field is raw so a
// field of an unexpected type cannot fail the probe.
type probe struct {
	Records        []map[string]json.RawMessage `json:"Records"`
	HTTPMethod     json.RawMessage              `json:"httpMethod"`
	RequestContext json.RawMessage              `json:"requestContext"`
}

// Detect names an event's shape: Records[0].cos is a COS upload;
// httpMethod is an HTTP event, from API Gateway when it has a
// requestContext, else from a Function URL.
func Detect(payload []byte) Kind {
	var p probe
	if err := json.Unmarshal(payload, &p); err != nil {
		// A Records field of another shape (timer, CMQ…) lands here too.
		return KindUnknown
	}
	if len(p.Records) > 0 {
		if present(p.Records[0]["cos"]) {
			return KindCOS
		}
		return KindUnknown
	}
	if !isString(p.HTTPMethod) {
		return KindUnknown
	}
	var rc events.APIGatewayRequestContext
	if present(p.RequestContext) && json.Unmarshal(p.RequestContext, &rc) == nil &&
		rc != (events.APIGatewayRequestContext{}) {
		return KindAPIGateway
	}
	return KindFunctionURL
}

func present(raw json.RawMessage) bool {
	return len(raw) > 0 && !bytes.Equal(raw, []byte("null"))
}

func isString(raw json.RawMessage) bool {
	var s string
	return present(raw) && json.Unmarshal(raw, &s) == nil && s != ""
}
