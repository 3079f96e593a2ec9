package sandbox

import (
	"bytes"
	"encoding/json"
	"mime"
	"strings"

	"github.com/faceid-verify/faceid/internal/form"
	"github.com/faceid-verify/faceid/internal/jsonstr"
)

// sellerRequest holds the four body fields of the product page. An empty
// field and an absent one are the same to the seller.
type sellerRequest struct {
	IDCard, Name, Image, URL string
}

// parseBody reads a form or JSON body, read by d. JSON is chosen by
// Content-Type, or by a body starting with '{' whatever the type, since
// the product page's own curl example posts JSON with curl's default form
// Content-Type. ok is false when the body cannot be read as either.
func parseBody(contentType string, d *form.Decoder) (req sellerRequest, ok bool) {
	mt, _, _ := mime.ParseMediaType(contentType)
	if body := d.Body(); strings.Contains(mt, "json") || strings.HasPrefix(strings.TrimSpace(body), "{") {
		return parseJSONBody(body)
	}
	vals, err := d.Values()
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
	if s, ok := jsonstr.Unquote(raw); ok {
		return s // decoded as encoding/json would, in one allocation
	}
	return string(raw)
}
