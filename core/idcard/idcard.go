// Package idcard parses and validates PRC resident ID numbers
// (GB 11643-1999), and the 18-character numbers that share their format:
// Hong Kong, Macau and Taiwan residents' residence permits (81/82/83) and
// the 2023 foreigner permanent-residence card (leading 9).
//
// Every verification costs a paid upstream call, so anything the upstream is
// certain to reject is rejected here first: wrong length or characters, a
// wrong check digit, an impossible or future birth date, an unknown
// province. Nothing valid may be rejected, so the checks stop there: county
// codes (digits 3–6) are not checked, because a number keeps the code in
// force when it was issued even after that county is abolished or renamed.
//
// Errors are *invalid.Error on field "idcard" and never contain the number.
package idcard

import (
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/faceid-verify/faceid/core/invalid"
	"github.com/faceid-verify/faceid/core/mask"
)

// length is the length of every number Parse accepts.
const length = 18

// Number is a validated, normalised ID number. The zero value is not a valid
// number.
//
// Only String returns the whole number. fmt verbs and log/slog print the
// masked form, so a Number that reaches a log line by accident does not leak.
type Number struct {
	s string
}

// String returns the normalised 18-character number (check digit X upper
// case). It is what the upstream must be sent.
func (n Number) String() string { return n.s }

// masked returns the number as it may appear in logs and results (see
// mask.ID): 110***********0011.
func (n Number) masked() string { return mask.ID(n.s) }

// Format makes every fmt verb (%v, %s, %+v of a struct holding a Number…)
// print the masked number; call String explicitly for the full one.
func (n Number) Format(f fmt.State, _ rune) { fmt.Fprint(f, n.masked()) }

// LogValue makes log/slog record the masked number.
func (n Number) LogValue() slog.Value { return slog.StringValue(n.masked()) }

// foreign reports whether n is a foreigner permanent-residence card number,
// whose layout differs from a resident ID's after the check digit.
func (n Number) foreign() bool { return len(n.s) == length && n.s[0] == '9' }

// birth returns the birth date encoded in a resident ID or residence permit
// number, as midnight UTC of that calendar day. It is false for foreigner
// cards, whose layout Parse does not interpret, and for the zero Number.
func (n Number) birth() (time.Time, bool) {
	if len(n.s) != length || n.foreign() {
		return time.Time{}, false
	}
	y, m, d := atoi(n.s[6:10]), atoi(n.s[10:12]), atoi(n.s[12:14])
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), true
}

// weights are the ISO 7064 MOD 11-2 weights 2^(17-i) mod 11 of the first 17
// digits; checkChars maps the weighted sum mod 11 to the check character.
var weights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

const checkChars = "10X98765432"

// checkDigit computes the check character ('0'–'9' or 'X') for the first 17
// digits of a number. It is false unless first17 is exactly 17 ASCII digits.
func checkDigit(first17 string) (byte, bool) {
	if len(first17) != 17 || !digits(first17) {
		return 0, false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(first17[i]-'0') * weights[i]
	}
	return checkChars[sum%11], true
}

// provinces holds the valid first two digits (GB/T 2260 province-level
// codes, plus 81/82/83 for the Hong Kong, Macau and Taiwan residents'
// residence permits).
var provinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true,
	"21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true,
	"71": true, "81": true, "82": true, "83": true,
}

// china is China Standard Time. There is no daylight saving time, so a
// fixed zone is exact and needs no tzdata in the function's image.
var china = time.FixedZone("CST", 8*60*60)

func fail(reason, detail, english string) error {
	return invalid.New("idcard", reason, detail, english)
}

// Parse validates s, with surrounding white space trimmed, as an 18-character
// ID number and returns it normalised (a lower-case x check digit becomes
// X). now bounds the birth date. Checks run from the coarsest to the most
// specific, and the check digit last, so a mistyped date or province is
// reported as such rather than as a bad check digit.
func Parse(s string, now time.Time) (Number, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Number{}, fail("missing", "不能为空", "ID number is required")
	}
	// Bytes, not runes: any non-ASCII byte (full-width digits included)
	// fails here, before lengths are compared.
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isDigit(c) && c != 'X' && c != 'x' {
			return Number{}, fail("format", "格式错误", "ID number may contain only digits and a final X")
		}
	}
	if len(s) == 15 && digits(s) {
		return Number{}, fail("legacy_15", "为15位旧号码,请使用18位身份证号", "15-digit numbers are no longer accepted; use the 18-digit number")
	}
	if len(s) != length {
		return Number{}, fail("length", "长度错误,应为18位", "ID number must be 18 characters")
	}
	if !digits(s[:17]) {
		return Number{}, fail("format", "格式错误", "only the last character of an ID number may be X")
	}
	if s[17] == 'x' {
		s = s[:17] + "X"
	}
	// Foreigner permanent-residence cards (2023 layout) share only the
	// length, alphabet and check digit with resident IDs.
	if s[0] != '9' {
		if !provinces[s[:2]] {
			return Number{}, fail("region", "地区码无效", "unknown province code")
		}
		if err := checkBirth(s[6:14], now); err != nil {
			return Number{}, err
		}
	}
	if c, _ := checkDigit(s[:17]); c != s[17] {
		return Number{}, fail("checksum", "校验码错误", "check digit does not match")
	}
	return Number{s: s}, nil
}

// checkBirth validates an 8-digit YYYYMMDD birth date.
func checkBirth(ymd string, now time.Time) error {
	y, m, d := atoi(ymd[:4]), atoi(ymd[4:6]), atoi(ymd[6:])
	if m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return fail("birth_date", "出生日期无效", "birth date is not a calendar date")
	}
	if y < 1900 {
		return fail("birth_date", "出生日期无效", "birth date is before 1900")
	}
	// now may be UTC while the number was issued in China, where the date
	// can already be a day later, so the later of the two dates is the bound.
	latest := dateNum(now)
	if cn := dateNum(now.In(china)); cn > latest {
		latest = cn
	}
	if y*10000+m*100+d > latest {
		return fail("future_birth_date", "出生日期晚于当前日期", "birth date is in the future")
	}
	return nil
}

// dateNum is t's calendar date in its own location, as YYYYMMDD.
func dateNum(t time.Time) int {
	y, m, d := t.Date()
	return y*10000 + int(m)*100 + d
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// digits reports whether s is all ASCII digits.
func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// atoi converts a short string of ASCII digits, already checked.
func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
