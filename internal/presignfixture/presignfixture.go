// Package presignfixture holds what the tests of presigned uploads share:
// the MAC key of their tickets, the mobile app's side (a plain HTTP client
// that PUTs to the address it was handed) and a presigner that counts
// what reaches it. Import it only from _test files.
package presignfixture

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/adapters/upload"
)

// MACKey is FACEID_UPLOAD_MAC_KEY in the tests.
const MACKey = "test-upload-mac-key-0123456789abcdef"

// App is a plain HTTP client, as a mobile app has: no SDK, no cloud
// credentials. Its idle connections are closed when t ends.
func App(t testing.TB) *http.Client {
	t.Helper()
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

// Do sends method to addr with body and headers h, and returns the status
// and the body of the answer.
func Do(t testing.TB, hc *http.Client, method, addr string, body []byte, h map[string]string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, addr, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		req.Header.Set(k, v)
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// Send uploads body as the ticket says, with headers (the ticket's unless
// given), and returns the status.
func Send(t testing.TB, hc *http.Client, tk upload.Ticket, body []byte, headers map[string]string) int {
	t.Helper()
	if headers == nil {
		headers = tk.UploadHeaders
	}
	st, _ := Do(t, hc, tk.UploadMethod, tk.UploadURL, body, headers)
	return st
}

// Counter is a presigner that counts the upload addresses it signs.
type Counter struct {
	upload.Presigner

	mu sync.Mutex
	n  int
}

// PresignPut counts the call and hands it on.
func (c *Counter) PresignPut(ctx context.Context, ref upload.Ref, spec upload.PutSpec, ttl time.Duration) (string, http.Header, error) {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
	return c.Presigner.PresignPut(ctx, ref, spec, ttl)
}

// Signed is how many addresses were signed so far.
func (c *Counter) Signed() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}
