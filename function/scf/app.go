package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"

	"github.com/faceid-verify/faceid/adapters/httpevent"
	"github.com/faceid-verify/faceid/adapters/scfevent"
	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/tencentyun/scf-go-lib/functioncontext"
)

// builders construct the app's parts from the environment of the
// invocation they first run in.
type builders struct {
	handler  func(ctx context.Context) (http.Handler, error)
	pipeline func(ctx context.Context) (upload.Processor, error)
}

// app is the SCF handler (cloudfunction.Handler): it tells the event's
// shape apart and hands it to the HTTP handler or the upload pipeline,
// each built once, on first use.
type app struct {
	log      *slog.Logger
	build    builders
	handler  lazy[http.Handler]
	pipeline lazy[upload.Processor]
}

func newApp(log *slog.Logger, b builders) *app {
	return &app{log: log, build: b}
}

// Invoke implements cloudfunction.Handler.
func (a *app) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	kind := scfevent.Detect(payload)
	log := a.log.With("event", kind.String())
	if fc, ok := functioncontext.FromContext(ctx); ok {
		log = log.With("invoke_id", fc.RequestID)
	}
	switch kind {
	case scfevent.KindFunctionURL, scfevent.KindAPIGateway:
		h, err := a.handler.get(ctx, a.build.handler)
		if err != nil {
			// Configuration is the operator's problem: say so in the logs,
			// and give callers a plain 503 rather than the error text.
			log.Error("function not configured", "error", err.Error())
			return json.Marshal(scfevent.Response(unavailable()))
		}
		return json.Marshal(scfevent.ServeJSON(ctx, h, payload))
	case scfevent.KindCOS:
		return nil, a.uploads(ctx, log, payload)
	}
	log.Warn("unsupported event", "bytes", len(payload))
	return nil, errors.New("unsupported event: expected a Function URL, API Gateway or COS event")
}

// uploads runs the pipeline on every new object in a COS event (see
// upload.ProcessAll for when SCF is asked to retry; it also is while the
// pipeline cannot be built). Unreadable records are logged and dropped,
// since a redelivery would be just as unreadable.
func (a *app) uploads(ctx context.Context, log *slog.Logger, payload []byte) error {
	evs, err := scfevent.ParseCOSEvent(payload)
	if err != nil {
		log.Error("cos records dropped", "error", err.Error())
	}
	if len(evs) == 0 {
		return nil
	}
	p, err := a.pipeline.get(ctx, a.build.pipeline)
	if err != nil {
		log.Error("upload pipeline not configured", "error", err.Error())
		return fmt.Errorf("upload pipeline not configured: %w", err)
	}
	return upload.ProcessAll(ctx, log, p, evs)
}

// unavailable is the answer while the function cannot be configured.
func unavailable() httpevent.Response {
	return httpevent.Response{
		StatusCode: http.StatusServiceUnavailable,
		Header:     http.Header{"Content-Type": {"application/json; charset=utf-8"}},
		Body:       `{"message":"service not configured"}` + "\n",
	}
}

// lazy builds a value once, on first use; a failed build is not cached,
// so a later invocation with a corrected environment succeeds.
type lazy[T any] struct {
	mu  sync.Mutex
	v   T
	set bool
}

func (l *lazy[T]) get(ctx context.Context, build func(context.Context) (T, error)) (T, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.set {
		return l.v, nil
	}
	v, err := build(ctx)
	if err != nil {
		return v, err
	}
	l.v, l.set = v, true
	return v, nil
}
