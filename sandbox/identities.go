package sandbox

import (
	"bytes"
	_ "embed" // the default identity table ships inside the binary
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"time"
)

// Identity is one row of the sandbox's fictional population: what the
// emulated seller answers for an ID number, like a test card number.
type Identity struct {
	// IDCard is the 18-character resident ID number (upper-case X).
	IDCard string `json:"idcard"`
	// Name is the name on record; any other name gets incorrect 101.
	Name string `json:"name"`
	// Code is the seller's top-level code: 200, or a failure (404, 500,
	// 501, 604) answered with data {}. 0 means 200.
	Code int `json:"code"`
	// Incorrect is the comparison outcome when Code is 200. 0 means 100.
	Incorrect int `json:"incorrect,omitempty"`
	// Score is the similarity reported with incorrect 100, in [0, 1].
	Score float64 `json:"score,omitempty"`
	// Note says what the row is for; it is never sent to clients.
	Note string `json:"note,omitempty"`
}

// defaultIdentitiesJSON is a string, not []byte, so it cannot be mutated.
//
//go:embed identities.json
var defaultIdentitiesJSON string

// maxIdentitiesFile bounds what LoadIdentities reads: a table is small.
const maxIdentitiesFile = 4 << 20

// DefaultIdentities returns a fresh copy of the built-in identity table.
// Every ID number is fictional, with a valid check digit, province code and
// birth date.
func DefaultIdentities() []Identity {
	ids, err := parseIdentities([]byte(defaultIdentitiesJSON), time.Now())
	if err != nil {
		// Unreachable while identities_test.go passes; no panic on purpose.
		return nil
	}
	return ids
}

// LoadIdentities reads a JSON array of identities (the format of the
// built-in identities.json) and validates every entry, reporting all
// problems at once.
func LoadIdentities(path string) ([]Identity, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("identities: %w", err)
	}
	if st.Size() > maxIdentitiesFile {
		return nil, fmt.Errorf("identities: %s is %d bytes, more than the %d allowed", path, st.Size(), maxIdentitiesFile)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("identities: %w", err)
	}
	ids, err := parseIdentities(b, time.Now())
	if err != nil {
		return nil, fmt.Errorf("identities: %s: %w", path, err)
	}
	return ids, nil
}

func parseIdentities(b []byte, now time.Time) ([]Identity, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields() // a typo such as "id_card" must not pass silently
	var ids []Identity
	if err := dec.Decode(&ids); err != nil {
		return nil, fmt.Errorf("not a JSON array of identities: %w", err)
	}
	if err := dec.Decode(&struct{}{}); err != io.EOF {
		return nil, errors.New("trailing data after the JSON array")
	}
	if err := ValidateIdentities(ids, now); err != nil {
		return nil, err
	}
	for i := range ids {
		ids[i] = withDefaults(ids[i])
	}
	return ids, nil
}

// withDefaults fills the zero values documented on Identity.
func withDefaults(id Identity) Identity {
	id.IDCard = normalizeIDCard(id.IDCard)
	id.Name = strings.TrimSpace(id.Name)
	if id.Code == 0 {
		id.Code = codeOK
	}
	if id.Code == codeOK && id.Incorrect == 0 {
		id.Incorrect = incMatch
	}
	return id
}

// ValidateIdentities checks a table against the rules LoadIdentities
// applies (now bounds birth dates) and returns every problem found.
func ValidateIdentities(ids []Identity, now time.Time) error {
	var errs []error
	seen := map[string]int{}
	for i, raw := range ids {
		id := withDefaults(raw)
		where := fmt.Sprintf("entry %d (idcard %s)", i, maskID(id.IDCard))
		bad := func(format string, a ...any) {
			errs = append(errs, fmt.Errorf("%s: "+format, append([]any{where}, a...)...))
		}
		if p := tableIDProblem(id.IDCard, now); p != "" {
			bad("%s", p)
		}
		if j, dup := seen[id.IDCard]; dup {
			bad("same idcard as entry %d", j)
		}
		seen[id.IDCard] = i
		if id.Name == "" {
			bad("name is empty")
		}
		switch {
		case id.Code == codeOK:
			if !slices.Contains(incorrectCodes(), id.Incorrect) {
				bad("incorrect %d is not a documented code %v", id.Incorrect, incorrectCodes())
			}
		case id.Code == codeBadRequest:
			bad("code 400 is decided by parameter checks, not by the table")
		default:
			if _, ok := codeMessages[id.Code]; !ok {
				bad("code %d is not a documented seller code", id.Code)
			}
			if id.Incorrect != 0 {
				bad("incorrect must be empty when code is %d", id.Code)
			}
		}
		if math.IsNaN(id.Score) || id.Score < 0 || id.Score > 1 {
			bad("score %v is outside [0, 1]", id.Score)
		} else if id.Score != 0 && id.Incorrect != incMatch {
			bad("score is only reported with incorrect 100")
		}
	}
	return errors.Join(errs...)
}
