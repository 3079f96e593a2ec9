package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/faceid-verify/faceid/internal/proctest"
	"github.com/faceid-verify/faceid/internal/s3fake"
	"github.com/faceid-verify/faceid/internal/syncbuf"
	"github.com/faceid-verify/faceid/sandbox"
)

const (
	bucket  = "faceid-uploads"
	photoID = "110101199003070011"
)

// emulated is the built bootstrap running under the Runtime Interface
// Emulator, with its upstream (the sandbox) and S3 (gofakes3) in-process.
type emulated struct {
	url   string
	sb    *sandbox.Server
	s3    *s3.Client
	photo []byte
	logs  *syncbuf.Buffer // the emulator's and the function's output
}

func startEmulated(t *testing.T) *emulated {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs binaries; skipped with -short")
	}
	boot, rie := buildBootstrap(t), buildRIE(t)

	sb := sandbox.New(sandbox.Config{})
	up := httptest.NewServer(sb)
	t.Cleanup(func() { sb.Close(); up.Close() })
	s3URL, s3c := s3fake.Start(t, bucket)
	photo, err := os.ReadFile("../../testdata/photos/small-320x240.jpg")
	if err != nil {
		t.Fatal(err)
	}

	port, apiPort := proctest.FreePort(t), proctest.FreePort(t)
	cmd := exec.Command(rie, "--runtime-interface-emulator-address", addr(port),
		"--runtime-api-address", addr(apiPort), boot)
	// Only what the function needs: nothing leaks in from the test's own
	// environment (a real FACEID_ENDPOINT, real AWS credentials).
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(),
		"FACEID_ENDPOINT=" + up.URL + "/release/face_id_card/post",
		"FACEID_SECRET_ID=" + sandbox.DefaultSecretID, "FACEID_SECRET_KEY=" + sandbox.DefaultSecretKey,
		"AWS_ENDPOINT_URL_S3=" + s3URL, "AWS_REGION=us-east-1",
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_EC2_METADATA_DISABLED=true",
	}
	out := start(t, cmd, addr(port))
	t.Cleanup(func() {
		if strings.Contains(out.String(), photoID) || strings.Contains(out.String(), "张三") {
			t.Error("the function's logs hold an unmasked ID number or name")
		}
	})
	return &emulated{
		url: "http://" + addr(port) + "/2015-03-31/functions/function/invocations",
		sb:  sb, s3: s3c, photo: photo, logs: out,
	}
}

// invoke posts one event as Lambda would deliver it and returns the
// function's raw answer.
func (e *emulated) invoke(t *testing.T, event any) []byte {
	t.Helper()
	b, err := json.Marshal(event)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", e.url, bytes.NewReader(b))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (e *emulated) verifyBody(t *testing.T) string {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"name": "张三", "idcard": photoID,
		"image": base64.StdEncoding.EncodeToString(e.photo)})
	return string(b)
}

// httpAnswer is the part of any HTTP response event the test checks.
type httpAnswer struct {
	StatusCode      int               `json:"statusCode"`
	Headers         map[string]string `json:"headers"`
	Body            string            `json:"body"`
	IsBase64Encoded bool              `json:"isBase64Encoded"`
	ErrorMessage    string            `json:"errorMessage"`
}

