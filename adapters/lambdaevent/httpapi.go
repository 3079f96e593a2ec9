package lambdaevent

import (
	"context"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/faceid-verify/faceid/adapters/httpevent"
)

// HTTPAPIRequest describes an HTTP API (payload 2.0) event's request.
func HTTPAPIRequest(ev events.APIGatewayV2HTTPRequest) httpevent.Request {
	rc := ev.RequestContext
	return v2Request(rc.HTTP.Method, stripStage(ev.RawPath, rc.Stage, rc.DomainName),
		ev.RawQueryString, ev.Headers, ev.Cookies, ev.Body, ev.IsBase64Encoded, rc.HTTP.SourceIP)
}

// stripStage removes a named stage's leading path segment, which HTTP APIs
// put in rawPath on their execute-api host (a custom domain's mapping
// puts none there, and $default never appears).
func stripStage(path, stage, domain string) string {
	if stage == "" || stage == "$default" {
		return path
	}
	if domain != "" && !strings.Contains(domain, ".execute-api.") {
		return path
	}
	rest, ok := strings.CutPrefix(path, "/"+stage)
	if !ok || (rest != "" && rest[0] != '/') {
		return path
	}
	if rest == "" {
		return "/"
	}
	return rest
}

// v2Request is shared by HTTP API and Function URL events, which carry a
// request the same way.
func v2Request(method, path, rawQuery string, headers map[string]string, cookies []string,
	body string, b64 bool, ip string) httpevent.Request {
	h := httpevent.Header(headers, nil)
	if len(cookies) > 0 {
		// Payload 2.0 moves the Cookie header into its own field.
		h.Set("Cookie", strings.Join(cookies, "; "))
	}
	return httpevent.Request{
		Method: method, Path: path, RawQuery: rawQuery, Header: h,
		Body: body, Base64: b64, SourceIP: ip,
	}
}

// HTTPAPIResponse converts a recorded answer to the HTTP API response
// event: one value per header name, Set-Cookie in cookies.
func HTTPAPIResponse(r httpevent.Response) events.APIGatewayV2HTTPResponse {
	return events.APIGatewayV2HTTPResponse{
		StatusCode:      r.StatusCode,
		Headers:         r.SingleHeaders(false),
		Body:            r.Body,
		IsBase64Encoded: r.IsBase64Encoded,
		Cookies:         r.Cookies(),
	}
}

// ServeHTTPAPI runs h on an HTTP API event.
func ServeHTTPAPI(ctx context.Context, h http.Handler, ev events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	ctx = withRequestID(httpevent.WithEvent(ctx, KindHTTPAPI.String()), ev.RequestContext.RequestID)
	return HTTPAPIResponse(httpevent.Serve(ctx, h, HTTPAPIRequest(ev)))
}
