package httpevent

import (
	"encoding/json"
	"testing"
)

// jsonStringCases are event bodies as JSON values. How a string's text
// decodes is jsonstr's concern (its tests hold it to encoding/json); here,
// that JSONString hands every kind of value on as encoding/json would.
var jsonStringCases = []string{
	`""`, `"abc"`, `"a\nb\/c"`, `"\ud83d\ude00"`, "\"\xff\"", ` "a" `, `"{\"image\":\"QUJD\/+==\"}"`,
	`null`, `1`, `true`, `{}`, `[]`, `{"a":"b"}`,
}

// sameAsEncodingJSON fails unless JSONString decodes a JSON value as
// encoding/json decodes it into a string.
func sameAsEncodingJSON(t *testing.T, data string) {
	t.Helper()
	if !json.Valid([]byte(data)) {
		return
	}
	var want string
	werr := json.Unmarshal([]byte(data), &want)
	var got JSONString
	gerr := json.Unmarshal([]byte(data), &got)
	if (werr == nil) != (gerr == nil) || string(got) != want {
		t.Fatalf("%.60q: got %q (%v), encoding/json %q (%v)", data, got, gerr, want, werr)
	}
}

func TestJSONStringMatchesEncodingJSON(t *testing.T) {
	for _, c := range jsonStringCases {
		sameAsEncodingJSON(t, c)
	}
	// Inside an event, shadowing the embedded field of the same name.
	var ev struct {
		Request
		Body JSONString `json:"body"`
	}
	if err := json.Unmarshal([]byte(`{"body":"a\nb","method":"POST"}`), &ev); err != nil || ev.Body != "a\nb" {
		t.Fatalf("event body %q, %v", ev.Body, err)
	}
}

func FuzzJSONString(f *testing.F) {
	for _, c := range jsonStringCases {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sameAsEncodingJSON(t, s)
		sameAsEncodingJSON(t, `"`+s+`"`)
	})
}
