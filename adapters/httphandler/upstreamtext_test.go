package httphandler

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/core/hmacauth"
	"github.com/faceid-verify/faceid/internal/syncbuf"
)

// TestUpstreamTextNeverRaw: an upstream that quotes the request's ID
// number and name, our key pair and a drop-in client's key in its
// answer gets none of them into the logs or the answer: personal data
// masked, keys redacted.
func TestUpstreamTextNeverRaw(t *testing.T) {
	const (
		secretID  = "AKIDupstreamSecretId42"
		secretKey = "upstream-secret-key-7f3a"
		clientKey = "client-secret-key-c41d"
	)
	leak := fmt.Sprintf("身份证%s 姓名张三 key=%s id=%s client=%s", passID, secretKey, secretID, clientKey)
	answers := []struct{ name, status, body string }{
		{"gateway 500", "500", `{"message":"` + leak + `"}`},
		{"gateway 429", "429", `{"message":"` + leak + `"}`},
		{"seller 500", "200", `{"msg":"` + leak + `","success":false,"code":500,"data":{}}`},
		{"seller 400", "200", `{"msg":"` + leak + `","success":false,"code":400,"data":{}}`},
		{"seller 200", "200", `{"msg":"` + leak + `","success":true,"code":200,"data":{"order_no":"1","score":0.9,"msg":"` + leak + `","incorrect":100}}`},
	}
	for _, tc := range answers {
		t.Run(tc.name, func(t *testing.T) {
			seller := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body)
				var status int
				fmt.Sscan(tc.status, &status)
				w.WriteHeader(status)
				io.WriteString(w, tc.body)
			}))
			defer seller.Close()
			client, err := core.New(core.Config{Endpoint: seller.URL, SecretID: secretID, SecretKey: secretKey, MaxAttempts: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer client.CloseIdleConnections()
			logs := &syncbuf.Buffer{}
			h := New(Options{Verifier: client, Logger: newJSONLogger(logs), ClientKeys: map[string]string{"client-id": clientKey}})
			body := url.Values{"idcard": {passID}, "name": {"张三"}, "image": {loadPhoto(t)}, "url": {""}}.Encode()
			r := formReq("/verify", body)
			hmacauth.Sign(r.Header, hmacauth.Credentials{SecretID: "client-id", SecretKey: clientKey, Source: "market", Variant: hmacauth.XDate}, time.Now())
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			out := logs.String() + "\n" + w.Body.String()
			if !strings.Contains(out, "姓名张* key=[redacted]") {
				t.Fatalf("the upstream's text did not get through masked:\n%s", out)
			}
			for _, secret := range []string{passID, "张三", secretKey, secretID, clientKey} {
				if strings.Contains(out, secret) {
					t.Errorf("%q reached the logs or the answer:\n%s", secret, out)
				}
			}
		})
	}
}
