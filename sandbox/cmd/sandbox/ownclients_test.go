package main

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/core/hmacauth"
	"github.com/faceid-verify/faceid/internal/interop"
	"github.com/faceid-verify/faceid/internal/proctest"
)

// The project's own clients of the Cloud Market API gateway (Python, Node
// with crypto-js, PHP with curl), written as that gateway's published
// clients are, against the standalone sandbox's new-gateway path: a good
// key is answered and billed, a wrong one refused, a legacy path refuses
// the JSON scheme as the legacy gateway would. function/local runs the
// same clients against drop-in mode.
func TestOwnClientsAgainstSandbox(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH; cannot build the sandbox binary")
	}
	const id, secret = "app-id", "app-secret"
	bin := proctest.GoBuild(t, "sandbox", ".")
	base, stop := startBinary(t, bin, "-addr", "127.0.0.1:0", "-secret-id", id, "-secret-key", secret)
	defer stop()
	photo, err := filepath.Abs(filepath.Join(proctest.RepoRoot(t), "testdata", "photos", "small-320x240.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	run := interop.NewRunner(t)
	tests := []struct {
		name, path, key string
		status          int
		check           func(map[string]any) bool
	}{
		{"good key", "/service-ndq49qvj/face_id_card/post", secret, 200, func(b map[string]any) bool {
			d, _ := b["data"].(map[string]any)
			return b["code"] == 200.0 && d["incorrect"] == 100.0
		}},
		{"wrong key", "/service-ndq49qvj/face_id_card/post", "not-" + secret, 403, func(b map[string]any) bool {
			return b["message"] == hmacauth.MsgSignatureMismatch
		}},
		{"legacy path", "/release/face_id_card/post", secret, 403, func(b map[string]any) bool {
			return b["message"] == hmacauth.MsgBadAuthorization
		}},
	}
	ran := 0
	for _, lang := range interop.OwnClients {
		t.Run(lang, func(t *testing.T) {
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					out := run.RunOwn(t, lang, "FACEID_URL="+base+tc.path, "FACEID_ID="+id, "FACEID_KEY="+tc.key,
						"FACEID_IDCARD=110101199003070011", "FACEID_NAME=张三", "FACEID_IMAGE_FILE="+photo)
					first, rest, _ := strings.Cut(out.Stdout, "\n")
					status, err := strconv.Atoi(strings.TrimSpace(first))
					var body map[string]any
					if err != nil || json.Unmarshal([]byte(rest), &body) != nil {
						t.Fatalf("client printed no status and answer:\n%s", out)
					}
					if status != tc.status || !tc.check(body) {
						t.Fatalf("status %d, want %d; answer %v\n%s", status, tc.status, body, out)
					}
					if tc.status == 200 {
						ran++
					}
				})
			}
		})
	}
	// Only the good keys reached the seller, each billed once.
	if st := fetchStats(t, base, ""); st.Billable != int64(ran) {
		t.Errorf("billable %d, want %d", st.Billable, ran)
	}
}
