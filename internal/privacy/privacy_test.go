package privacy

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/faceid-verify/faceid/adapters/httphandler"
	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/faceid-verify/faceid/adapters/upload/s3store"
	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/core/hmacauth"
	"github.com/faceid-verify/faceid/internal/s3fake"
	"github.com/faceid-verify/faceid/internal/syncbuf"
	"github.com/faceid-verify/faceid/metrics"
	"github.com/faceid-verify/faceid/sandbox"
)

// sink collects everything the system emits where people or machines can
// read it. Each write ends a line, so two writes never join into a match.
type sink struct{ syncbuf.Buffer }

func (s *sink) Write(p []byte) (int, error) {
	s.Buffer.Write(append(p[:len(p):len(p)], '\n'))
	return len(p), nil
}

// people are the identities the scenarios use: every one must stay unseen.
var people = []struct{ id, name string }{
	{"110101199003070011", "张三"},
	{"120101198506120022", "李四"},
	{"130102197809210037", "王五"},
	{"370102198009090152", "韩七"},
	{"420102197503150173", "朱九"},
	{"110101199003070038", "欧阳娜娜"},
	{"110101199003070012", "Anna-Lena O'Neil"}, // a bad checksum
}

const (
	clientSecret = "client-secret-4f9a1c"
	photoQuery   = "sig=private-token-77e1"
)

func TestNoPersonalDataAnywhere(t *testing.T) {
	out := &sink{}
	log := slog.New(slog.NewJSONHandler(out, &slog.HandlerOptions{Level: slog.LevelDebug}))
	sb := sandbox.New(sandbox.Config{Logger: log.With("component", "sandbox")})
	up := httptest.NewServer(sb)
	defer up.Close()
	defer sb.Close()
	reg, err := metrics.New(metrics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	newClient := func(format string) (*core.Client, *metrics.Lines) {
		lines := &metrics.Lines{Registry: reg, Out: out, Format: format}
		c, err := core.New(core.Config{Endpoint: up.URL + "/release/face_id_card/post",
			SecretID: sandbox.DefaultSecretID, SecretKey: sandbox.DefaultSecretKey}, core.WithObserver(lines))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.CloseIdleConnections)
		return c, lines
	}
	client, lines := newClient(metrics.FormatJSON)
	photo, err := os.ReadFile("../../testdata/photos/small-320x240.jpg")
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString(photo)

	for _, format := range []string{metrics.FormatJSON, metrics.FormatEMF} {
		c, _ := newClient(format)
		h := httphandler.New(httphandler.Options{Verifier: c, Logger: log, MetricsHandler: reg.Handler()})
		call := func(r *http.Request) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			out.Write(w.Body.Bytes())
		}
		for _, p := range people {
			call(jsonReq(map[string]string{"idcard": p.id, "name": p.name, "image": b64}))
			call(jsonReq(map[string]string{"idcard": p.id, "name": p.name, "url": "https://photos.example.com/a.jpg?" + photoQuery}))
			call(jsonReq(map[string]string{"idcard": p.id, "name": p.name + "1", "image": b64}))
			call(jsonReq(map[string]string{"idcard": p.id, "name": p.name, "image": b64[:200]}))
			call(formReq(url.Values{"idcard": {p.id, p.id}, "name": {p.name}, "image": {b64}}.Encode()))
		}
		// Upstream faults, after and before the seller answered.
		for _, f := range []sandbox.Fault{{Kind: sandbox.FaultMalformed, Times: 1}, {Kind: sandbox.FaultStatus, Status: 502, Times: 1},
			{Kind: sandbox.FaultResetMidBody, Times: 1}} {
			sb.InjectFault(f)
			call(jsonReq(map[string]string{"idcard": people[0].id, "name": people[0].name, "image": b64}))
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/metrics", nil))
		out.Write(w.Body.Bytes())
	}

	// Drop-in mode: a wrong signature and a right one.
	dropIn := httphandler.New(httphandler.Options{Verifier: client, Logger: log, ClientKeys: map[string]string{"app": clientSecret}})
	for _, key := range []string{"wrong-" + clientSecret, clientSecret} {
		r := formReq(url.Values{"idcard": {people[0].id}, "name": {people[0].name}, "image": {b64}}.Encode())
		hmacauth.Sign(r.Header, hmacauth.Credentials{SecretID: "app", SecretKey: key, Source: "market", Variant: hmacauth.XDate}, time.Now())
		w := httptest.NewRecorder()
		dropIn.ServeHTTP(w, r)
		out.Write(w.Body.Bytes())
	}

	uploads(t, client, log, lines, photo, out)

	assertClean(t, out.String(), photo, b64)
	if !strings.Contains(out.String(), "110***********0011") {
		t.Error("the masked ID is missing: the scenarios did not run as intended")
	}
}

