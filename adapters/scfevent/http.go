package scfevent

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/faceid-verify/faceid/adapters/httpevent"
	"github.com/faceid-verify/faceid/adapters/httphandler"
	"github.com/tencentyun/scf-go-lib/events"
	"github.com/tencentyun/scf-go-lib/functioncontext"
)

// RemoteAddrHeader carries the client IP in Function URL events.
const RemoteAddrHeader = "x-scf-remote-addr"

// HTTPRequest is an SCF HTTP event. scf-go-lib's APIGatewayRequest lacks
// isBase64Encoded, which API Gateway sets for binary bodies.
type HTTPRequest struct {
	events.APIGatewayRequest
	IsBase64Encoded bool `json:"isBase64Encoded"`
}

// IsFunctionURL reports whether the event came from a Function URL: only
// API Gateway sends a requestContext.
func (ev HTTPRequest) IsFunctionURL() bool {
	return ev.Context == (events.APIGatewayRequestContext{})
}

// Request describes the event's HTTP request for httpevent.
func Request(ev HTTPRequest) httpevent.Request {
	h := httpevent.Header(ev.Headers, nil)
	ip := ev.Context.SourceIP
	if ip == "" {
		ip = h.Get(RemoteAddrHeader)
	}
	return httpevent.Request{
		Method:   ev.Method,
		Path:     ev.Path,
		RawQuery: httpevent.Query(ev.QueryString),
		Header:   h,
		Body:     ev.Body,
		Base64:   ev.IsBase64Encoded,
		SourceIP: ip,
	}
}

// Response converts a recorded answer to SCF's response event. Its
// headers hold one value per name; the API sets no cookies, so joining
// repeated values loses nothing here.
func Response(r httpevent.Response) events.APIGatewayResponse {
	return events.APIGatewayResponse{
		IsBase64Encoded: r.IsBase64Encoded,
		StatusCode:      r.StatusCode,
		Headers:         r.SingleHeaders(true),
		Body:            r.Body,
	}
}

// GatewayRequestIDHeader carries API Gateway's request id, the one it
// returns to its caller as X-Api-RequestId. requestContext.requestId is
// absent from the events the gateway sends, or another id.
const GatewayRequestIDHeader = "x-api-requestid"

// RequestID is the id to show for the event, the one its caller can see:
// for API Gateway its x-api-requestid header, else requestContext.requestId;
// for a Function URL (whose headers are the caller's own, so an
// x-api-requestid there proves nothing) the invocation's.
func RequestID(ctx context.Context, ev HTTPRequest) string {
	if !ev.IsFunctionURL() {
		if id := gatewayRequestID(ev.Headers); plausibleID(id) {
			return id
		}
		if plausibleID(ev.Context.RequestID) {
			return ev.Context.RequestID
		}
	}
	if fc, ok := functioncontext.FromContext(ctx); ok {
		return fc.RequestID
	}
	return ""
}

// gatewayRequestID finds the header the gateway sends in lower case, in
// any case.
func gatewayRequestID(headers map[string]string) string {
	if v, ok := headers[GatewayRequestIDHeader]; ok {
		return v
	}
	for k, v := range headers {
		if strings.EqualFold(k, GatewayRequestIDHeader) {
			return v
		}
	}
	return ""
}

// plausibleID accepts what request ids look like (hex, UUIDs, base64ish
// tokens), so whatever lands in the answer's X-Request-Id header and the
// logs is a short token, never arbitrary text.
func plausibleID(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' ||
			c == '-' || c == '_' || c == '.' || c == '=' || c == '+' || c == '/') {
			return false
		}
	}
	return true
}

// Serve runs h on an SCF HTTP event and returns its response event. The
// request is labelled with its kind for the logs (httpevent.WithEvent).
func Serve(ctx context.Context, h http.Handler, ev HTTPRequest) events.APIGatewayResponse {
	kind := KindAPIGateway
	if ev.IsFunctionURL() {
		kind = KindFunctionURL
	}
	ctx = httpevent.WithEvent(ctx, kind.String())
	if id := RequestID(ctx, ev); id != "" {
		ctx = httphandler.WithRequestID(ctx, id)
	}
	return Response(httpevent.Serve(ctx, h, Request(ev)))
}

// ServeJSON decodes an SCF HTTP event and serves it; an event that does
// not decode gets a 400 rather than a platform error.
func ServeJSON(ctx context.Context, h http.Handler, payload []byte) events.APIGatewayResponse {
	// The body is decoded by httpevent.JSONString, shadowing the embedded
	// string field: one allocation of a photo-sized body, not two.
	var ev struct {
		HTTPRequest
		Body httpevent.JSONString `json:"body"`
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		return Response(httpevent.Malformed())
	}
	ev.HTTPRequest.Body = string(ev.Body)
	return Serve(ctx, h, ev.HTTPRequest)
}
