package main

import (
	"encoding/base64"
	"encoding/json"
	"net/http/httptest"
	"net/rpc"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/internal/cosfake"
	"github.com/faceid-verify/faceid/internal/proctest"
	"github.com/faceid-verify/faceid/sandbox"
	"github.com/tencentyun/scf-go-lib/cloudfunction/messages"
)

const photoID = "110101199003070011"

// invoke calls Function.Invoke exactly as the SCF runtime does: gob over
// net/rpc, the environment as a JSON object, a deadline in the future.
func invoke(t *testing.T, c *rpc.Client, id string, event any, env map[string]string) messages.InvokeResponse {
	t.Helper()
	payload, err := json.Marshal(event)
	if err != nil {
		t.Fatal(err)
	}
	req := messages.InvokeRequest{
		Payload: payload, RequestId: id,
		Deadline:     messages.InvokeRequest_Timestamp{Seconds: time.Now().Add(60 * time.Second).Unix()},
		FunctionName: "faceid", Namespace: "default", FunctionVersion: "$LATEST",
		MemoryLimitInMb: 128, TimeLimitInMs: 60000, TencentcloudRegion: "ap-guangzhou",
		TencentcloudAppID: "1250000000",
	}
	if env != nil {
		b, _ := json.Marshal(env)
		req.Environment = string(b)
	}
	var resp messages.InvokeResponse
	if err := c.Call("Function.Invoke", &req, &resp); err != nil {
		t.Fatalf("Function.Invoke: %v", err)
	}
	return resp
}

// urlAnswer decodes a Function URL response event and its body.
type urlAnswer struct {
	StatusCode int               `json:"statusCode"`
	Headers    map[string]string `json:"headers"`
	Body       string            `json:"body"`
}

func decodeAnswer(t *testing.T, resp messages.InvokeResponse) (urlAnswer, map[string]any) {
	t.Helper()
	if resp.Error != nil {
		t.Fatalf("invoke error: %+v", resp.Error)
	}
	var a urlAnswer
	if err := json.Unmarshal(resp.Payload, &a); err != nil {
		t.Fatalf("payload %s: %v", resp.Payload, err)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(a.Body), &body); err != nil {
		t.Fatalf("body %q: %v", a.Body, err)
	}
	return a, body
}

