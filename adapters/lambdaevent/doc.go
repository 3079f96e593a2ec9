// Package lambdaevent adapts AWS Lambda events to the shared pieces: API
// Gateway REST (payload 1.0), HTTP API (payload 2.0) and Function URL
// events to the one http.Handler, and S3 notifications to upload.Event for
// the upload pipeline. ALB and API Gateway WebSocket events are told apart
// only to be refused (UnsupportedEventError).
//
// Responses are buffered (lambdaurl.Wrap serves only RESPONSE_STREAM
// Function URLs). See
// https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
// and https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html.
package lambdaevent
