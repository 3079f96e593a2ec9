package scfevent

import (
	"context"
	"net/http"
	"testing"
)

// FuzzEvents feeds arbitrary JSON through detection, HTTP translation and
// COS conversion: none may panic, and every HTTP event gets an answer.
func FuzzEvents(f *testing.F) {
	for _, seed := range [][]byte{functionURLPost, apigwPostBase64, apigwGet, cosPut, cosPlainKey, timerEvent,
		[]byte(`{"httpMethod":"GET","path":"%","queryString":{"a":true}}`),
		[]byte(`{"Records":[{"cos":{"cosObject":{"key":"/1/b/%"},"cosBucket":{"appid":"1","name":"b"}},"event":{"eventName":"cos:ObjectCreated:Put"}}]}`),
	} {
		f.Add(seed)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(r.URL.String()))
	})
	f.Fuzz(func(t *testing.T, payload []byte) {
		switch Detect(payload) {
		case KindFunctionURL, KindAPIGateway:
			if resp := ServeJSON(context.Background(), h, payload); resp.StatusCode == 0 {
				t.Error("no status")
			}
		case KindCOS:
			evs, _ := ParseCOSEvent(payload)
			for _, e := range evs {
				if e.Validate() != nil {
					t.Errorf("invalid upload event: %+v", e)
				}
			}
		}
	})
}
