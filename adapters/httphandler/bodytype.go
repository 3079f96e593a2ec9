package httphandler

import "mime"

const (
	typeJSON = "application/json"
	typeForm = "application/x-www-form-urlencoded"
)

// bodyType decides how to read a body. One that opens with '{' (after
// JSON whitespace) is JSON whatever the Content-Type says, as the upstream
// reads it: the product page's curl sample posts JSON with curl's default
// form type, and an SCF Function URL event may carry no Content-Type at
// all. Otherwise the declared type decides, and none means a form, which
// is what the sample clients send.
func bodyType(contentType, body string) (string, error) {
	if opensObject(body) {
		return typeJSON, nil
	}
	if contentType == "" {
		return typeForm, nil
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", errBadContentType
	}
	return mt, nil
}

// opensObject reports whether body's first non-whitespace byte is '{'. No
// form a client would send starts so: a form's first key would have to.
func opensObject(body string) bool {
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case ' ', '\t', '\n', '\r':
		case '{':
			return true
		default:
			return false
		}
	}
	return false
}

var errBadContentType = bodyErr("content_type", "Content-Type无效", "invalid Content-Type")
