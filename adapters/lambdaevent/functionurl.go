package lambdaevent

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/faceid-verify/faceid/adapters/httpevent"
)

// FunctionURLRequest describes a Function URL event's request.
func FunctionURLRequest(ev events.LambdaFunctionURLRequest) httpevent.Request {
	rc := ev.RequestContext
	return v2Request(rc.HTTP.Method, ev.RawPath, ev.RawQueryString, ev.Headers, ev.Cookies,
		ev.Body, ev.IsBase64Encoded, rc.HTTP.SourceIP)
}

// FunctionURLResponse converts a recorded answer to a (BUFFERED) Function
// URL response event.
func FunctionURLResponse(r httpevent.Response) events.LambdaFunctionURLResponse {
	return events.LambdaFunctionURLResponse{
		StatusCode:      r.StatusCode,
		Headers:         r.SingleHeaders(false),
		Body:            r.Body,
		IsBase64Encoded: r.IsBase64Encoded,
		Cookies:         r.Cookies(),
	}
}

// ServeFunctionURL runs h on a Function URL event.
func ServeFunctionURL(ctx context.Context, h http.Handler, ev events.LambdaFunctionURLRequest) events.LambdaFunctionURLResponse {
	ctx = withRequestID(httpevent.WithEvent(ctx, KindFunctionURL.String()), ev.RequestContext.RequestID)
	return FunctionURLResponse(httpevent.Serve(ctx, h, FunctionURLRequest(ev)))
}
