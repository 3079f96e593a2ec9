package main

import (
	"encoding/json"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/core/hmacauth"
	"github.com/faceid-verify/faceid/internal/interop"
)

// The project's own clients of the Cloud Market API gateway (Python, Node
// with crypto-js, PHP with curl), written as that gateway's published
// clients are, call the function in drop-in mode on the new gateway's
// address form: a good key is answered, a wrong one refused as the
// gateway refuses it. sandbox/cmd/sandbox runs the same clients against
// the standalone sandbox.
func TestOwnClientsAgainstDropIn(t *testing.T) {
	// A key for each client: these sign no body, so two clients in one
	// second under one key would carry the same signature, which drop-in
	// mode takes for a replay.
	const secret = "app-secret"
	var pairs []string
	for _, lang := range interop.OwnClients {
		pairs = append(pairs, "app-"+lang+":"+secret)
	}
	base, _, stderr := startLocal(t, map[string]string{"FACEID_CLIENT_KEYS": strings.Join(pairs, ",")})
	run := interop.NewRunner(t)
	for _, lang := range interop.OwnClients {
		t.Run(lang, func(t *testing.T) {
			if reason := interop.Available(lang); reason != "" {
				t.Skipf("the %s client cannot run: %s", lang, reason)
			}
			t.Parallel()
			for _, tc := range []struct {
				name, key string
				status    int
				check     func(map[string]any) bool
			}{
				{"good key", secret, 200, func(b map[string]any) bool {
					d, _ := b["data"].(map[string]any)
					return b["code"] == 200.0 && d["incorrect"] == 100.0 && d["passed"] == true
				}},
				{"wrong key", "not-" + secret, 403, func(b map[string]any) bool {
					return b["message"] == hmacauth.MsgSignatureMismatch
				}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					out := run.RunOwn(t, lang, "FACEID_URL="+base+"/service-ndq49qvj/face_id_card/post",
						"FACEID_ID=app-"+lang, "FACEID_KEY="+tc.key, "FACEID_IDCARD=110101199003070011", "FACEID_NAME=张三",
						"FACEID_IMAGE_FILE="+photoFile(t))
					status, body := ownAnswer(t, out)
					if status != tc.status || !tc.check(body) {
						t.Fatalf("status %d, want %d; answer %v\n%s", status, tc.status, body, out)
					}
				})
			}
		})
	}
	t.Cleanup(func() {
		if strings.Contains(stderr.String(), secret) {
			t.Error("a client secret reached the logs")
		}
	})
}

func photoFile(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs("../../testdata/photos/small-320x240.jpg")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// ownAnswer reads what an own client printed: the status, then the body.
func ownAnswer(t *testing.T, out interop.Output) (int, map[string]any) {
	t.Helper()
	first, rest, _ := strings.Cut(out.Stdout, "\n")
	status, err := strconv.Atoi(strings.TrimSpace(first))
	var body map[string]any
	if err != nil || json.Unmarshal([]byte(rest), &body) != nil {
		t.Fatalf("client printed no status and answer:\n%s", out)
	}
	return status, body
}
