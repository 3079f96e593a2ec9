package httphandler_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/adapters/httphandler"
	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/faceid-verify/faceid/adapters/upload/s3store"
	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/core/hmacauth"
	"github.com/faceid-verify/faceid/internal/s3fake"
	"github.com/faceid-verify/faceid/sandbox"
)

// The upload routes, POST /uploads and GET /results/{key}, held to the
// spec as the verification routes are: the real issuer and upload
// pipeline on an in-memory S3 store and the offline sandbox.

const (
	specBucket = "photos"
	specMACKey = "test-upload-mac-key-0123456789abcdef"
)

// uploadAPICase is one request to the upload routes and what it must get.
type uploadAPICase struct {
	name         string
	dropIn       bool // drop-in mode; sign says how the request is signed
	sign         string
	replayDown   bool // the drop-in replay memory cannot be reached
	presignFails bool
	storeDown    bool // the result store cannot be read
	// req builds the request; env has issued a key (and, with verified,
	// uploaded a photo to it and verified it).
	req       func(env *uploadEnv) *http.Request
	verified  bool
	status    int
	kind      string
	validBody bool
}

// uploadEnv is the handler with the upload flow, and a key it issued.
type uploadEnv struct {
	handler http.Handler
	key     string
}

// failingPresigner cannot sign (e.g. the role's credentials are gone).
type failingPresigner struct{ upload.Presigner }

func (failingPresigner) PresignPut(context.Context, upload.Ref, upload.PutSpec, time.Duration) (string, http.Header, error) {
	return "", nil, errors.New("no credentials")
}

// unreadableStore cannot read objects.
type unreadableStore struct{ upload.Store }

func (unreadableStore) Get(context.Context, upload.Ref, int64) ([]byte, upload.ObjectInfo, error) {
	return nil, upload.ObjectInfo{}, errors.New("connection reset by peer")
}

// downReplay is a drop-in replay memory that cannot be reached.
type downReplay struct{}

func (downReplay) Claim(context.Context, string, []byte, time.Duration) (bool, []byte, error) {
	return false, nil, errors.New("connection refused")
}

func signUpload(r *http.Request, how string) *http.Request {
	switch how {
	case "ok", "wrong":
		key := clientSK
		if how == "wrong" {
			key = "not-" + clientSK
		}
		hmacauth.Sign(r.Header, hmacauth.Credentials{SecretID: clientID, SecretKey: key,
			Source: "market", Variant: hmacauth.XDate}, time.Now())
	}
	return r
}

func issueReq(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/uploads", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	return r
}

func resultReq(key string) *http.Request {
	return httptest.NewRequest(http.MethodGet, "/results/"+key, nil)
}

