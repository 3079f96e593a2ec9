package lambdaevent

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
	"github.com/faceid-verify/faceid/adapters/httpevent"
	"github.com/faceid-verify/faceid/adapters/upload"
)

// ServeJSON decodes an HTTP event of the given kind and serves it,
// returning the response event of the matching type. An event that does
// not decode gets a 400 in that type rather than a platform error. Other
// kinds (S3, and the refused ALB and WebSocket events) return nil.
func ServeJSON(ctx context.Context, h http.Handler, kind Kind, payload []byte) any {
	// Each event's body is decoded by httpevent.JSONString, which shadows
	// the SDK type's own string field: one allocation for the body, not
	// encoding/json's scratch copy and then the string.
	switch kind {
	case KindREST:
		var ev struct {
			events.APIGatewayProxyRequest
			Body httpevent.JSONString `json:"body"`
		}
		if err := json.Unmarshal(payload, &ev); err != nil {
			return RESTResponse(httpevent.Malformed())
		}
		ev.APIGatewayProxyRequest.Body = string(ev.Body)
		return ServeREST(ctx, h, ev.APIGatewayProxyRequest)
	case KindHTTPAPI:
		var ev struct {
			events.APIGatewayV2HTTPRequest
			Body httpevent.JSONString `json:"body"`
		}
		if err := json.Unmarshal(payload, &ev); err != nil {
			return HTTPAPIResponse(httpevent.Malformed())
		}
		ev.APIGatewayV2HTTPRequest.Body = string(ev.Body)
		return ServeHTTPAPI(ctx, h, ev.APIGatewayV2HTTPRequest)
	case KindFunctionURL:
		var ev struct {
			events.LambdaFunctionURLRequest
			Body httpevent.JSONString `json:"body"`
		}
		if err := json.Unmarshal(payload, &ev); err != nil {
			return FunctionURLResponse(httpevent.Malformed())
		}
		ev.LambdaFunctionURLRequest.Body = string(ev.Body)
		return ServeFunctionURL(ctx, h, ev.LambdaFunctionURLRequest)
	}
	return nil
}

// ParseS3Event decodes an S3 notification and converts it as UploadEvents
// does. A key that is not valid URL encoding fails the whole decode
// (aws-lambda-go decodes keys while unmarshalling).
func ParseS3Event(payload []byte) ([]upload.Event, error) {
	var ev events.S3Event
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, fmt.Errorf("s3 event: %w", err)
	}
	return UploadEvents(ev)
}
