package lambdaevent

import (
	"context"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/faceid-verify/faceid/adapters/httphandler"
)

// withRequestID passes the id to show for an HTTP event to the handler:
// the gateway's or URL's own request id (the one its caller can see),
// else the Lambda invocation's.
func withRequestID(ctx context.Context, eventID string) context.Context {
	id := eventID
	if id == "" {
		if lc, ok := lambdacontext.FromContext(ctx); ok {
			id = lc.AwsRequestID
		}
	}
	if id == "" {
		return ctx
	}
	return httphandler.WithRequestID(ctx, id)
}
