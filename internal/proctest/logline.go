package proctest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/internal/syncbuf"
)

// LogLine waits up to 10 s for a JSON log line in out whose "msg" is msg
// and whose attribute key has the value val, and returns it decoded. A
// process's output is relayed a little after it answers (the Lambda
// emulator copies the function's), so a test cannot read it at once.
func LogLine(t testing.TB, out *syncbuf.Buffer, msg, key, val string) map[string]any {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		for _, line := range strings.Split(out.String(), "\n") {
			var rec map[string]any
			if json.Unmarshal([]byte(line), &rec) == nil && rec["msg"] == msg && rec[key] == val {
				return rec
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q log line with %s=%s in:\n%s", msg, key, val, out.String())
		}
	}
}
