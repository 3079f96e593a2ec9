package httphandler

import (
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/sandbox"
)

// A photo URL on this machine is refused before paying; with
// FACEID_ALLOW_LOOPBACK_PHOTO_URLS (a sandbox endpoint only) the sandbox
// fetches it from loopback and the verification goes through.
func TestLoopbackPhotoURL(t *testing.T) {
	jpeg, err := os.ReadFile("../../testdata/photos/small-320x240.jpg")
	if err != nil {
		t.Fatal(err)
	}
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/jpeg")
		w.Write(jpeg)
	}))
	defer files.Close()
	req := func() *http.Request {
		return jsonReq("/verify", map[string]string{"idcard": passID, "name": "张三", "url": files.URL + "/a.jpg"})
	}

	f := newFixture(t, sandbox.Config{}, core.Config{}, Options{})
	resp, body := f.do(req())
	er, _ := body["error"].(map[string]any)
	if resp.StatusCode != 400 || er["field"] != "url" || er["reason"] != "loopback" || f.sb.Stats().Received != 0 {
		t.Fatalf("default: %d %v, upstream saw %d", resp.StatusCode, body, f.sb.Stats().Received)
	}

	f = newFixture(t, sandbox.Config{}, core.Config{AllowLoopbackPhotoURLs: true}, Options{})
	resp, body = f.do(req())
	data, _ := body["data"].(map[string]any)
	if resp.StatusCode != 200 || data["passed"] != true || f.sb.Stats().Billable != 1 {
		t.Fatalf("allowed: %d %v, billed %d", resp.StatusCode, body, f.sb.Stats().Billable)
	}
}
