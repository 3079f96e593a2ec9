package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/faceid-verify/faceid/config"
)

// curl runs curl with args from the repository root, as a reader of the
// README would, and returns its output.
func curl(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("curl", append([]string{"-s", "--max-time", "10"}, args...)...)
	cmd.Dir = "../.."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("curl %v: %v", args, err)
	}
	return string(out)
}

// putArgs is the README's app step: PUT the photo to upload_url with every
// upload_headers entry, printing the status.
func putArgs(tk upload.Ticket, photo string, change map[string]string) []string {
	args := []string{"-o", "/dev/null", "-w", "%{http_code}", "-X", tk.UploadMethod, "--upload-file", photo}
	for k, v := range tk.UploadHeaders {
		if c, ok := change[k]; ok {
			v = c
		}
		args = append(args, "-H", k+": "+v)
	}
	return append(args, tk.UploadURL)
}

// pollResult asks addr until it answers something other than 404.
func pollResult(t *testing.T, addr string) string {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		out := curl(t, "-w", "\n%{http_code}", addr)
		i := strings.LastIndex(out, "\n")
		body, status := out[:i], out[i+1:]
		if status != "404" {
			if status != "200" {
				t.Fatalf("%s answered %s: %s", addr, status, body)
			}
			return body
		}
	}
	t.Fatalf("no result at %s", addr)
	return ""
}

// The README's mobile walkthrough, with curl only, against the local
// function: the backend asks, the app uploads with the given headers, and
// the result is read from result_url and from /results/{key}. One paid
// call; a tampered upload, which the local store takes since it checks no
// signature, is refused by the pipeline and costs none.
func TestMobileWalkthroughWithCurl(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	base, stdout, stderr := startLocal(t, nil)

	// 1. The backend asks, with the command the ready message prints.
	printed := stdout.String()
	i := strings.Index(printed, "curl -s "+base+"/uploads")
	if i < 0 {
		t.Fatalf("no upload example printed:\n%s", printed)
	}
	cmdText, _, _ := strings.Cut(printed[i:], "\n")
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(readme, []byte(strings.Replace(cmdText, base, "http://127.0.0.1:9000", 1))) {
		t.Errorf("README.md does not show the printed command %q", cmdText)
	}
	cmd := exec.Command("bash", "-c", cmdText)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v", cmdText, err)
	}
	var tk upload.Ticket
	if err := json.Unmarshal(out, &tk); err != nil || tk.UploadURL == "" {
		t.Fatalf("POST /uploads answered %s (%v)", out, err)
	}
	if u := tk.UploadURL; !strings.HasPrefix(u, "http://127.0.0.1:") || strings.HasPrefix(u, base) {
		t.Errorf("upload_url %q is not the embedded store's loopback address", u)
	}
	if st := curl(t, "-o", "/dev/null", "-w", "%{http_code}", tk.ResultURL); st != "404" {
		t.Errorf("result_url before the upload: %s, want 404", st)
	}

	// 2. The app uploads with exactly the given headers.
	photo := "testdata/photos/small-320x240.jpg"
	if st := curl(t, putArgs(tk, photo, nil)...); st != "200" {
		t.Fatalf("upload answered %s", st)
	}

	// 3. The app polls result_url; the backend asks the function.
	body := pollResult(t, tk.ResultURL)
	var r upload.Result
	if err := json.Unmarshal([]byte(body), &r); err != nil || r.Outcome != upload.OutcomeVerified || !r.Passed ||
		r.Person.IDCard != "110***********0011" || r.Person.Name != "张*" {
		t.Fatalf("result: %s", body)
	}
	if got := curl(t, base+"/results/"+tk.Key); got != body {
		t.Errorf("GET /results/{key} = %s, want the stored result %s", got, body)
	}

	// A tampered upload lands (the local store checks no signature) but is
	// refused before any call.
	tk2 := ticket(t, base)
	if st := curl(t, putArgs(tk2, photo, map[string]string{"X-Amz-Meta-Idcard": "440305199512120016"})...); st != "200" {
		t.Fatalf("tampered upload answered %s", st)
	}
	body = pollResult(t, base+"/results/"+tk2.Key)
	if err := json.Unmarshal([]byte(body), &r); err != nil || r.Outcome != upload.OutcomeInvalid || r.Error.Reason != "tampered" {
		t.Fatalf("tampered upload's result: %s", body)
	}

	metrics := curl(t, base+"/metrics")
	if !strings.Contains(metrics, "faceid_billed_calls_total 1\n") {
		t.Errorf("want exactly one billed call:\n%s", metrics)
	}
	logs := stderr.String()
	for _, pii := range []string{"110101199003070011", "440305199512120016", "张三", "X-Amz-Signature"} {
		if strings.Contains(logs, pii) {
			t.Errorf("logs contain %q", pii)
		}
	}
}

