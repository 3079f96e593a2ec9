package core

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/tls"
	"encoding/base64"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sync"
	"testing"
	"time"
)

// TestCloudMarketWireFormat: FACEID_SIGNATURE=cloudmarket, and auto with a
// *.cloudmarket-apigw.com endpoint, send exactly the Cloud Market
// gateway's headers (gateway-auth.md §4b), checked here with crypto/hmac
// directly rather than through hmacauth.
func TestCloudMarketWireFormat(t *testing.T) {
	var (
		mu   sync.Mutex
		seen []http.Header
	)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Clone())
		mu.Unlock()
		w.Write([]byte(`{"msg":"成功","success":true,"code":200,"data":{"order_no":"1","score":0.9,"msg":"系统判断为同一人","incorrect":100}}`))
	}))
	defer srv.Close()
	// Every host resolves to the test server, whose certificate is for
	// example.com.
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.TLSClientConfig = tr.TLSClientConfig.Clone()
	tr.TLSClientConfig.ServerName = "example.com"
	tr.TLSClientConfig.MinVersion = tls.VersionTLS12
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, srv.Listener.Addr().String())
	}
	hc := &http.Client{Transport: tr}
	defer hc.CloseIdleConnections()

	at := time.Date(2026, 12, 3, 11, 42, 18, 0, time.UTC)
	const date = "Thu, 03 Dec 2026 11:42:18 GMT"
	mac := hmac.New(sha1.New, []byte(testSecret))
	mac.Write([]byte("x-date: " + date))
	wantAuth := `{"id":"test-id","x-date":"` + date + `","signature":"` + base64.StdEncoding.EncodeToString(mac.Sum(nil)) + `"}`
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

	for _, tc := range []struct{ name, signature, endpoint string }{
		{"auto", "", "https://ap-shanghai.cloudmarket-apigw.com/service-abcd1234/face_id_card/post"},
		{"auto, another region", "auto", "https://ap-guangzhou.cloudmarket-apigw.com/service-abcd1234/face_id_card/post"},
		{"explicit", "cloudmarket", "https://gateway.example.com/service-abcd1234/face_id_card/post"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mu.Lock()
			seen = nil
			mu.Unlock()
			c, err := New(Config{Endpoint: tc.endpoint, SecretID: "test-id", SecretKey: testSecret, Signature: tc.signature},
				withHTTPClient(hc), withClock(func() time.Time { return at }))
			if err != nil {
				t.Fatal(err)
			}
			for range 2 {
				if res, err := c.Verify(context.Background(), Request{Name: "张三", IDCard: testID, Image: testPhoto(t)}); err != nil || !res.Passed {
					t.Fatalf("Verify = %+v, %v", res, err)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if len(seen) != 2 {
				t.Fatalf("%d calls", len(seen))
			}
			for _, h := range seen {
				if got := h.Values("Authorization"); len(got) != 1 || got[0] != wantAuth {
					t.Errorf("Authorization %q\nwant %s", got, wantAuth)
				}
				if got := h.Values("X-Date"); len(got) != 1 || got[0] != date {
					t.Errorf("X-Date %q", got)
				}
				if got := h.Values("Request-Id"); len(got) != 1 || !uuid.MatchString(got[0]) {
					t.Errorf("request-id %q, want one UUID v4", got)
				}
				for _, k := range []string{"X-Source", "Source", "Date"} {
					if h.Get(k) != "" {
						t.Errorf("%s sent: %q", k, h.Get(k))
					}
				}
			}
			if seen[0].Get("Request-Id") == seen[1].Get("Request-Id") {
				t.Error("two calls share a request-id")
			}
		})
	}
}
