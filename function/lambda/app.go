package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/faceid-verify/faceid/adapters/lambdaevent"
	"github.com/faceid-verify/faceid/adapters/upload"
)

// app tells an event's shape apart and hands it to the HTTP handler or
// the upload pipeline.
type app struct {
	log      *slog.Logger
	handler  http.Handler
	pipeline upload.Processor
}

// handle is the Lambda handler. HTTP events answer with their platform's
// response event; S3 events answer null.
func (a *app) handle(ctx context.Context, payload json.RawMessage) (any, error) {
	kind := lambdaevent.Detect(payload)
	log := a.log.With("event", kind.String())
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		log = log.With("invoke_id", lc.AwsRequestID)
	}
	switch kind {
	case lambdaevent.KindREST, lambdaevent.KindHTTPAPI, lambdaevent.KindFunctionURL:
		return lambdaevent.ServeJSON(ctx, a.handler, kind, payload), nil
	case lambdaevent.KindS3:
		return nil, a.uploads(ctx, log, payload)
	}
	// Refused: an error for the platform (see lambdaevent.UnsupportedEventError
	// for what each trigger makes of it) and a log line that names the
	// kind and size only, as the payload may hold personal data. Nothing
	// is parsed further and nothing is paid for.
	log.Warn("unsupported event", "bytes", len(payload))
	return nil, &lambdaevent.UnsupportedEventError{Kind: kind}
}

// Invoke implements the SDK's lambda.Handler, so that the payload reaches
// handle as the runtime read it: a typed handler would first decode it
// into a json.RawMessage, one more copy of a photo-sized event. The answer
// is encoded as the SDK encodes a typed handler's: HTML left unescaped,
// no trailing newline. The SDK reuses payload's storage for the next
// event once Invoke returns, so nothing may keep a reference to it (no
// unsafe string views of it): handle copies what it keeps.
func (a *app) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	out, err := a.handle(ctx, payload)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil // as the SDK does
}

// uploads runs the pipeline on every new object in an S3 event (see
// upload.ProcessAll for when Lambda is asked to retry). Unreadable records
// are logged and dropped, since a redelivery would be just as unreadable.
func (a *app) uploads(ctx context.Context, log *slog.Logger, payload []byte) error {
	evs, err := lambdaevent.ParseS3Event(payload)
	if err != nil {
		log.Error("s3 records dropped", "error", err.Error())
	}
	return upload.ProcessAll(ctx, log, a.pipeline, evs)
}
