package scf

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/faceid-verify/faceid/adapters/httpapi"
	"github.com/faceid-verify/faceid/adapters/httpevent"
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

// RequestID is the id to show for the event: API Gateway's own request id
// (the one its caller sees), else the invocation's (Function URL events
// carry none of their own).
func RequestID(ctx context.Context, ev HTTPRequest) string {
	if ev.Context.RequestID != "" {
		return ev.Context.RequestID
	}
	if fc, ok := functioncontext.FromContext(ctx); ok {
		return fc.RequestID
	}
	return ""
}

// Serve runs h on an SCF HTTP event and returns its response event.
func Serve(ctx context.Context, h http.Handler, ev HTTPRequest) events.APIGatewayResponse {
	if id := RequestID(ctx, ev); id != "" {
		ctx = httpapi.WithRequestID(ctx, id)
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
