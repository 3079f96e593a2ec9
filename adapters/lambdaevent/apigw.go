package lambdaevent

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/faceid-verify/faceid/adapters/httpevent"
)

// RESTRequest describes an API Gateway REST (payload 1.0) event's request.
// The multi-value maps carry every value; the single-value ones only the
// last, so the former win.
func RESTRequest(ev events.APIGatewayProxyRequest) httpevent.Request {
	q := httpevent.Query(ev.MultiValueQueryStringParameters)
	if len(ev.MultiValueQueryStringParameters) == 0 {
		q = httpevent.SingleQuery(ev.QueryStringParameters)
	}
	return httpevent.Request{
		Method:   ev.HTTPMethod,
		Path:     ev.Path,
		RawQuery: q,
		Header:   httpevent.Header(ev.Headers, ev.MultiValueHeaders),
		Body:     ev.Body,
		Base64:   ev.IsBase64Encoded,
		SourceIP: ev.RequestContext.Identity.SourceIP,
	}
}

// RESTResponse converts a recorded answer to the REST response event. Both
// header maps are set: API Gateway merges them, multi-value winning.
func RESTResponse(r httpevent.Response) events.APIGatewayProxyResponse {
	return events.APIGatewayProxyResponse{
		StatusCode:        r.StatusCode,
		Headers:           r.SingleHeaders(false),
		MultiValueHeaders: r.MultiHeaders(),
		Body:              r.Body,
		IsBase64Encoded:   r.IsBase64Encoded,
	}
}

// ServeREST runs h on a REST API event.
func ServeREST(ctx context.Context, h http.Handler, ev events.APIGatewayProxyRequest) events.APIGatewayProxyResponse {
	ctx = withRequestID(httpevent.WithEvent(ctx, KindREST.String()), ev.RequestContext.RequestID)
	return RESTResponse(httpevent.Serve(ctx, h, RESTRequest(ev)))
}
