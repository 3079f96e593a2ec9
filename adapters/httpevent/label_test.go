package httpevent

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

func TestLogHandlerLabelsEvent(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(LogHandler(slog.NewJSONHandler(&buf, nil))).With("request_id", "r1")
	ctx := WithEvent(context.Background(), "function_url")

	log.InfoContext(ctx, "labelled", "status", 200)
	log.Info("no context")
	log.WithGroup("g").InfoContext(context.Background(), "unlabelled context")

	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines:\n%s", len(lines), buf.String())
	}
	want := []string{"function_url", "", ""}
	for i, line := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		got, _ := rec[EventAttr].(string)
		if got != want[i] || rec["request_id"] != "r1" {
			t.Errorf("line %d: event %q, want %q: %s", i, got, want[i], line)
		}
	}
	if Event(ctx) != "function_url" || Event(context.Background()) != "" {
		t.Error("Event does not read back WithEvent")
	}
}
