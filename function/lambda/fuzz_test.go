package main

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/faceid-verify/faceid/internal/fakepipeline"
)

// FuzzHandle: whatever JSON arrives, the dispatcher answers without
// panicking, and an HTTP event always gets a response event.
func FuzzHandle(f *testing.F) {
	for _, seed := range []string{s3Records, `{"httpMethod":"GET","path":"/"}`,
		`{"routeKey":"x","requestContext":{"http":{"method":"GET"}},"isBase64Encoded":true,"body":"%"}`,
		`{"Records":[{"s3":{"object":{"key":"%"}}}]}`, `{"source":"aws.events"}`, `null`} {
		f.Add([]byte(seed))
	}
	a := testApp(&fakepipeline.Recorder{})
	f.Fuzz(func(t *testing.T, payload []byte) {
		out, err := a.handle(context.Background(), json.RawMessage(payload))
		if err == nil && out != nil {
			b, _ := json.Marshal(out)
			var r struct {
				StatusCode int `json:"statusCode"`
			}
			if json.Unmarshal(b, &r) != nil || r.StatusCode == 0 {
				t.Errorf("HTTP answer without a status: %s", b)
			}
		}
	})
}
