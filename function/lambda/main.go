// Command bootstrap is the verification function for AWS Lambda (runtime
// provided.al2023, built with -tags lambda.norpc). One binary serves API
// Gateway REST and HTTP API requests, Function URL requests and S3 upload
// events; ALB and WebSocket events are refused with an error.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/faceid-verify/faceid/adapters/httpevent"
)

func main() {
	// Records logged with a request's context name the event kind it came
	// in (function_url, apigw_http…).
	log := slog.New(httpevent.LogHandler(slog.NewJSONHandler(os.Stderr, nil)))
	// Lambda's environment is fixed for the instance, so configuration is
	// read once here; a bad one fails the init phase, loudly.
	a, err := fromEnv(context.Background(), log)
	if err != nil {
		log.Error("function not configured", "error", err.Error())
		os.Exit(1)
	}
	lambda.Start(a)
}
