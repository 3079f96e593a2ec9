package lambdaevent

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Kind is the shape of a Lambda event.
type Kind int

// Event shapes the function tells apart. KindALB and KindWebSocket are
// recognised only to be refused (see UnsupportedEventError): their
// requests and answers differ from API Gateway's.
const (
	KindUnknown Kind = iota
	KindREST
	KindHTTPAPI
	KindFunctionURL
	KindS3
	KindALB
	KindWebSocket
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
	case KindALB:
		return "alb"
	case KindWebSocket:
		return "apigw_websocket"
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
		HTTP         json.RawMessage `json:"http"`
		DomainName   json.RawMessage `json:"domainName"`
		ELB          json.RawMessage `json:"elb"`
		ConnectionID json.RawMessage `json:"connectionId"`
		EventType    json.RawMessage `json:"eventType"`
	} `json:"requestContext"`
}

// Detect names an event's shape: Records[0].s3 is an S3 notification;
// requestContext.elb an ALB target group request; requestContext's
// connectionId or eventType an API Gateway WebSocket message (whose
// $connect also carries httpMethod); requestContext.http is payload 2.0,
// a Function URL when its domainName is a Lambda URL host, else an HTTP
// API when it names a routeKey (Function URLs send "$default" too);
// httpMethod is a REST (1.0) event.
func Detect(payload []byte) Kind {
	var p probe
	if err := json.Unmarshal(payload, &p); err != nil {
		return KindUnknown
	}
	rc := p.RequestContext
	switch {
	case len(p.Records) > 0:
		if present(p.Records[0]["s3"]) {
			return KindS3
		}
	case present(rc.ELB):
		return KindALB
	case isString(rc.ConnectionID), isString(rc.EventType):
		return KindWebSocket
	case present(rc.HTTP):
		if isFunctionURLHost(rc.DomainName) || !isString(p.RouteKey) {
			return KindFunctionURL
		}
		return KindHTTPAPI
	case isString(p.HTTPMethod):
		return KindREST
	}
	return KindUnknown
}

// isFunctionURLHost reports whether a requestContext.domainName is a
// Function URL's <url-id>.lambda-url.<region>.on.aws; HTTP APIs answer on
// execute-api hosts or custom domains.
func isFunctionURLHost(raw json.RawMessage) bool {
	var s string
	return present(raw) && json.Unmarshal(raw, &s) == nil && strings.Contains(s, ".lambda-url.")
}

func present(raw json.RawMessage) bool {
	return len(raw) > 0 && !bytes.Equal(raw, []byte("null"))
}

func isString(raw json.RawMessage) bool {
	var s string
	return present(raw) && json.Unmarshal(raw, &s) == nil && s != ""
}
