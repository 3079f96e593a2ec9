package sandbox

import (
	"context"
	"log/slog"
	"time"
)

// event collects what one API call did, for a single log line. It holds
// no personal data: the ID number is masked, names and photos are never
// kept.
type event struct {
	rid, method, path string
	gateway           string // which gateway's scheme the path takes
	start             time.Time
	status            int    // HTTP status sent; 0 if none (reset, client gone)
	message           string // the gateway's message, when it answered itself
	key               string // SecretId (an identifier, not the secret)
	idcard            string // masked
	code, incorrect   int
	fault             string
	billable          bool
	note              string
}

func (s *Server) logEvent(ctx context.Context, ev *event) {
	attrs := []slog.Attr{
		slog.String("request_id", ev.rid),
		slog.String("method", ev.method),
		slog.String("path", ev.path),
		slog.String("gateway", ev.gateway),
		slog.Int("status", ev.status),
		slog.Int64("duration_ms", time.Since(ev.start).Milliseconds()),
	}
	add := func(a slog.Attr, present bool) {
		if present {
			attrs = append(attrs, a)
		}
	}
	add(slog.String("gateway_message", ev.message), ev.message != "")
	add(slog.String("secret_id", ev.key), ev.key != "")
	add(slog.String("idcard", ev.idcard), ev.idcard != "")
	add(slog.Int("code", ev.code), ev.code != 0)
	add(slog.Int("incorrect", ev.incorrect), ev.incorrect != 0)
	add(slog.String("fault", ev.fault), ev.fault != "")
	add(slog.Bool("billable", ev.billable), ev.code != 0)
	add(slog.String("note", ev.note), ev.note != "")
	s.log.LogAttrs(ctx, slog.LevelInfo, "sandbox call", attrs...)
}
