package sandbox

import (
	"strconv"
	"testing"
	"time"
)

func TestCheckDigit(t *testing.T) {
	tests := []struct {
		id    string
		valid bool
	}{
		{"110101199003070011", true},
		{"32010219960229010X", true},
		{"11010119900307002X", true},
		{"110101199003070012", false},
		{"11010119900307001", false},
		{"1101011990030700111", false},
		{"11010119900307001x", false}, // callers normalise case first
		{"A10101199003070011", false},
		{"", false},
	}
	for _, tc := range tests {
		if got := validIDCard(tc.id); got != tc.valid {
			t.Errorf("validIDCard(%q) = %v", tc.id, got)
		}
	}
	if got := validIDCard(normalizeIDCard(" 32010219960229010x ")); !got {
		t.Error("normalised lower-case x rejected")
	}
}

func TestMaskID(t *testing.T) {
	if got := maskID("110101199003070011"); got != "110***********0011" {
		t.Errorf("maskID = %q", got)
	}
	if got := maskID("123"); got != "***" {
		t.Errorf("maskID(short) = %q", got)
	}
}

func TestOrderNumberShape(t *testing.T) {
	var o orderNumbers
	for _, now := range []time.Time{
		time.Unix(0, 0), // before the epoch: still 18 digits
		time.Date(2015, 6, 1, 0, 0, 0, 0, time.UTC), // early
		time.Now(), // today
		time.Date(2400, 1, 1, 0, 0, 0, 0, time.UTC),  // far future: wraps, never overflows
		time.Date(2084, 12, 1, 0, 0, 0, 0, time.UTC), // near the wrap
	} {
		s := o.next(now)
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil || len(s) < 18 || len(s) > 19 || n > 1<<63-1 {
			t.Errorf("next(%v) = %q", now, s)
		}
	}
	// Real clock, tight loop: strictly increasing.
	prev := uint64(0)
	for range 10_000 {
		n, _ := strconv.ParseUint(o.next(time.Now()), 10, 64)
		if n <= prev {
			t.Fatalf("order numbers not increasing: %d after %d", n, prev)
		}
		prev = n
	}
}

func TestBase64DecodedLen(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"", 0}, {"QQ==", 1}, {"QUI=", 2}, {"QUJD", 3}, {"QUJDRA", 4}, {"QUJD\nRA==", 4},
	} {
		if got := base64DecodedLen(tc.in); got != tc.want {
			t.Errorf("base64DecodedLen(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

func TestFaultKindsSplit(t *testing.T) {
	before := map[string]bool{FaultLatency: true, FaultStatus: true, FaultEmpty: true, FaultReset: true}
	for _, k := range faultKinds() {
		if got := (Fault{Kind: k}).afterSeller(); got == before[k] {
			t.Errorf("%s: afterSeller = %v", k, got)
		}
	}
}