// uploads runs the upload pipeline (valid, invalid and duplicate events)
// and adds every result object to out.
func uploads(t *testing.T, client *core.Client, log *slog.Logger, lines *metrics.Lines, photo []byte, out *sink) {
	_, s3c := s3fake.Start(t, "photos")
	ctx := context.Background()
	p, err := upload.New(upload.Config{}, client, s3store.New(s3c), upload.WithLogger(log),
		upload.WithDuplicates(lines.DuplicateSkipped))
	if err != nil {
		t.Fatal(err)
	}
	for _, per := range people {
		// Careless keys: the ID number, and the name where it is written
		// in Chinese characters, which mask.Key hides (a name in Latin
		// letters cannot be told from any other word).
		key := "uploads/" + per.id + ".jpg"
		if per.name[0] >= utf8.RuneSelf {
			key = "uploads/" + per.name + "_" + per.id + ".jpg"
		}
		put, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("photos"), Key: aws.String(key),
			Body: bytes.NewReader(photo), Metadata: map[string]string{"idcard": per.id, "name": url.PathEscape(per.name)}})
		if err != nil {
			t.Fatal(err)
		}
		ev := upload.Event{Platform: upload.PlatformS3, Bucket: "photos", Key: key, ETag: aws.ToString(put.ETag), Size: int64(len(photo))}
		for range 2 { // a duplicate delivery too
			if err := p.Process(ctx, ev); err != nil {
				t.Fatalf("Process: %v", err)
			}
		}
		got, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("photos"), Key: aws.String("results/" + key + ".json")})
		if err != nil {
			t.Fatalf("result of %s: %v", key, err)
		}
		b, _ := io.ReadAll(got.Body)
		got.Body.Close()
		out.Write(b)
	}
	// The bad-checksum upload is rejected again on redelivery (it costs
	// nothing) rather than skipped as a duplicate.
	if got, want := lines.Registry.Snapshot().DuplicateEvents, int64(len(people)-1); got != want {
		t.Errorf("duplicate events %d, want %d", got, want)
	}
}

func assertClean(t *testing.T, all string, photo []byte, b64 string) {
	t.Helper()
	forbidden := []string{sandbox.DefaultSecretKey, clientSecret, photoQuery, b64[:24],
		base64.RawURLEncoding.EncodeToString(photo[:18]), string(photo[:16])}
	for _, p := range people {
		forbidden = append(forbidden, p.id, p.name, url.PathEscape(p.name), p.id[6:14]+p.id[14:17])
	}
	for _, f := range forbidden {
		if i := strings.Index(all, f); i >= 0 {
			lo, hi := max(0, i-120), min(len(all), i+len(f)+40)
			t.Errorf("found %q in output:\n…%s…", f, all[lo:hi])
		}
	}
}

func jsonReq(v map[string]string) *http.Request {
	var b strings.Builder
	b.WriteString("{")
	first := true
	for k, val := range v {
		if !first {
			b.WriteString(",")
		}
		first = false
		b.WriteString(`"` + k + `":"` + strings.ReplaceAll(val, `"`, `\"`) + `"`)
	}
	b.WriteString("}")
	r := httptest.NewRequest("POST", "/verify", strings.NewReader(b.String()))
	r.Header.Set("Content-Type", "application/json")
	return r
}

func formReq(body string) *http.Request {
	r := httptest.NewRequest("POST", "/release/face_id_card/post", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}
