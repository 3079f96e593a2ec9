package httphandler_test

// This file holds docs/openapi.yaml to the handler: the real handler, over a
// real core.Client and the offline sandbox, answers a request for every
// status the spec documents, and each answer must match the spec (status
// documented for the path, media type, required headers, body schema, error
// kinds). Every documented status must be produced by some case, and the
// routes the spec lists must be exactly the routes the handler serves, so
// the spec cannot drift from the code in either direction.
//
// The schema checker below covers the subset of OpenAPI 3.0 the spec uses
// and refuses any other keyword, so the spec cannot silently outgrow it.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/faceid-verify/faceid/adapters/httphandler"
	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/core/hmacauth"
	"github.com/faceid-verify/faceid/sandbox"
	"github.com/faceid-verify/faceid/state"
)

const specPath = "../../docs/openapi.yaml"

// ---- the spec and its schema checker ----

type object = map[string]any

type apiSpec struct{ root object }

func mustLoadSpec(t *testing.T) *apiSpec {
	t.Helper()
	raw, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	var root object
	if err := yaml.Unmarshal(raw, &root); err != nil {
		t.Fatalf("%s: %v", specPath, err)
	}
	if v, _ := root["openapi"].(string); !strings.HasPrefix(v, "3.0.") {
		t.Fatalf("%s: openapi %q, the checker reads 3.0", specPath, v)
	}
	return &apiSpec{root: root}
}

// deref follows $ref chains to components.
func (s *apiSpec) deref(n object) object {
	for i := 0; i < 10; i++ {
		ref, ok := n["$ref"].(string)
		if !ok {
			return n
		}
		var cur any = s.root
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			m, _ := cur.(object)
			cur = m[part]
		}
		if n, ok = cur.(object); !ok {
			return object{"$unresolved": ref}
		}
	}
	return n
}

func (s *apiSpec) child(n object, key string) object {
	m, _ := n[key].(object)
	if m == nil {
		return nil
	}
	return s.deref(m)
}

// match finds the path item for a concrete path (escaped, as sent),
// checking path parameters. A parameter marked x-multi-segment that ends
// its template takes the rest of the path, slashes included (OpenAPI 3.0
// has no such parameter; a client may also send them as %2F).
func (s *apiSpec) match(path string) (string, object) {
	for tmpl, v := range s.root["paths"].(object) {
		item := s.deref(v.(object))
		ts, ps := strings.Split(tmpl, "/"), strings.Split(path, "/")
		if n := len(ts); n < len(ps) && s.spans(item, ts[n-1]) {
			ps = append(ps[:n-1:n-1], strings.Join(ps[n-1:], "/"))
		}
		if len(ts) != len(ps) {
			continue
		}
		ok := true
		for i := range ts {
			name, isParam := strings.CutPrefix(ts[i], "{")
			if !isParam {
				ok = ok && ts[i] == ps[i]
				continue
			}
			name = strings.TrimSuffix(name, "}")
			val, err := url.PathUnescape(ps[i])
			ok = ok && err == nil && len(s.checkValue(s.pathParam(item, name), val, name)) == 0
		}
		if ok {
			return tmpl, item
		}
	}
	return "", nil
}

// spans reports whether the template segment seg is a path parameter that
// may span segments.
func (s *apiSpec) spans(item object, seg string) bool {
	name, ok := strings.CutPrefix(seg, "{")
	if !ok {
		return false
	}
	name = strings.TrimSuffix(name, "}")
	params, _ := item["parameters"].([]any)
	for _, p := range params {
		if p := s.deref(p.(object)); p["name"] == name && p["in"] == "path" {
			return p["x-multi-segment"] == true
		}
	}
	return false
}

func (s *apiSpec) pathParam(item object, name string) object {
	params, _ := item["parameters"].([]any)
	for _, p := range params {
		if p := s.deref(p.(object)); p["name"] == name && p["in"] == "path" {
			return s.child(p, "schema")
		}
	}
	return object{"$unresolved": "path parameter " + name}
}

var annotations = []string{"description", "example", "format", "title"}

