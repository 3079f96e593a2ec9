package main

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/faceid-verify/faceid/internal/fakepipeline"
)

// FuzzInvoke: whatever JSON arrives, the dispatcher answers without
// panicking, and an HTTP event always gets a response event.
func FuzzInvoke(f *testing.F) {
	for _, seed := range []string{cosEvent, `{"httpMethod":"GET","path":"/"}`,
		`{"httpMethod":"POST","requestContext":{"requestId":"r"},"isBase64Encoded":true,"body":"%"}`,
		`{"Records":[{"cos":null}]}`, `{"Type":"Timer"}`, `null`} {
		f.Add([]byte(seed))
	}
	a := testApp(f, &fakepipeline.Recorder{})
	f.Fuzz(func(t *testing.T, payload []byte) {
		out, err := a.Invoke(context.Background(), payload)
		if err == nil && out != nil {
			var r struct {
				StatusCode int `json:"statusCode"`
			}
			if json.Unmarshal(out, &r) != nil || r.StatusCode == 0 {
				t.Errorf("HTTP answer without a status: %s", out)
			}
		}
	})
}
