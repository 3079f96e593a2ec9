package sandbox

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
)

const contentTypeJSON = "application/json; charset=utf-8"

// gatewayBody renders the gateway's flat {"message": …} body. The gateway's
// JSON encoder escapes '/' as '\/' (gateway-auth.md §2 quotes
// `uri[\/api\/v1\/…]`); a '/' can only occur inside a JSON string here, so a
// plain replacement is exact.
func gatewayBody(msg string) []byte {
	b, err := json.Marshal(struct {
		Message string `json:"message"`
	}{msg})
	if err != nil {
		return []byte(`{"message":""}`)
	}
	return bytes.ReplaceAll(b, []byte("/"), []byte(`\/`))
}

// writeGatewayError answers as the gateway itself, without the seller.
func writeGatewayError(w http.ResponseWriter, status int, msg string) {
	writeBody(w, status, gatewayBody(msg))
}

// writeBody sends a complete JSON body with an exact Content-Length.
func writeBody(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", contentTypeJSON)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b) // a client that went away is not an error to report
}

// marshal encodes v without HTML escaping, so Chinese text and '<' read as
// the seller writes them.
func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return []byte("{}")
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}
