package core

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/faceid-verify/faceid/core/codes"
)

// Verdict is the score band of a comparison.
type Verdict string

const (
	VerdictSame      Verdict = "same"      // score ≥ 0.45
	VerdictUncertain Verdict = "uncertain" // 0.40 ≤ score < 0.45
	VerdictDifferent Verdict = "different" // score < 0.40
	// VerdictNone: no face comparison took place (incorrect ≠ 100, e.g. the
	// name does not match the ID), so the score means nothing.
	VerdictNone Verdict = "none"
)

// Result is a verification the seller completed (code 200), whatever its
// outcome. Only Passed means "this is the person on the ID card".
type Result struct {
	Code    int
	Msg     string
	OrderNo string
	Score   float64
	Verdict Verdict
	// Incorrect is the comparison code (100 = compared) and its meanings.
	Incorrect     int
	IncorrectDesc string
	IncorrectEn   string
	// DataMsg is the seller's description of the outcome.
	DataMsg string
	Passed  bool
	// RequestID is the gateway's X-Api-RequestId.
	RequestID string
}

// band maps a score to its verdict with the given thresholds.
func band(score, same, uncertain float64) Verdict {
	switch {
	case score >= same:
		return VerdictSame
	case score >= uncertain:
		return VerdictUncertain
	}
	return VerdictDifferent
}

// envelope is the seller's answer, decoded tolerantly: numbers may come as
// strings, data as {}, [], null or missing, and unknown fields are ignored.
type envelope struct {
	Msg     flexString      `json:"msg"`
	Success flexBool        `json:"success"`
	Code    flexInt         `json:"code"`
	Data    json.RawMessage `json:"data"`
	Message *string         `json:"message"`
}

type answerData struct {
	OrderNo   flexString `json:"order_no"`
	Score     flexFloat  `json:"score"`
	Msg       flexString `json:"msg"`
	Incorrect flexInt    `json:"incorrect"`
}

// hasObject reports whether data is a non-empty JSON object.
func hasObject(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) > 2 && t[0] == '{'
}

type flexInt struct {
	V   int
	Set bool
}

func (f *flexInt) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(b)), `"`)
	if s == "null" || s == "" {
		return nil
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n != float64(int(n)) {
		return &json.UnmarshalTypeError{Value: "number " + strconv.Quote(truncate(s)), Type: nil}
	}
	f.V, f.Set = int(n), true
	return nil
}

type flexFloat struct {
	V   float64
	Set bool
}

func (f *flexFloat) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(b)), `"`)
	if s == "null" || s == "" {
		return nil
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(n) || math.IsInf(n, 0) {
		return &json.UnmarshalTypeError{Value: "number " + strconv.Quote(truncate(s))}
	}
	f.V, f.Set = n, true
	return nil
}

// flexString takes a string or a bare number (order numbers are 18–19
// digits: decoding them as float64 would lose digits).
type flexString string

func (f *flexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		return nil
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = flexString(s)
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return err
		}
		*f = flexString(n.String())
	}
	return nil
}

type flexBool bool

func (f *flexBool) UnmarshalJSON(b []byte) error {
	switch strings.Trim(string(bytes.TrimSpace(b)), `"`) {
	case "true", "1":
		*f = true
	default:
		*f = false
	}
	return nil
}

func truncate(s string) string {
	if len(s) > 32 {
		return s[:32]
	}
	return s
}

// describe fills the code meanings and verdict of a seller result.
func (r *Result) describe(same, uncertain float64) {
	if m, ok := codes.Incorrect(r.Incorrect); ok {
		r.IncorrectDesc, r.IncorrectEn = m.Zh, m.En
	}
	r.Verdict = VerdictNone
	if r.Incorrect == codes.Match {
		r.Verdict = band(r.Score, same, uncertain)
	}
	r.Passed = r.Incorrect == codes.Match && r.Verdict == VerdictSame
}