// checkValue validates v (decoded with json.Number) against schema and
// returns the problems found, each prefixed with where.
func (s *apiSpec) checkValue(schema object, v any, at string) []string {
	schema = s.deref(schema)
	var probs []string
	bad := func(format string, args ...any) { probs = append(probs, at+": "+fmt.Sprintf(format, args...)) }
	for k := range schema {
		if !strings.HasPrefix(k, "x-") && !slices.Contains(annotations, k) && !slices.Contains(
			[]string{"type", "nullable", "properties", "required", "additionalProperties", "enum", "items",
				"minimum", "maximum", "pattern", "oneOf"}, k) {
			bad("schema keyword %q is not supported by this checker", k)
		}
	}
	if alts, ok := schema["oneOf"].([]any); ok {
		// Exactly one alternative must fit; the schema holds nothing else.
		fits := 0
		for _, alt := range alts {
			if len(s.checkValue(alt.(object), v, at)) == 0 {
				fits++
			}
		}
		if fits != 1 {
			bad("fits %d of the oneOf alternatives, want exactly one", fits)
		}
		return probs
	}
	if v == nil {
		if schema["nullable"] != true {
			bad("null is not allowed")
		}
		return probs
	}
	switch typ, _ := schema["type"].(string); typ {
	case "object":
		m, ok := v.(object)
		if !ok {
			bad("want an object, got %T", v)
			return probs
		}
		props, _ := schema["properties"].(object)
		req, _ := schema["required"].([]any)
		for _, r := range req {
			if _, ok := m[r.(string)]; !ok {
				bad("required property %q missing", r)
			}
		}
		for k, val := range m {
			if ps, ok := props[k].(object); ok {
				probs = append(probs, s.checkValue(ps, val, at+"."+k)...)
				continue
			}
			switch ap := schema["additionalProperties"].(type) {
			case bool:
				if !ap {
					bad("property %q is not documented", k)
				}
			case object:
				probs = append(probs, s.checkValue(ap, val, at+"."+k)...)
			}
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			bad("want an array, got %T", v)
			return probs
		}
		items, _ := schema["items"].(object)
		for i, e := range arr {
			probs = append(probs, s.checkValue(items, e, fmt.Sprintf("%s[%d]", at, i))...)
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			bad("want a string, got %T", v)
		}
		if p, ok := schema["pattern"].(string); ok {
			if re, err := regexp.Compile(p); err != nil || !re.MatchString(str) {
				bad("%q does not match the pattern %s (%v)", str, p, err)
			}
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			bad("want a boolean, got %T", v)
		}
	case "integer", "number":
		n, ok := v.(json.Number)
		if !ok {
			bad("want a %s, got %T", typ, v)
			return probs
		}
		if _, err := n.Int64(); typ == "integer" && err != nil {
			bad("want an integer, got %s", n)
		}
		f, _ := n.Float64()
		if min, ok := number(schema["minimum"]); ok && f < min {
			bad("%s below minimum %v", n, min)
		}
		if max, ok := number(schema["maximum"]); ok && f > max {
			bad("%s above maximum %v", n, max)
		}
	default:
		bad("schema has no supported type: %v", schema["type"])
	}
	if enum, ok := schema["enum"].([]any); ok && !slices.ContainsFunc(enum, func(e any) bool {
		return fmt.Sprint(e) == fmt.Sprint(v)
	}) {
		bad("%v is not one of %v", v, enum)
	}
	return probs
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data")
	}
	return v, nil
}

