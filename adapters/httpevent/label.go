package httpevent

import (
	"context"
	"log/slog"
)

// EventAttr is the log attribute that names the kind of platform event a
// request came in ("function_url", "apigw_http"…).
const EventAttr = "event"

type eventKey struct{}

// WithEvent labels ctx with the kind of event being served. Adapters set
// it; LogHandler puts it on every record logged with that context, so the
// shared handler's lines say which trigger a request used without the
// handler knowing about platforms.
func WithEvent(ctx context.Context, kind string) context.Context {
	return context.WithValue(ctx, eventKey{}, kind)
}

// Event returns the label WithEvent set, or "".
func Event(ctx context.Context) string {
	s, _ := ctx.Value(eventKey{}).(string)
	return s
}

// LogHandler wraps h so that records logged with a context labelled by
// WithEvent carry it as the EventAttr attribute. Records logged without a
// context (slog's Info rather than InfoContext) are passed on unchanged.
func LogHandler(h slog.Handler) slog.Handler { return eventHandler{h} }

type eventHandler struct{ slog.Handler }

func (h eventHandler) Handle(ctx context.Context, r slog.Record) error {
	if kind := Event(ctx); kind != "" {
		r = r.Clone()
		r.AddAttrs(slog.String(EventAttr, kind))
	}
	return h.Handler.Handle(ctx, r)
}

func (h eventHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return eventHandler{h.Handler.WithAttrs(attrs)}
}

func (h eventHandler) WithGroup(name string) slog.Handler {
	return eventHandler{h.Handler.WithGroup(name)}
}