func checkPassed(t *testing.T, raw []byte, wantID string) {
	t.Helper()
	var a httpAnswer
	if err := json.Unmarshal(raw, &a); err != nil || a.ErrorMessage != "" {
		t.Fatalf("answer %s: %v", raw, err)
	}
	var body struct {
		Success   bool   `json:"success"`
		RequestID string `json:"request_id"`
		Data      struct {
			Passed bool `json:"passed"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(a.Body), &body); err != nil {
		t.Fatalf("body %q: %v", a.Body, err)
	}
	if a.StatusCode != 200 || !body.Success || !body.Data.Passed {
		t.Errorf("status %d body %s", a.StatusCode, a.Body)
	}
	if body.RequestID != wantID || a.Headers["X-Request-Id"] != wantID {
		t.Errorf("request id %q / header %q, want the gateway's %q", body.RequestID, a.Headers["X-Request-Id"], wantID)
	}
	if strings.Contains(string(raw), photoID) {
		t.Error("the answer echoes the ID number")
	}
}

func TestViaEmulator(t *testing.T) {
	e := startEmulated(t)

	t.Run("http api v2", func(t *testing.T) {
		before := e.sb.Stats().Billable
		raw := e.invoke(t, map[string]any{
			"version": "2.0", "routeKey": "$default", "rawPath": "/verify", "rawQueryString": "",
			"headers": map[string]string{"content-type": "application/json", "host": "abc.execute-api.us-east-1.amazonaws.com"},
			"body":    e.verifyBody(t), "isBase64Encoded": false,
			"requestContext": map[string]any{"requestId": "v2-req-1", "stage": "$default",
				"domainName": "abc.execute-api.us-east-1.amazonaws.com",
				"http":       map[string]string{"method": "POST", "path": "/verify", "sourceIp": "203.0.113.1"}},
		})
		checkPassed(t, raw, "v2-req-1")
		if got := e.sb.Stats().Billable - before; got != 1 {
			t.Errorf("billed %d calls, want 1", got)
		}
	})

	t.Run("rest v1", func(t *testing.T) {
		raw := e.invoke(t, map[string]any{
			"resource": "/{proxy+}", "path": "/release/face_id_card/post", "httpMethod": "POST",
			"multiValueHeaders": map[string][]string{"Content-Type": {"application/json"}},
			"body":              base64.StdEncoding.EncodeToString([]byte(e.verifyBody(t))), "isBase64Encoded": true,
			"requestContext": map[string]any{"requestId": "rest-req-1", "stage": "prod",
				"identity": map[string]string{"sourceIp": "203.0.113.2"}},
		})
		checkPassed(t, raw, "rest-req-1")
	})

	t.Run("http api v2 is labelled apigw_http", func(t *testing.T) {
		if got := proctest.LogLine(t, e.logs, "verification", "request_id", "v2-req-1")["event"]; got != "apigw_http" {
			t.Errorf("verification logged with event %v, want apigw_http", got)
		}
	})

	t.Run("function url", func(t *testing.T) {
		// As AWS documents the payload: routeKey "$default", like an HTTP
		// API's default route; only the host tells them apart.
		raw := e.invoke(t, map[string]any{
			"version": "2.0", "routeKey": "$default", "rawPath": "/verify", "rawQueryString": "",
			"headers": map[string]string{"content-type": "application/json", "host": "abc.lambda-url.us-east-1.on.aws"},
			"body":    e.verifyBody(t), "isBase64Encoded": false,
			"requestContext": map[string]any{"requestId": "url-req-1", "routeKey": "$default", "stage": "$default",
				"domainName": "abc.lambda-url.us-east-1.on.aws", "domainPrefix": "abc",
				"http": map[string]string{"method": "POST", "path": "/verify", "sourceIp": "203.0.113.3"}},
		})
		checkPassed(t, raw, "url-req-1")
		if got := proctest.LogLine(t, e.logs, "verification", "request_id", "url-req-1")["event"]; got != "function_url" {
			t.Errorf("verification logged with event %v, want function_url", got)
		}
	})

	// ALB and WebSocket events carrying a valid verification request are
	// refused: an error for the platform naming the trigger, nothing paid.
	for _, tc := range []struct{ fixture, errorMessage string }{
		{"alb-post.json", "unsupported event: Application Load Balancer requests are not served"},
		{"websocket-connect.json", "unsupported event: API Gateway WebSocket messages are not served"},
	} {
		t.Run("refused "+tc.fixture, func(t *testing.T) {
			event, err := os.ReadFile(filepath.Join("../../adapters/lambdaevent/testdata", tc.fixture))
			if err != nil {
				t.Fatal(err)
			}
			before := e.sb.Stats().Billable
			raw := e.invoke(t, json.RawMessage(event))
			var a struct{ ErrorMessage, ErrorType string }
			if json.Unmarshal(raw, &a) != nil || !strings.HasPrefix(a.ErrorMessage, tc.errorMessage) ||
				a.ErrorType != "UnsupportedEventError" {
				t.Errorf("answer %s, want errorType UnsupportedEventError, errorMessage %q…", raw, tc.errorMessage)
			}
			if got := e.sb.Stats().Billable - before; got != 0 {
				t.Errorf("billed %d calls for a refused event", got)
			}
		})
	}

	t.Run("s3 upload delivered twice", func(t *testing.T) {
		// A space and a plus: S3 form-encodes the key in the event.
		const key = "uploads/2024/selfie 01+a.jpg"
		out, err := e.s3.PutObject(context.Background(), &s3.PutObjectInput{
			Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(e.photo),
			// S3 metadata is US-ASCII: the name goes percent-encoded.
			Metadata: map[string]string{"idcard": photoID, "name": url.QueryEscape("张三")},
		})
		if err != nil {
			t.Fatal(err)
		}
		event := s3Event(key, aws.ToString(out.ETag), int64(len(e.photo)))
		before := e.sb.Stats().Billable
		for i := range 2 {
			if raw := e.invoke(t, event); string(raw) != "null" {
				t.Fatalf("delivery %d answered %s", i+1, raw)
			}
		}
		if got := e.sb.Stats().Billable - before; got != 1 {
			t.Errorf("two deliveries billed %d calls, want exactly 1", got)
		}
		results := e.list(t, "results/")
		var found []string
		for _, k := range results {
			if !strings.HasPrefix(k, "results/.claims/") {
				found = append(found, k)
			}
		}
		if len(found) != 1 || found[0] != "results/"+key+".json" {
			t.Fatalf("result objects %v, want exactly results/%s.json", found, key)
		}
		res := e.get(t, found[0])
		var r struct {
			Outcome string `json:"outcome"`
			Passed  bool   `json:"passed"`
		}
		if err := json.Unmarshal([]byte(res), &r); err != nil || r.Outcome != "verified" || !r.Passed {
			t.Errorf("result %s: %v", res, err)
		}
		if strings.Contains(res, photoID) || strings.Contains(res, "张三") {
			t.Error("the result object holds unmasked personal data")
		}
	})

	t.Run("unsupported event is an error", func(t *testing.T) {
		raw := e.invoke(t, map[string]string{"source": "aws.events"})
		if !strings.Contains(string(raw), "errorMessage") {
			t.Errorf("answer %s", raw)
		}
	})
}

// s3Event is an ObjectCreated notification as S3 sends it: the key
// form-encoded, no metadata.
func s3Event(key, etag string, size int64) map[string]any {
	return map[string]any{"Records": []any{map[string]any{
		"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
		"eventTime": "2024-01-01T00:00:00.000Z", "eventName": "ObjectCreated:Put",
		"s3": map[string]any{
			"s3SchemaVersion": "1.0", "configurationId": "faceid",
			"bucket": map[string]any{"name": bucket, "arn": "arn:aws:s3:::" + bucket},
			"object": map[string]any{"key": url.QueryEscape(key), "size": size, "eTag": strings.Trim(etag, `"`),
				"sequencer": "0055AED6DCD90281E5"},
		},
	}}}
}

func (e *emulated) list(t *testing.T, prefix string) []string {
	t.Helper()
	out, err := e.s3.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{
		Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	return keys
}

func (e *emulated) get(t *testing.T, key string) string {
	t.Helper()
	out, err := e.s3.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	b, _ := io.ReadAll(out.Body)
	return string(b)
}
