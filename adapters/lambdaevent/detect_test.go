package lambdaevent

import (
	_ "embed"
	"strings"
	"testing"
)

// ALB and WebSocket events, shaped like AWS's published samples
// (aws-lambda-go events/testdata alb-lambda-target-request-*.json and
// apigw-websocket-request*.json), each carrying a verification request.
var (
	//go:embed testdata/alb-post.json
	albPost []byte
	//go:embed testdata/alb-post-multivalue.json
	albPostMultiValue []byte
	//go:embed testdata/websocket-connect.json
	webSocketConnect []byte
	//go:embed testdata/websocket-message.json
	webSocketMessage []byte
)

func TestDetect(t *testing.T) {
	tests := map[string]struct {
		payload []byte
		want    Kind
	}{
		"rest":     {restPost, KindREST},
		"http api": {httpAPIPost, KindHTTPAPI},
		"http api, $default route": {[]byte(`{"version":"2.0","routeKey":"$default","rawPath":"/verify",
			"requestContext":{"domainName":"abcdef1234.execute-api.us-east-1.amazonaws.com","routeKey":"$default","stage":"$default","http":{"method":"POST"}}}`), KindHTTPAPI},
		"http api, custom domain": {[]byte(`{"routeKey":"$default","requestContext":{"domainName":"api.example.com","http":{"method":"POST"}}}`), KindHTTPAPI},
		// Function URLs send routeKey "$default" like an HTTP API's default route.
		"function url": {functionURLPost, KindFunctionURL},
		"function url, no routeKey": {[]byte(`{"version":"2.0","rawPath":"/my/path",
			"requestContext":{"domainName":"abc.lambda-url.us-west-2.on.aws","http":{"method":"POST"}}}`), KindFunctionURL},
		"function url, no domain, no routeKey": {[]byte(`{"rawPath":"/u","requestContext":{"http":{"method":"POST"}}}`), KindFunctionURL},
		"domain not a string":                  {[]byte(`{"routeKey":"$default","requestContext":{"domainName":1,"http":{"method":"POST"}}}`), KindHTTPAPI},
		"alb":                                  {albPost, KindALB},
		"alb, multi-value headers":             {albPostMultiValue, KindALB},
		"websocket $connect":                   {webSocketConnect, KindWebSocket},
		"websocket message":                    {webSocketMessage, KindWebSocket},
		"websocket $disconnect": {[]byte(`{"headers":{"Host":"abcdef1234.execute-api.us-east-1.amazonaws.com"},
			"requestContext":{"routeKey":"$disconnect","disconnectStatusCode":1001,"eventType":"DISCONNECT","connectionId":"R1kmxc2VNjMCFIA="},"isBase64Encoded":false}`), KindWebSocket},
		"s3":                  {s3Put, KindS3},
		"sqs":                 {[]byte(`{"Records":[{"messageId":"1","body":"x"}]}`), KindUnknown},
		"empty records":       {[]byte(`{"Records":[]}`), KindUnknown},
		"cos":                 {[]byte(`{"Records":[{"cos":{}}]}`), KindUnknown},
		"context not object":  {[]byte(`{"httpMethod":"GET","requestContext":"x"}`), KindUnknown},
		"method not a string": {[]byte(`{"httpMethod":["GET"]}`), KindUnknown},
		"scheduled":           {[]byte(`{"source":"aws.events","detail-type":"Scheduled Event"}`), KindUnknown},
		"null":                {[]byte(`null`), KindUnknown},
		"not json":            {[]byte(`}`), KindUnknown},
	}
	for name, tc := range tests {
		if got := Detect(tc.payload); got != tc.want {
			t.Errorf("%s: Detect = %v, want %v", name, got, tc.want)
		}
	}
}

// TestUnsupportedEventError: a refused kind is named, with what to use
// instead.
func TestUnsupportedEventError(t *testing.T) {
	for kind, want := range map[Kind]string{
		KindALB:       "unsupported event: Application Load Balancer requests are not served; invoke the function through ",
		KindWebSocket: "unsupported event: API Gateway WebSocket messages are not served; invoke the function through ",
		KindUnknown:   "unsupported event: expected an API Gateway, Function URL or S3 event",
	} {
		if got := (&UnsupportedEventError{Kind: kind}).Error(); !strings.HasPrefix(got, want) {
			t.Errorf("%v: %q", kind, got)
		}
	}
}