// checkResponse validates one answer and returns the operation's path
// template, or problems.
func (s *apiSpec) checkResponse(method, path string, status int, h http.Header, body []byte) (string, []string) {
	tmpl, item := s.match(path)
	if item == nil {
		return "", []string{fmt.Sprintf("path %s is not in the spec", path)}
	}
	op := s.child(item, strings.ToLower(method))
	if op == nil {
		return tmpl, []string{fmt.Sprintf("%s %s is not in the spec", method, tmpl)}
	}
	resp := s.child(s.child(op, "responses"), strconv.Itoa(status))
	if resp == nil {
		return tmpl, []string{fmt.Sprintf("status %d is not documented for %s %s", status, method, tmpl)}
	}
	var probs []string
	headers := s.child(resp, "headers")
	for name, hv := range headers {
		hdr := s.deref(hv.(object))
		val := headerValue(h, name)
		switch {
		case val == "" && hdr["required"] == true:
			probs = append(probs, fmt.Sprintf("required header %s missing", name))
		case val != "" && s.child(hdr, "schema")["type"] == "integer":
			probs = append(probs, s.checkValue(s.child(hdr, "schema"), json.Number(val), "header "+name)...)
		}
	}
	// A header that tells a client what to do must be documented where sent.
	if headerValue(h, "Retry-After") != "" && headers["Retry-After"] == nil {
		probs = append(probs, fmt.Sprintf("header Retry-After is not documented for %d", status))
	}
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	media := s.child(s.child(resp, "content"), mt)
	if media == nil {
		return tmpl, append(probs, fmt.Sprintf("Content-Type %q is not documented for %d", mt, status))
	}
	v, err := decodeJSON(body)
	if err != nil {
		return tmpl, append(probs, fmt.Sprintf("body is not JSON: %v", err))
	}
	probs = append(probs, s.checkValue(s.child(media, "schema"), v, "body")...)
	if kinds, ok := resp["x-error-kinds"].([]any); ok {
		body, _ := v.(object)
		errObj, _ := body["error"].(object)
		kind, _ := errObj["kind"].(string)
		// A 200 on the upstream's paths may be a verification or a refusal.
		verified := status == http.StatusOK && errObj == nil
		if !verified && !slices.ContainsFunc(kinds, func(k any) bool { return k == kind }) {
			probs = append(probs, fmt.Sprintf("error.kind %q is not among %v documented for %d", kind, kinds, status))
		}
	}
	return tmpl, probs
}

