package httphandler

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/core/invalid"
	"github.com/faceid-verify/faceid/sandbox"
)

// jsonWithKeys is a verification body with n keys in all: the three fields
// and n-3 unknown ones.
func jsonWithKeys(n int) string {
	var b strings.Builder
	b.WriteString(`{"idcard":"110101199003070011","name":"张三","url":"https://photos.example.com/a.jpg"`)
	for i := range n - 3 {
		fmt.Fprintf(&b, `,"k%d":0`, i)
	}
	b.WriteString("}")
	return b.String()
}

// An object's keys are capped like a form's parameters (10,000): the
// parser remembers each key, and half a million unknown ones cost 44 MB.
func TestJSONKeyCap(t *testing.T) {
	if _, err := parseJSON(jsonWithKeys(maxJSONKeys)); err != nil {
		t.Fatalf("%d keys: %v", maxJSONKeys, err)
	}
	var ve *invalid.Error
	if _, err := parseJSON(jsonWithKeys(maxJSONKeys + 1)); !errors.As(err, &ve) || ve.Field != "body" || ve.Reason != "too_many_keys" {
		t.Fatalf("%d keys: %v, want body.too_many_keys", maxJSONKeys+1, err)
	}
	// The reference parser agrees on both sides of the cap.
	sameAnswer(t, jsonWithKeys(maxJSONKeys))
	sameAnswer(t, jsonWithKeys(maxJSONKeys+1))

	// Half a million keys are refused after the first 10,001, without
	// work or memory for the rest: uncapped, the parse allocated 522 MB in
	// all and kept 57 MB; capped, about 10 MB and 6 MB.
	huge := jsonWithKeys(500_000)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := parseJSON(huge)
	runtime.ReadMemStats(&after)
	if !errors.As(err, &ve) || ve.Reason != "too_many_keys" {
		t.Fatalf("500,000 keys: %v", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 32<<20 {
		t.Errorf("refusing 500,000 keys allocated %d MiB, want what 10,001 keys cost (about 10)", got>>20)
	}

	// Through the handler: a 400 and no upstream call.
	f := newFixture(t, sandbox.Config{}, core.Config{}, Options{})
	r := formReq("/verify", huge)
	r.Header.Set("Content-Type", "application/json")
	resp, body := f.do(r)
	er, _ := body["error"].(map[string]any)
	if resp.StatusCode != 400 || er["reason"] != "too_many_keys" || f.sb.Stats().Received != 0 {
		t.Fatalf("%d %v, upstream saw %d", resp.StatusCode, body, f.sb.Stats().Received)
	}
}
