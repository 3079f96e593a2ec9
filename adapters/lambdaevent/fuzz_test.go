package lambdaevent

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
)

// FuzzEvents feeds arbitrary JSON through detection, the HTTP adapters and
// the S3 conversion: none may panic, and every HTTP event gets an answer.
func FuzzEvents(f *testing.F) {
	for _, seed := range [][]byte{restPost, httpAPIPost, functionURLPost, s3Put,
		albPost, albPostMultiValue, webSocketConnect, webSocketMessage,
		[]byte(`{"httpMethod":"GET","path":"%","multiValueQueryStringParameters":{"a":[]}}`),
		[]byte(`{"version":"2.0","routeKey":"$default","rawPath":"/x","requestContext":{"stage":"x","http":{"method":"GET"}}}`),
	} {
		f.Add(seed)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(r.URL.String())) })
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, payload []byte) {
		status := -1
		switch kind := Detect(payload); kind {
		case KindREST, KindHTTPAPI, KindFunctionURL:
			b, err := json.Marshal(ServeJSON(ctx, h, kind, payload))
			if err != nil {
				t.Fatal(err)
			}
			var r struct {
				StatusCode int `json:"statusCode"`
			}
			if err := json.Unmarshal(b, &r); err != nil {
				t.Fatal(err)
			}
			status = r.StatusCode
		case KindALB, KindWebSocket:
			if ServeJSON(ctx, h, kind, payload) != nil {
				t.Errorf("%v event served", kind)
			}
		case KindS3:
			evs, _ := ParseS3Event(payload)
			for _, e := range evs {
				if e.Key == "" || e.Bucket == "" {
					t.Errorf("empty bucket or key: %+v", e)
				}
			}
		}
		if status == 0 {
			t.Error("HTTP event answered without a status")
		}
	})
}
