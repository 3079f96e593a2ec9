package httphandler

import (
	"context"
	"encoding/base64"
	"net/url"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/core/idcard"
	"github.com/faceid-verify/faceid/internal/photofixture"
	"github.com/faceid-verify/faceid/sandbox"
)

// TestDamagedPhotosAreNotPaid sends damaged photos through the handler to
// the sandbox: each is a 400 naming the damage, and the sandbox never sees
// a call. The same photos sent past the function's checks (Client.Send)
// are what the seller bills as incorrect 112.
func TestDamagedPhotosAreNotPaid(t *testing.T) {
	f := newFixture(t, sandbox.Config{}, core.Config{}, Options{})
	for name, img := range photofixture.Damaged(t) {
		t.Run(name, func(t *testing.T) {
			f.sb.ResetStats()
			b64 := base64.StdEncoding.EncodeToString(img)
			// The drop-in path answers with HTTP 200 and code 400, as the
			// seller does.
			for path, status := range map[string]int{"/verify": 400, "/release/face_id_card/post": 200} {
				r := jsonReq(path, map[string]string{"idcard": passID, "name": "张三", "image": b64})
				if status == 200 {
					r = formReq(path, url.Values{"idcard": {passID}, "name": {"张三"}, "image": {b64}, "url": {""}}.Encode())
				}
				resp, got := f.do(r)
				e, _ := got["error"].(map[string]any)
				if resp.StatusCode != status || got["code"] != 400.0 || e["kind"] != "validation" || e["field"] != "image" ||
					(e["reason"] != "truncated" && e["reason"] != "corrupt") || e["message_en"] == "" || e["may_have_charged"] != false {
					t.Fatalf("%s: status %d, %v", path, resp.StatusCode, got)
				}
			}
			if st := f.sb.Stats(); st.Received != 0 {
				t.Fatalf("sandbox received %d calls", st.Received)
			}
			id, _ := idcard.Parse(passID, time.Now())
			res, err := f.client.Send(context.Background(), core.Checked{Name: "张三", ID: id, Image: img})
			if err != nil || res.Incorrect != 112 || res.Passed {
				t.Fatalf("sent unchecked: %+v, %v; want incorrect 112", res, err)
			}
			if st := f.sb.Stats(); st.Billable != 1 {
				t.Fatalf("sandbox billed %d calls, want the unchecked one", st.Billable)
			}
		})
	}
	assertNoPII(t, f.logs.String(), f.photo)
}

// TestDecodeMemoryBusy: while the process's decode memory is taken, a
// photo that cannot get its share in FACEID_DECODE_WAIT is a 503
// "overloaded" (reason decode_memory), as a full server's is, not charged,
// and the sandbox sees nothing.
func TestDecodeMemoryBusy(t *testing.T) {
	f := newFixture(t, sandbox.Config{}, core.Config{DecodeWait: time.Millisecond}, Options{})
	b := f.client.Limits().Decode
	release, err := b.Reserve(context.Background(), b.Size())
	if err != nil {
		t.Fatal(err)
	}
	resp, got := f.do(jsonReq("/verify", map[string]string{"idcard": passID, "name": "张三", "image": f.photo}))
	release()
	e, _ := got["error"].(map[string]any)
	if resp.StatusCode != 503 || e["kind"] != "overloaded" || e["reason"] != "decode_memory" || e["may_have_charged"] != false {
		t.Fatalf("status %d, %v", resp.StatusCode, got)
	}
	if st := f.sb.Stats(); st.Received != 0 {
		t.Fatalf("sandbox received %d calls", st.Received)
	}
	if resp, got := f.do(jsonReq("/verify", map[string]string{"idcard": passID, "name": "张三", "image": f.photo})); resp.StatusCode != 200 {
		t.Fatalf("after the memory was freed: %d %v", resp.StatusCode, got)
	}
}