// newUploadEnv builds the handler for c, issues a key and, when c asks,
// uploads the test photo to it and runs the upload pipeline on it.
func newUploadEnv(t *testing.T, c uploadAPICase) *uploadEnv {
	t.Helper()
	sb := sandbox.New(sandbox.Config{})
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	client, err := core.New(core.Config{Endpoint: srv.URL + "/release/face_id_card/post",
		SecretID: sandbox.DefaultSecretID, SecretKey: core.Secret(sandbox.DefaultSecretKey)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.CloseIdleConnections)
	_, s3c := s3fake.Start(t, specBucket)
	st := s3store.New(s3c)
	var store upload.Store = st
	var presign upload.Presigner = st
	if c.storeDown {
		store = unreadableStore{st}
	}
	if c.presignFails {
		presign = failingPresigner{st}
	}
	is, err := upload.NewIssuer(upload.Config{MACKey: specMACKey}, upload.IssueConfig{Bucket: specBucket}, client, presign, store)
	if err != nil {
		t.Fatal(err)
	}
	opts := httphandler.Options{Verifier: client, Uploads: is}
	if c.dropIn {
		opts.ClientKeys = map[string]string{clientID: clientSK}
	}
	if c.replayDown {
		opts.Replay = downReplay{}
	}
	env := &uploadEnv{handler: httphandler.New(opts), key: "uploads/issued/" + strings.Repeat("a", 26) + ".jpg"}
	if !c.verified {
		return env
	}
	// The whole flow, as an app runs it: ask, upload, let the trigger run.
	w := httptest.NewRecorder()
	env.handler.ServeHTTP(w, signUpload(issueReq(`{"name":"张三","idcard":"`+passID+`"}`), c.sign))
	var tk upload.Ticket
	if err := json.Unmarshal(w.Body.Bytes(), &tk); err != nil || w.Code != http.StatusOK {
		t.Fatalf("POST /uploads: %d %s", w.Code, w.Body)
	}
	photo, err := os.ReadFile("../../testdata/photos/small-320x240.jpg")
	if err != nil {
		t.Fatal(err)
	}
	put, _ := http.NewRequest(tk.UploadMethod, tk.UploadURL, bytes.NewReader(photo))
	for k, v := range tk.UploadHeaders {
		put.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(put)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("upload: %s", resp.Status)
	}
	p, err := upload.New(upload.Config{MACKey: specMACKey}, client, st)
	if err != nil {
		t.Fatal(err)
	}
	ev := upload.Event{Platform: upload.PlatformS3, Bucket: specBucket, Key: tk.Key, Size: int64(len(photo)), EventTime: time.Now()}
	if err := p.Process(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	env.key = tk.Key
	return env
}

func uploadAPICases() []uploadAPICase {
	person := `{"name":"张三","idcard":"` + passID + `"}`
	issue := func(body string) func(*uploadEnv) *http.Request {
		return func(*uploadEnv) *http.Request { return issueReq(body) }
	}
	result := func(env *uploadEnv) *http.Request { return resultReq(env.key) }
	return []uploadAPICase{
		{name: "upload issued", req: issue(person), status: 200, validBody: true},
		{name: "upload issued for a PNG of a known size", req: issue(`{"name":"张三","idcard":"` + passID +
			`","content_type":"image/png","size":1234,"other":[1]}`), status: 200, validBody: true},
		{name: "upload issued, nulls", req: issue(`{"name":"张三","idcard":"` + passID + `","content_type":null,"size":null}`),
			status: 200, validBody: true},
		{name: "upload issued under an Idempotency-Key", req: func(*uploadEnv) *http.Request {
			r := issueReq(person)
			r.Header.Set(httphandler.IdempotencyHeader, "order-1")
			return r
		}, status: 200, validBody: true},
		{name: "upload issued, drop-in signed", dropIn: true, sign: "ok", req: func(*uploadEnv) *http.Request {
			return signUpload(issueReq(person), "ok")
		}, status: 200, validBody: true},
		{name: "upload for a wrong check digit", req: issue(`{"name":"张三","idcard":"110101199003070012"}`),
			status: 400, kind: "validation", validBody: true},
		{name: "upload of an unsupported type", req: issue(`{"name":"张三","idcard":"` + passID + `","content_type":"image/gif"}`),
			status: 400, kind: "validation", validBody: true},
		{name: "upload body not an object", req: issue(`[1]`), status: 400, kind: "validation"},
		{name: "upload unsigned in drop-in mode", dropIn: true, req: issue(person), status: 401},
		{name: "upload wrongly signed", dropIn: true, req: func(*uploadEnv) *http.Request {
			return signUpload(issueReq(person), "wrong")
		}, status: 403},
		{name: "upload body too large", req: issue(`{"name":"` + strings.Repeat("x", 20<<10) + `"}`),
			status: 413, kind: "validation"},
		{name: "upload address cannot be signed", presignFails: true, req: issue(person), status: 500, kind: "internal",
			validBody: true},
		{name: "upload with the replay memory down", dropIn: true, replayDown: true, req: func(*uploadEnv) *http.Request {
			return signUpload(issueReq(person), "ok")
		}, status: 503, kind: "state_unavailable", validBody: true},

		{name: "result", verified: true, req: result, status: 200, validBody: true},
		{name: "result, key percent-encoded", verified: true, req: func(env *uploadEnv) *http.Request {
			return resultReq(url.PathEscape(env.key))
		}, status: 200, validBody: true},
		{name: "result, drop-in signed", dropIn: true, sign: "ok", verified: true, req: func(env *uploadEnv) *http.Request {
			return signUpload(resultReq(env.key), "ok")
		}, status: 200, validBody: true},
		{name: "result not yet", req: result, status: 404, kind: "not_found", validBody: true},
		{name: "result of a key not issued", req: func(*uploadEnv) *http.Request { return resultReq("uploads/a.jpg") },
			status: 400, kind: "validation", validBody: true},
		{name: "result unsigned in drop-in mode", dropIn: true, req: result, status: 401},
		{name: "result wrongly signed", dropIn: true, req: func(env *uploadEnv) *http.Request {
			return signUpload(resultReq(env.key), "wrong")
		}, status: 403},
		{name: "result store down", storeDown: true, req: result, status: 503, kind: "store_unavailable", validBody: true},
	}
}

// checkUploadRoutes runs the upload cases against spec, recording in seen
// the "METHOD template status" each produced.
func checkUploadRoutes(t *testing.T, spec *apiSpec, seen map[string]bool) {
	for _, c := range uploadAPICases() {
		t.Run(c.name, func(t *testing.T) {
			env := newUploadEnv(t, c)
			r := c.req(env)
			body := []byte{}
			if r.Body != nil {
				var buf bytes.Buffer
				buf.ReadFrom(r.Body)
				body = buf.Bytes()
				r.Body = io.NopCloser(bytes.NewReader(body))
			}
			if c.validBody {
				for _, p := range spec.checkRequest(r, body) {
					t.Errorf("the spec rejects a request the handler accepts: %s", p)
				}
			}
			w := httptest.NewRecorder()
			env.handler.ServeHTTP(w, r)
			tmpl, probs := spec.checkResponse(r.Method, r.URL.EscapedPath(), w.Code, w.Header(), w.Body.Bytes())
			for _, p := range probs {
				t.Errorf("%d answer does not match the spec: %s\nbody: %.300s", w.Code, p, w.Body)
			}
			if w.Code != c.status {
				t.Fatalf("status %d, want %d: %.300s", w.Code, c.status, w.Body)
			}
			var got struct{ Error *struct{ Kind string } }
			json.Unmarshal(w.Body.Bytes(), &got)
			kind := ""
			if got.Error != nil {
				kind = got.Error.Kind
			}
			if kind != c.kind {
				t.Errorf("error.kind %q, want %q", kind, c.kind)
			}
			if c.verified {
				var res struct{ Outcome string }
				if json.Unmarshal(w.Body.Bytes(), &res); res.Outcome != upload.OutcomeVerified {
					t.Errorf("result %s, want a verified one", w.Body)
				}
			}
			seen[r.Method+" "+tmpl+" "+strconv.Itoa(w.Code)] = true
		})
	}
}

// TestPathMatcher guards the spec's path matcher: only a parameter marked
// x-multi-segment that ends its template spans segments.
func TestPathMatcher(t *testing.T) {
	spec := mustLoadSpec(t)
	for path, want := range map[string]string{
		"/results/uploads/issued/a.jpg":       "/results/{key}",
		"/results/uploads%2Fissued%2Fa.jpg":   "/results/{key}",
		"/results/a":                          "/results/{key}",
		"/results":                            "",
		"/release/face_id_card/post":          "/{base}/face_id_card/post",
		"/service-ndq49qvj/face_id_card/post": "/{base}/face_id_card/post",
		"/a/release/face_id_card/post":        "",
		"/release%2Fx/face_id_card/post":      "",
		"/verify":                             "/verify",
		"/verify/x":                           "",
		"/uploads/x":                          "",
	} {
		if got, _ := spec.match(path); got != want {
			t.Errorf("match(%q) = %q, want %q", path, got, want)
		}
	}
}
