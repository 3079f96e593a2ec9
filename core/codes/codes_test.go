package codes

import "testing"

func TestEveryIncorrectCodeDescribed(t *testing.T) {
	for _, c := range IncorrectCodes() {
		m, ok := Incorrect(c)
		if !ok || m.Zh == "" || m.En == "" {
			t.Errorf("incorrect %d: %+v, %v", c, m, ok)
		}
	}
	if _, ok := Incorrect(105); ok {
		t.Error("105 is not a documented code")
	}
	for _, c := range []int{OK, BadRequest, notFound, internal, thirdParty, Discontinued} {
		if _, ok := Code(c); !ok {
			t.Errorf("code %d undescribed", c)
		}
	}
}
