package sandbox

import (
	"strings"
	"time"
)

// checkDigit returns the GB 11643 check character for 17 ASCII digits.
func checkDigit(first17 string) byte {
	// MOD 11-2 weights of GB 11643 for the first 17 digits.
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 17 {
		sum += int(first17[i]-'0') * weights[i]
	}
	return "10X98765432"[sum%11]
}

// normalizeIDCard upper-cases a trailing x so lookups treat both alike.
func normalizeIDCard(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// validIDCard is the seller-side check: 18 characters, 17 digits, and a
// correct check digit. Like the brief says, it does not mirror every local
// rule (birth date, region): the seller's own rules are not documented.
func validIDCard(s string) bool {
	if len(s) != 18 {
		return false
	}
	for i := range 17 {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s[17] == checkDigit(s[:17])
}

// tableIDProblem is the stricter check applied to identity-table entries, so
// a table never holds a number a real client would reject locally. It
// returns "" when id is acceptable.
func tableIDProblem(id string, now time.Time) string {
	if !validIDCard(id) {
		return "idcard must be 18 characters with a valid MOD 11-2 check digit"
	}
	if !knownProvince(id[:2]) {
		return "idcard has an unknown province code " + id[:2]
	}
	birth, err := time.Parse("20060102", id[6:14])
	if err != nil || birth.Year() < 1900 || birth.After(now) {
		return "idcard has an invalid birth date " + id[6:14]
	}
	return ""
}

// knownProvince reports whether p is a GB/T 2260 province-level code.
func knownProvince(p string) bool {
	switch p {
	case "11", "12", "13", "14", "15",
		"21", "22", "23",
		"31", "32", "33", "34", "35", "36", "37",
		"41", "42", "43", "44", "45", "46",
		"50", "51", "52", "53", "54",
		"61", "62", "63", "64", "65",
		"71", "81", "82":
		return true
	}
	return false
}

// maskID keeps the first 3 and last 4 characters, enough to tell test
// identities apart in logs without writing an ID number out.
func maskID(s string) string {
	if len(s) != 18 {
		return "***"
	}
	return s[:3] + strings.Repeat("*", 11) + s[14:]
}
