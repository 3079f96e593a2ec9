package core

import (
	"context"
	"testing"
	"time"
)

// ValidatePerson is Validate's own check of the ID number and the name:
// for any input, it refuses with exactly the error Validate gives when the
// photo is fine, and passes when Validate passes.
func TestValidatePersonAgreesWithValidate(t *testing.T) {
	lim := Config{}.WithDefaults().Limits()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	photo := testPhoto(t)
	for _, p := range []struct{ name, id string }{
		{"张三", testID}, {"", testID}, {"张三", ""}, {"张三", "110101199003070012"}, {"张三", "110101209901010011"},
		{"Zhang San", testID}, {"张 三", testID}, {"买买提·艾力", testID}, {"张三1", testID}, {"张三", " " + testID + " "},
	} {
		c, err := Request{Name: p.name, IDCard: p.id}.ValidatePerson(now)
		full, ferr := Request{Name: p.name, IDCard: p.id, Image: photo}.Validate(context.Background(), lim, now)
		switch {
		case (err == nil) != (ferr == nil):
			t.Errorf("%q/%q: ValidatePerson %v, Validate %v", p.name, p.id, err, ferr)
		case err != nil && err.Error() != ferr.Error():
			t.Errorf("%q/%q: ValidatePerson says %v, Validate %v", p.name, p.id, err, ferr)
		case err == nil && (c.Name != full.Name || c.ID != full.ID):
			t.Errorf("%q/%q: ValidatePerson normalises to %q, Validate to %q", p.name, p.id, c.Name, full.Name)
		}
	}
}
