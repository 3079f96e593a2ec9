package upload

import "github.com/faceid-verify/faceid/core/mask"

// Object keys are the uploader's choice and may hold an ID number or a
// name despite the README's advice, so every key or error text this
// package logs, records or returns goes through mask.Key. A store's error
// can quote the object's URL, key included.

// errText is err's text for a log line or a result, keys masked.
func errText(err error) string { return mask.Key(err.Error()) }

// maskedError is an error returned to the platform, which logs its text:
// the text is masked, and errors.Is and As still see the cause.
type maskedError struct{ err error }

func (e maskedError) Error() string { return errText(e.err) }
func (e maskedError) Unwrap() error { return e.err }