// headerValue looks a header up case-insensitively: X-Api-RequestId is set
// without canonicalising, so Header.Get cannot find it in a recorder.
func headerValue(h http.Header, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// checkRequest validates a request the spec should accept: its body
// against the request body schema and its signature headers against the
// documented parameters and security schemes.
func (s *apiSpec) checkRequest(r *http.Request, body []byte) []string {
	_, item := s.match(r.URL.EscapedPath())
	op := s.child(item, strings.ToLower(r.Method))
	if op == nil {
		return []string{"operation not in the spec"}
	}
	documented := map[string]bool{}
	params, _ := op["parameters"].([]any)
	for _, p := range params {
		if p := s.deref(p.(object)); p["in"] == "header" {
			documented[http.CanonicalHeaderKey(p["name"].(string))] = true
		}
	}
	for _, sc := range s.child(s.child(s.root, "components"), "securitySchemes") {
		if sc := s.deref(sc.(object)); sc["in"] == "header" {
			documented[http.CanonicalHeaderKey(sc["name"].(string))] = true
		}
	}
	var probs []string
	for _, name := range []string{"Authorization", "X-Date", "X-Source", "Date", "Source", "Request-Id"} {
		if r.Header.Get(name) != "" && !documented[name] {
			probs = append(probs, "header "+name+" is not documented")
		}
	}
	if op["requestBody"] == nil && len(body) == 0 {
		return probs // a GET
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	media := s.child(s.child(s.child(op, "requestBody"), "content"), mt)
	if media == nil {
		return append(probs, fmt.Sprintf("request Content-Type %q is not documented", mt))
	}
	var v any
	switch mt {
	case "application/json":
		var err error
		if v, err = decodeJSON(body); err != nil {
			return append(probs, "request body is not JSON")
		}
	case "application/x-www-form-urlencoded":
		q, _ := url.ParseQuery(string(body))
		m := object{}
		for k, vs := range q {
			m[k] = vs[0]
		}
		v = m
	}
	return append(probs, s.checkValue(s.child(media, "schema"), v, "request")...)
}

// ---- the handler under test ----

const (
	passID   = "110101199003070011"
	clientID = "client-id"
	clientSK = "client-secret"
)

type verifierFunc func(context.Context, core.Request) (*core.Result, error)

func (f verifierFunc) Verify(ctx context.Context, r core.Request) (*core.Result, error) {
	return f(ctx, r)
}

func (verifierFunc) Reject(err error) error { return err }

// apiCase is one request and the status it must produce.
type apiCase struct {
	name      string
	sandbox   sandbox.Config
	fault     *sandbox.Fault
	core      func(*core.Config) // changes to the client's configuration
	badKey    bool               // the function's upstream key pair is wrong
	keys      map[string]string  // drop-in mode
	maxBody   int64
	verifier  httphandler.Verifier // replaces the core client (faults the sandbox cannot make)
	prime     int                  // calls made before the request (quota)
	body      func() (contentType, body string)
	sign      string // "", "ok", "cloudmarket" or "wrong"
	status    int
	upstream  int    // the status on the upstream's paths when it differs
	kind      string // expected error.kind, "" when none
	validBody bool   // the request itself follows the spec
	idemKey   string // Idempotency-Key header
	// primeBody, when set, is the body of the priming calls.
	primeBody func() (contentType, body string)
}

func newHandler(t *testing.T, c apiCase) http.Handler {
	t.Helper()
	sb := sandbox.New(c.sandbox)
	if c.fault != nil {
		if err := sb.InjectFault(*c.fault); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	cfg := core.Config{
		Endpoint: srv.URL + "/release/face_id_card/post",
		SecretID: sandbox.DefaultSecretID, SecretKey: core.Secret(sandbox.DefaultSecretKey),
	}
	if c.badKey {
		cfg.SecretKey = "not-the-key"
	}
	if c.core != nil {
		c.core(&cfg)
	}
	client, err := core.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.CloseIdleConnections) // runs before srv.Close: no goroutines left behind
	opts := httphandler.Options{Verifier: client, ClientKeys: c.keys, MaxBody: c.maxBody}
	if c.verifier != nil {
		opts.Verifier = c.verifier
	}
	return httphandler.New(opts)
}

func mustPhoto(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../testdata/photos/small-320x240.jpg")
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func apiCases(photo string) []apiCase {
	jsonBody := func(id, name string) func() (string, string) {
		return func() (string, string) {
			b, _ := json.Marshal(map[string]string{"name": name, "idcard": id, "image": photo})
			return "application/json", string(b)
		}
	}
	pass := jsonBody(passID, "张三")
	dropIn := map[string]string{clientID: clientSK}
	return []apiCase{
		{name: "same person", body: pass, status: 200, validBody: true},
		{name: "different person", body: jsonBody("130102197809210037", "王五"), status: 200, validBody: true},
		{name: "name does not match the ID", body: jsonBody(passID, "李四"), status: 200, validBody: true},
		{name: "form body", body: func() (string, string) {
			return "application/x-www-form-urlencoded",
				url.Values{"name": {"张三"}, "idcard": {passID}, "image": {photo}, "url": {""}}.Encode()
		}, status: 200, validBody: true},
		{name: "drop-in signed", keys: dropIn, sign: "ok", body: pass, status: 200, validBody: true},
		{name: "drop-in signed, Cloud Market scheme", keys: dropIn, sign: "cloudmarket", body: pass, status: 200, validBody: true},
		{name: "local checksum error", body: jsonBody("110101199003070012", "张三"), status: 400, upstream: 200, kind: "validation"},
		{name: "unsigned in drop-in mode", keys: dropIn, body: pass, status: 401},
		{name: "wrong signature", keys: dropIn, sign: "wrong", body: pass, status: 403},
		{name: "body too large", maxBody: 1024, body: func() (string, string) {
			return "application/json", `{"image":"` + strings.Repeat("A", 2048) + `"}`
		}, status: 413, kind: "validation"},
		{name: "wrong content type", body: func() (string, string) { return "text/plain", "hello" },
			status: 415, upstream: 200, kind: "validation"},
		{name: "quota used up", sandbox: sandbox.Config{Quota: 1}, prime: 1, body: pass,
			status: 429, kind: "quota_exceeded", validBody: true},
		{name: "daily budget used up", core: func(c *core.Config) { c.DailyBudget = 1 }, prime: 1, body: pass,
			status: 429, kind: "budget_exhausted", validBody: true},
		{name: "circuit open", core: func(c *core.Config) { c.BreakerThreshold = 1 }, prime: 1, body: pass,
			fault:  &sandbox.Fault{Kind: sandbox.FaultStatus, Status: 502, Times: 1},
			status: 503, kind: "circuit_open", validBody: true},
		{name: "unclassified error", body: pass, status: 500, kind: "internal", validBody: true,
			verifier: verifierFunc(func(context.Context, core.Request) (*core.Result, error) {
				return nil, errors.New("something nobody mapped")
			})},
		{name: "state store down", body: pass, status: 503, kind: "state_unavailable", validBody: true,
			verifier: verifierFunc(func(context.Context, core.Request) (*core.Result, error) {
				return nil, &state.UnavailableError{Backend: "redis", Op: "reserve", Err: errors.New("connection refused")}
			})},
		{name: "seller 500", body: jsonBody("370102198009090152", "韩七"), status: 502, upstream: 200, kind: "seller", validBody: true},
		{name: "gateway 502", fault: &sandbox.Fault{Kind: sandbox.FaultStatus, Status: 502}, body: pass,
			status: 502, kind: "upstream_unavailable", validBody: true},
		{name: "unreadable answer", fault: &sandbox.Fault{Kind: sandbox.FaultMalformed}, body: pass,
			status: 502, kind: "upstream_malformed", validBody: true},
		{name: "our upstream key rejected", badKey: true, body: pass, status: 502, kind: "upstream_auth", validBody: true},
		{name: "API discontinued", body: jsonBody("420102197503150173", "朱九"), status: 503, upstream: 200, kind: "seller", validBody: true},
		{name: "idempotency key replayed", idemKey: "order-1", prime: 1, body: pass, status: 200, validBody: true},
		{name: "idempotency key reused for another request", idemKey: "order-2", prime: 1,
			primeBody: jsonBody("130102197809210037", "王五"), body: pass, status: 422, kind: "idempotency", validBody: true},
		{name: "gateway timeout", fault: &sandbox.Fault{Kind: sandbox.FaultStatus, Status: 504}, body: pass,
			status: 504, kind: "upstream_timeout", validBody: true},
	}
}

func (c apiCase) request(path string) (*http.Request, []byte) {
	ct, body := c.body()
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	r.Header.Set("Content-Type", ct)
	if c.idemKey != "" {
		r.Header.Set(httphandler.IdempotencyHeader, c.idemKey)
	}
	switch c.sign {
	case "cloudmarket":
		hmacauth.Sign(r.Header, hmacauth.Credentials{SecretID: clientID, SecretKey: clientSK,
			Variant: hmacauth.CloudMarket}, time.Now())
	case "ok", "wrong":
		key := clientSK
		if c.sign == "wrong" {
			key = "not-" + clientSK
		}
		hmacauth.Sign(r.Header, hmacauth.Credentials{SecretID: clientID, SecretKey: key,
			Source: "market", Variant: hmacauth.XDate}, time.Now())
	}
	return r, []byte(body)
}

func TestHandlerMatchesOpenAPI(t *testing.T) {
	spec := mustLoadSpec(t)
	photo := mustPhoto(t)
	seen := map[string]bool{} // "METHOD template status"
	paths := []string{"/verify", "/release/face_id_card/post", "/test/face_id_card/post", "/prepub/face_id_card/post",
		"/service-ndq49qvj/face_id_card/post"}
	for _, c := range apiCases(photo) {
		for _, path := range paths {
			t.Run(c.name+path, func(t *testing.T) {
				h := newHandler(t, c)
				for range c.prime {
					pc := c
					if c.primeBody != nil {
						pc.body = c.primeBody
					}
					r, _ := pc.request(path)
					h.ServeHTTP(httptest.NewRecorder(), r)
				}
				r, reqBody := c.request(path)
				if c.validBody {
					for _, p := range spec.checkRequest(r, reqBody) {
						t.Errorf("the spec rejects a request the handler accepts: %s", p)
					}
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				tmpl, probs := spec.checkResponse(r.Method, path, w.Code, w.Header(), w.Body.Bytes())
				for _, p := range probs {
					t.Errorf("%d answer does not match the spec: %s\nbody: %.300s", w.Code, p, w.Body)
				}
				want := c.status
				if c.upstream != 0 && path != "/verify" {
					want = c.upstream
				}
				if w.Code != want {
					t.Fatalf("status %d, want %d: %.300s", w.Code, want, w.Body)
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
				seen[fmt.Sprintf("POST %s %d", tmpl, w.Code)] = true
			})
		}
	}

	t.Run("uploads", func(t *testing.T) { checkUploadRoutes(t, spec, seen) })

	t.Run("healthz", func(t *testing.T) {
		w := httptest.NewRecorder()
		newHandler(t, apiCase{}).ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/healthz", nil))
		tmpl, probs := spec.checkResponse(http.MethodGet, "/healthz", w.Code, w.Header(), w.Body.Bytes())
		for _, p := range probs {
			t.Errorf("healthz: %s", p)
		}
		seen[fmt.Sprintf("GET %s %d", tmpl, w.Code)] = true
	})

	// Every status the spec documents must have been produced above: a
	// status the handler can no longer return must leave the spec.
	for tmpl, v := range spec.root["paths"].(object) {
		item := spec.deref(v.(object))
		for method, op := range item {
			if method == "parameters" {
				continue
			}
			for status := range spec.child(spec.deref(op.(object)), "responses") {
				key := fmt.Sprintf("%s %s %s", strings.ToUpper(method), tmpl, status)
				if !seen[key] {
					t.Errorf("%s: documented, but no case produced it", key)
				}
			}
		}
	}
}

// TestOpenAPIRoutesMatchHandler checks that the spec lists exactly the
// routes the handler serves: documented operations are routed, other
// methods on documented paths get 405, and near-miss paths get 404 and are
// not matched by the spec either.
func TestOpenAPIRoutesMatchHandler(t *testing.T) {
	spec := mustLoadSpec(t)
	h := newUploadEnv(t, uploadAPICase{}).handler
	methods := []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}
	for tmpl, v := range spec.root["paths"].(object) {
		item := spec.deref(v.(object))
		for _, path := range instances(spec, tmpl, item) {
			for _, m := range methods {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, httptest.NewRequest(m, path, strings.NewReader("{}")))
				documented := item[strings.ToLower(m)] != nil
				// A 404 of the route's own (no result yet) has the envelope.
				noRoute := w.Code == 405 || w.Code == 404 && strings.Contains(w.Body.String(), "There is no api match")
				switch {
				case documented && noRoute:
					t.Errorf("%s %s is documented but the handler answers %d", m, path, w.Code)
				case !documented && w.Code != 405:
					t.Errorf("%s %s is not documented but the handler answers %d, want 405", m, path, w.Code)
				}
			}
		}
	}
	for _, path := range []string{"/", "/verify/", "/staging/face_id_card/post", "/face_id_card/post",
		"/release/face_id_card/post/", "/release/face_id_card", "/healthz/", "/service-NDQ49QVJ/face_id_card/post",
		"/service-ndq49qv/face_id_card/post", "/service-ndq49qvj/face_id_card/post/", "/x/service-ndq49qvj/face_id_card/post",
		"/uploads/", "/upload", "/results", "/result/uploads/issued/a.jpg", "//uploads", "/x/results/uploads/issued/a.jpg"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, path, strings.NewReader("{}")))
		if w.Code != 404 {
			t.Errorf("POST %s: handler answers %d, want 404 (or document the route)", path, w.Code)
		}
		if tmpl, _ := spec.match(path); tmpl != "" {
			t.Errorf("%s: the spec matches it as %s but the handler does not serve it", path, tmpl)
		}
	}
}

// instances turns a path template into concrete paths, one per enum value
// of its (single) path parameter, or else one per example of it.
func instances(s *apiSpec, tmpl string, item object) []string {
	start := strings.Index(tmpl, "{")
	if start < 0 {
		return []string{tmpl}
	}
	end := strings.Index(tmpl, "}")
	name := tmpl[start+1 : end]
	values, _ := s.pathParam(item, name)["enum"].([]any)
	if values == nil {
		params, _ := item["parameters"].([]any)
		for _, p := range params {
			if p := s.deref(p.(object)); p["name"] == name {
				for _, ex := range s.child(p, "examples") {
					values = append(values, ex.(object)["value"])
				}
			}
		}
	}
	var out []string
	for _, e := range values {
		out = append(out, tmpl[:start]+fmt.Sprint(e)+tmpl[end+1:])
	}
	return out
}

// TestSchemaChecker guards the checker itself: a checker that accepts
// everything would make the tests above pass vacuously.
func TestSchemaChecker(t *testing.T) {
	spec := mustLoadSpec(t)
	failure := object{"$ref": "#/components/schemas/Failure"}
	good := `{"msg":"x","success":false,"code":400,"data":{},"request_id":"r",
		"error":{"kind":"validation","may_have_charged":false}}`
	for name, tc := range map[string]struct {
		body string
		ok   bool
	}{
		"valid":                 {good, true},
		"extra top-level field": {strings.Replace(good, `"msg"`, `"extra":1,"msg"`, 1), false},
		"missing request_id":    {strings.Replace(good, `"request_id":"r",`, "", 1), false},
		"code not an integer":   {strings.Replace(good, `"code":400`, `"code":400.5`, 1), false},
		"code as a string":      {strings.Replace(good, `"code":400`, `"code":"400"`, 1), false},
		"unknown kind":          {strings.Replace(good, `"validation"`, `"oops"`, 1), false},
		"data not empty":        {strings.Replace(good, `"data":{}`, `"data":{"a":1}`, 1), false},
		"success true":          {strings.Replace(good, `"success":false`, `"success":true`, 1), false},
		"null error":            {strings.Replace(good, `"error":{"kind":"validation","may_have_charged":false}`, `"error":null`, 1), false},
	} {
		v, err := decodeJSON([]byte(tc.body))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if probs := spec.checkValue(failure, v, "body"); (len(probs) == 0) != tc.ok {
			t.Errorf("%s: problems %q, want ok=%v", name, probs, tc.ok)
		}
	}
	if probs := spec.checkValue(object{"type": "string", "minLength": 1}, "x", "s"); len(probs) == 0 {
		t.Error("an unsupported keyword was accepted")
	}
	if probs := spec.checkValue(object{"type": "string", "pattern": "^a+$"}, "ab", "s"); len(probs) != 1 {
		t.Errorf("a string outside the pattern: problems %q, want one", probs)
	}
	verification := object{"$ref": "#/components/schemas/Verification"}
	either := object{"oneOf": []any{verification, failure}}
	for body, fits := range map[string]bool{good: true, `{"a":1}`: false} {
		v, _ := decodeJSON([]byte(body))
		if probs := spec.checkValue(either, v, "body"); (len(probs) == 0) != fits {
			t.Errorf("oneOf with %s: problems %q, want fit %v", body, probs, fits)
		}
	}
	if probs := spec.checkValue(object{"oneOf": []any{failure, failure}}, func() any { v, _ := decodeJSON([]byte(good)); return v }(), "body"); len(probs) == 0 {
		t.Error("a value fitting two oneOf alternatives was accepted")
	}
	score := object{"$ref": "#/components/schemas/VerificationData"}
	v, _ := decodeJSON([]byte(`{"order_no":"o","score":1.5,"msg":"m","incorrect":100,"incorrect_desc":"d",
		"incorrect_desc_en":"e","verdict":"same","passed":true}`))
	if probs := spec.checkValue(score, v, "data"); len(probs) != 1 {
		t.Errorf("score 1.5: problems %q, want one (above maximum)", probs)
	}
}