func TestViaRPC(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the function binary; skipped with -short")
	}
	bin := buildMain(t)
	sb := sandbox.New(sandbox.Config{})
	up := httptest.NewServer(sb)
	t.Cleanup(func() { sb.Close(); up.Close() })
	cos := cosfake.New()
	cosSrv := httptest.NewServer(cos)
	t.Cleanup(cosSrv.Close)
	photo, err := os.ReadFile("../../testdata/photos/small-320x240.jpg")
	if err != nil {
		t.Fatal(err)
	}
	// Everything the function knows arrives in InvokeRequest.Environment,
	// as on SCF; the process itself starts with none of it.
	env := map[string]string{
		"FACEID_ENDPOINT":  up.URL + "/release/face_id_card/post",
		"FACEID_SECRET_ID": sandbox.DefaultSecretID, "FACEID_SECRET_KEY": sandbox.DefaultSecretKey,
		"FACEID_COS_BASE_URL":   cosSrv.URL,
		"TENCENTCLOUD_SECRETID": "AKIDtemporary", "TENCENTCLOUD_SECRETKEY": "temporary",
		"TENCENTCLOUD_SESSIONTOKEN": "token", "TENCENTCLOUD_RUNENV": "SCF",
		// Set after the runtime started, like the rest: applied at once.
		"GOMEMLIMIT": "100MiB",
	}
	body, _ := json.Marshal(map[string]string{"name": "张三", "idcard": photoID,
		"image": base64.StdEncoding.EncodeToString(photo)})
	urlEvent := map[string]any{
		"httpMethod": "POST", "path": "/verify", "body": string(body), "queryString": map[string]any{},
		"headers": map[string]string{"content-type": "application/json", "x-scf-remote-addr": "203.0.113.7",
			"host": "1250000000-abcdefgh12.ap-guangzhou.tencentscf.com"},
	}

	c, out := startFunction(t, bin)

	t.Run("no configuration yet", func(t *testing.T) {
		a, _ := decodeAnswer(t, invoke(t, c, "req-0", urlEvent, nil))
		if a.StatusCode != 503 {
			t.Errorf("status %d, want 503 before any configuration", a.StatusCode)
		}
	})

	t.Run("function url, configuration from InvokeRequest.Environment", func(t *testing.T) {
		before := sb.Stats().Billable
		a, b := decodeAnswer(t, invoke(t, c, "req-1", urlEvent, env))
		data, _ := b["data"].(map[string]any)
		if a.StatusCode != 200 || b["success"] != true || data["passed"] != true {
			t.Fatalf("answer %d %v", a.StatusCode, b)
		}
		// A Function URL event has no id of its own: the invocation's shows.
		if b["request_id"] != "req-1" || a.Headers["X-Request-Id"] != "req-1" {
			t.Errorf("request id %v / %q, want the invocation's", b["request_id"], a.Headers["X-Request-Id"])
		}
		if got := sb.Stats().Billable - before; got != 1 {
			t.Errorf("billed %d calls, want 1", got)
		}
	})

	t.Run("warm invocation reuses the configuration", func(t *testing.T) {
		a, b := decodeAnswer(t, invoke(t, c, "req-2", urlEvent, nil))
		if a.StatusCode != 200 || b["success"] != true {
			t.Errorf("answer %d %v", a.StatusCode, b)
		}
		if n := strings.Count(out.String(), `"msg":"configured"`); n != 1 {
			t.Errorf("configured %d times, want once", n)
		}
		// The decode memory is half of the configuration's GOMEMLIMIT.
		if !strings.Contains(out.String(), `"DecodeMemory":52428800,`) {
			t.Errorf("decode memory is not half of GOMEMLIMIT=100MiB:\n%s", out.String())
		}
	})

	t.Run("api gateway: the id its caller sees", func(t *testing.T) {
		// Shaped like Tencent's documented API Gateway event: the gateway's
		// own id (returned to its caller as X-Api-RequestId) is the
		// x-api-requestid header, not requestContext.requestId.
		const gatewayID = "0123456789abcdef0123456789abcdef"
		event := map[string]any{
			"requestContext": map[string]any{"serviceId": "service-abcd1234", "path": "/", "httpMethod": "ANY",
				"requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef", "identity": map[string]any{},
				"sourceIp": "198.51.100.23", "stage": "release"},
			"headers": map[string]string{"content-type": "application/json", "endpoint-timeout": "15",
				"host": "service-abcd1234-1250000000.gz.apigw.tencentcs.com", "x-anonymous-consumer": "true",
				"x-api-requestid": gatewayID, "x-qualifier": "$DEFAULT"},
			"body": string(body), "pathParameters": map[string]any{}, "queryStringParameters": map[string]any{},
			"headerParameters": map[string]any{}, "stageVariables": map[string]any{"stage": "release"},
			"path": "/release/face_id_card/post", "queryString": map[string]any{}, "httpMethod": "POST",
		}
		a, b := decodeAnswer(t, invoke(t, c, "req-3", event, nil))
		if a.StatusCode != 200 || b["success"] != true {
			t.Fatalf("answer %d %v", a.StatusCode, b)
		}
		if b["request_id"] != gatewayID || a.Headers["X-Request-Id"] != gatewayID {
			t.Errorf("request id %v / %q, want the gateway's %s", b["request_id"], a.Headers["X-Request-Id"], gatewayID)
		}
		line := proctest.LogLine(t, out, "verification", "request_id", gatewayID)
		if line["event"] != "apigw" {
			t.Errorf("verification logged with event %v, want apigw", line["event"])
		}
		if line := proctest.LogLine(t, out, "verification", "request_id", "req-1"); line["event"] != "function_url" {
			t.Errorf("Function URL verification logged with event %v, want function_url", line["event"])
		}
	})

	t.Run("cos upload delivered twice", func(t *testing.T) {
		const key = "uploads/2024/selfie 01.jpg"
		cos.Put(key, photo, map[string]string{"idcard": photoID, "name": url.QueryEscape("张三")})
		escaped := (&url.URL{Path: key}).EscapedPath()
		event := map[string]any{"Records": []any{map[string]any{
			"cos": map[string]any{
				"cosSchemaVersion": "1.0", "cosNotificationId": "unkown",
				"cosBucket": map[string]any{"appid": "1250000000", "name": "photos", "region": "gz"},
				"cosObject": map[string]any{
					// Percent-encoded, with the url agreeing: the adapter decodes it.
					"key":  "/1250000000/photos/" + escaped,
					"url":  "http://photos-1250000000.cos.ap-guangzhou.myqcloud.com/" + escaped,
					"size": len(photo), "vid": "",
					"meta": map[string]string{"Content-Type": "image/jpeg", "x-cos-meta-idcard": photoID,
						"x-cos-meta-name": url.QueryEscape("张三"), "x-cos-request-id": "NjVh"},
				},
			},
			"event": map[string]any{"eventName": "cos:ObjectCreated:Put", "eventVersion": "1.0",
				"eventTime": 1700000000, "eventSource": "qcs::cos", "reqid": 1,
				"requestParameters": map[string]any{"requestSourceIP": "203.0.113.9", "requestHeaders": map[string]string{}}},
		}}}
		before := sb.Stats().Billable
		for i := range 2 {
			resp := invoke(t, c, "cos-"+string(rune('a'+i)), event, env)
			if resp.Error != nil {
				t.Fatalf("delivery %d: %+v", i+1, resp.Error)
			}
		}
		if got := sb.Stats().Billable - before; got != 1 {
			t.Errorf("two deliveries billed %d calls, want exactly 1", got)
		}
		var results []string
		for _, k := range cos.Keys("results/") {
			if !strings.HasPrefix(k, "results/.claims/") {
				results = append(results, k)
			}
		}
		if len(results) != 1 || results[0] != "results/"+key+".json" {
			t.Fatalf("result objects %v, want exactly results/%s.json", results, key)
		}
		var r struct {
			Outcome string `json:"outcome"`
			Passed  bool   `json:"passed"`
		}
		res, _ := cos.Get(results[0])
		if err := json.Unmarshal(res, &r); err != nil || r.Outcome != "verified" || !r.Passed {
			t.Errorf("result %s: %v", res, err)
		}
		if strings.Contains(string(res), photoID) {
			t.Error("the result object holds the unmasked ID number")
		}
	})

	t.Run("unsupported event is an invoke error", func(t *testing.T) {
		resp := invoke(t, c, "timer-1", map[string]string{"Type": "Timer", "TriggerName": "t"}, nil)
		if resp.Error == nil || resp.Error.ShouldExit {
			t.Errorf("error %+v, want a plain function error", resp.Error)
		}
	})

	if strings.Contains(out.String(), photoID) || strings.Contains(out.String(), "张三") {
		t.Error("the function's logs hold an unmasked ID number or name")
	}
}
