package sandbox

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/url"
	"strings"
)

// sellerRequest holds the four body fields of the product page. An empty
// field and an absent one are the same to the seller.
type sellerRequest struct {
	IDCard, Name, Image, URL string
}

// maxFormParams bounds the pairs of a form body: net/url's default limit,
// held here too so that a GODEBUG setting cannot lift it.
const maxFormParams = 10_000

// parseBody reads a form or JSON body with the standard library only.
// JSON is chosen by Content-Type, or by a body starting with '{' whatever
// the type, since the product page's own curl example posts JSON with
// curl's default form Content-Type. ok is false when the body cannot be
// read as either.
func parseBody(contentType, body string) (req sellerRequest, ok bool) {
	mt, _, _ := mime.ParseMediaType(contentType)
	if strings.Contains(mt, "json") || strings.HasPrefix(strings.TrimSpace(body), "{") {
		return parseJSONBody(body)
	}
	if strings.Count(body, "&") >= maxFormParams {
		return req, false
	}
	vals, err := url.ParseQuery(body)
	if err != nil {
		return req, false
	}
	return sellerRequest{
		IDCard: strings.TrimSpace(vals.Get("idcard")),
		Name:   vals.Get("name"),
		Image:  strings.TrimSpace(vals.Get("image")),
		URL:    strings.TrimSpace(vals.Get("url")),
	}, true
}

func parseJSONBody(body string) (req sellerRequest, ok bool) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &fields); err != nil || fields == nil {
		return req, false
	}
	return sellerRequest{
		IDCard: strings.TrimSpace(jsonText(fields["idcard"])),
		Name:   jsonText(fields["name"]),
		Image:  strings.TrimSpace(jsonText(fields["image"])),
		URL:    strings.TrimSpace(jsonText(fields["url"])),
	}, true
}

// jsonText reads a field leniently, as a PHP or Java seller would: a string
// as itself, null as empty, and a number or other value as its JSON text
// (so a numeric idcard still reaches the format check).
func jsonText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}
