package lambda

import (
	"bytes"
	"encoding/json"
)

// Kind is the shape of a Lambda event.
type Kind int

// Event shapes one function handles.
const (
	KindUnknown Kind = iota
	KindREST
	KindHTTPAPI
	KindFunctionURL
	KindS3
)

func (k Kind) String() string {
	switch k {
	case KindREST:
		return "apigw_rest"
	case KindHTTPAPI:
		return "apigw_http"
	case KindFunctionURL:
		return "function_url"
	case KindS3:
		return "s3"
	}
	return "unknown"
}

// probe decodes only what tells the shapes apart, as raw JSON so a field
// of an unexpected type cannot fail it.
type probe struct {
	Records        []map[string]json.RawMessage `json:"Records"`
	HTTPMethod     json.RawMessage              `json:"httpMethod"`
	RouteKey       json.RawMessage              `json:"routeKey"`
	RequestContext struct {
		HTTP json.RawMessage `json:"http"`
	} `json:"requestContext"`
}

// Detect names an event's shape: Records[0].s3 is an S3 notification;
// requestContext.http is payload 2.0 (an HTTP API when it names a
// routeKey, else a Function URL); httpMethod is a REST (1.0) event.
func Detect(payload []byte) Kind {
	var p probe
	if err := json.Unmarshal(payload, &p); err != nil {
		return KindUnknown
	}
	switch {
	case len(p.Records) > 0:
		if present(p.Records[0]["s3"]) {
			return KindS3
		}
	case present(p.RequestContext.HTTP):
		if isString(p.RouteKey) {
			return KindHTTPAPI
		}
		return KindFunctionURL
	case isString(p.HTTPMethod):
		return KindREST
	}
	return KindUnknown
}

func present(raw json.RawMessage) bool {
	return len(raw) > 0 && !bytes.Equal(raw, []byte("null"))
}

func isString(raw json.RawMessage) bool {
	var s string
	return present(raw) && json.Unmarshal(raw, &s) == nil && s != ""
}
