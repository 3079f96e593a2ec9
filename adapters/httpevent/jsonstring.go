package httpevent

import (
	"errors"

	"github.com/faceid-verify/faceid/internal/jsonstr"
)

// JSONString decodes a JSON string exactly as encoding/json decodes one
// into a string, but builds the result in one allocation of its final
// size (jsonstr.Unquote): encoding/json unquotes an escaped string into a
// scratch buffer and then copies it, so an event carrying a photo-sized
// body would briefly hold it three times (the payload, the scratch, the
// string). The adapters decode event bodies with it.
type JSONString string

var errNotString = errors.New("httpevent: body is not a JSON string")

// UnmarshalJSON implements json.Unmarshaler. encoding/json has checked
// that data is one valid JSON value before calling it.
func (s *JSONString) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil // as encoding/json leaves a string alone for null
	}
	v, ok := jsonstr.Unquote(data)
	if !ok {
		return errNotString
	}
	*s = JSONString(v)
	return nil
}