func ticket(t *testing.T, base string) upload.Ticket {
	t.Helper()
	resp, err := http.Post(base+"/uploads", "application/json", strings.NewReader(`{"name":"张三","idcard":"110101199003070011"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tk upload.Ticket
	if err := json.NewDecoder(resp.Body).Decode(&tk); err != nil {
		t.Fatal(err)
	}
	return tk
}

// Uploads outside the issued prefix land in the local store but trigger
// nothing: the store takes anyone's requests, tickets only come from
// POST /uploads. Requests from web pages and for other hosts are refused.
func TestLocalStoreTriggersOnlyIssuedUploads(t *testing.T) {
	base, _, stderr := startLocal(t, nil)
	tk := ticket(t, base)
	store := tk.UploadURL[:strings.Index(tk.UploadURL, "/faceid-local/")]
	put := func(key string, h map[string]string) int {
		req, _ := http.NewRequest(http.MethodPut, store+"/faceid-local/"+key, bytes.NewReader([]byte("photo")))
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := put("uploads/a.jpg", map[string]string{"X-Amz-Meta-Idcard": "110101199003070011", "X-Amz-Meta-Name": "%E5%BC%A0%E4%B8%89"}); st != 200 {
		t.Fatalf("ordinary upload: %d", st)
	}
	if st := put("uploads/b.jpg", map[string]string{"Origin": "https://example.com"}); st != http.StatusForbidden {
		t.Errorf("a web page's request: %d, want 403", st)
	}
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(store, "http://"))
	req, _ := http.NewRequest(http.MethodGet, store+"/faceid-local/uploads/a.jpg", nil)
	req.Host = "attacker.example:" + port
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a foreign Host: %d, want 403", resp.StatusCode)
	}
	time.Sleep(200 * time.Millisecond) // a trigger, if any, would have run
	if strings.Contains(stderr.String(), `"key":"uploads/a.jpg"`) {
		t.Errorf("an ordinary upload to the local store reached the pipeline:\n%s", stderr.String())
	}
	resp, err = http.Get(store + "/faceid-local/results/uploads/a.jpg.json")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("a result was written for an ordinary upload: %d", resp.StatusCode)
	}
}

// The embedded store takes unsigned requests: it listens on loopback only.
func TestLocalStoreLoopbackOnly(t *testing.T) {
	err := runFails(t, map[string]string{"FACEID_S3_ADDR": "0.0.0.0:0"})
	if err == nil || !strings.Contains(err.Error(), "FACEID_S3_ADDR") {
		t.Fatalf("run = %v, want a refusal naming FACEID_S3_ADDR", err)
	}
}

// The store's address follows the server's unless set: next port, or a
// free one when the server's is.
func TestLocalStoreAddress(t *testing.T) {
	for addr, want := range map[string]string{"127.0.0.1:9000": "127.0.0.1:9001", "127.0.0.1:0": "127.0.0.1:0", "[::1]:8080": "[::1]:8081"} {
		t.Setenv("FACEID_ADDR", addr)
		t.Setenv("FACEID_S3_ADDR", "")
		os.Unsetenv("FACEID_S3_ADDR")
		set, err := config.LoadLocal()
		if err != nil || set.Server.S3Addr != want {
			t.Errorf("FACEID_ADDR=%s: store on %q (%v), want %s", addr, set.Server.S3Addr, err, want)
		}
	}
	t.Setenv("FACEID_S3_ADDR", "127.0.0.1:7000")
	if set, _ := config.LoadLocal(); set.Server.S3Addr != "127.0.0.1:7000" {
		t.Errorf("FACEID_S3_ADDR ignored: %q", set.Server.S3Addr)
	}
}
