package idcard

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/core/invalid"
)

// now is the fixed "today" of the tests: 2025-06-01 noon UTC (20:00 in China).
var now = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// withCheck appends the right check digit to 17 digits.
func withCheck(t testing.TB, first17 string) string {
	c, ok := checkDigit(first17)
	if !ok {
		t.Fatalf("CheckDigit(%q) failed", first17)
	}
	return first17 + string(c)
}

// wrongCheck appends a wrong check digit to 17 digits.
func wrongCheck(t testing.TB, first17 string) string {
	c := withCheck(t, first17)[17]
	if c == '0' {
		return first17 + "1"
	}
	return first17 + "0"
}

// Fictional numbers, check digits computed independently of checkDigit.
var valid = []struct {
	id    string
	birth string // YYYY-MM-DD, "" for foreigner cards
}{
	{"110101199003070011", "1990-03-07"}, // 北京 东城
	{"11010119900307002X", "1990-03-07"}, // check digit X
	{"120101197805120036", "1978-05-12"}, // 天津
	{"130102198202140049", "1982-02-14"}, // 河北
	{"14010519930601005X", "1993-06-01"}, // 山西
	{"150102198808080064", "1988-08-08"}, // 内蒙古
	{"210102197603030073", "1976-03-03"}, // 辽宁
	{"220102196909090084", "1969-09-09"}, // 吉林
	{"230102199111110096", "1991-11-11"}, // 黑龙江
	{"310104198511201235", "1985-11-20"}, // 上海
	{"320102198707060103", "1987-07-06"}, // 江苏
	{"350203199501200117", "1995-01-20"}, // 福建
	{"360102199001010261", "1990-01-01"}, // 江西
	{"370202199503150245", "1995-03-15"}, // 山东
	{"42010219810415012X", "1981-04-15"}, // 湖北
	{"430102197202280136", "1972-02-28"}, // 湖南
	{"440306200002294560", "2000-02-29"}, // 广东, 2000 is a leap year
	{"460106198912310235", "1989-12-31"}, // 海南
	{"500101199908080153", "1999-08-08"}, // 重庆
	{"510107198605150164", "1986-05-15"}, // 四川
	{"530102199203030174", "1992-03-03"}, // 云南
	{"610103198308160188", "1983-08-16"}, // 陕西
	{"620102198001010252", "1980-01-01"}, // 甘肃
	{"650102197707070194", "1977-07-07"}, // 新疆
	{"710101199001010017", "1990-01-01"}, // 台湾 (GB/T 2260 code)
	{"810000199001010203", "1990-01-01"}, // 港澳居民居住证 (香港)
	{"820000198505050214", "1985-05-05"}, // 港澳居民居住证 (澳门)
	{"830000197010100221", "1970-10-10"}, // 台湾居民居住证
	{"110101202402290016", "2024-02-29"}, // 2024 is a leap year
	{"110101190001010014", "1900-01-01"}, // earliest accepted date
	{"110101202506010015", "2025-06-01"}, // born "today"
	{"110102200002291113", "2000-02-29"}, // 110102 (西城) merged 2010: still valid
	{"330110190001010011", "1900-01-01"}, // 330110 (余杭区): only 33 is checked
	{"110000199001010013", "1990-01-01"}, // county digits are not checked
	{"911840199001010018", ""},           // foreigner card: 北京, USA
	{"931276198506150027", ""},           // foreigner card: 上海, Germany
	{"990101199001010019", ""},           // 9 layout: province digits not checked
	{"900000000000000004", ""},           // 9 layout: date digits not checked
}

func TestValid(t *testing.T) {
	for _, tt := range valid {
		// Check digits here were computed separately: they test checkDigit.
		if c, ok := checkDigit(tt.id[:17]); !ok || c != tt.id[17] {
			t.Errorf("CheckDigit(%s) = %q, %v; want %q", tt.id[:17], c, ok, tt.id[17])
		}
		for _, in := range []string{tt.id, strings.ToLower(tt.id), " " + tt.id + "\t\n", "\u3000" + tt.id} {
			n, err := Parse(in, now)
			if err != nil {
				t.Errorf("Parse(%q): %v", in, err)
				continue
			}
			if n.String() != tt.id {
				t.Errorf("Parse(%q) = %s, want %s", in, n, tt.id)
			}
			if n.foreign() != (tt.id[0] == '9') {
				t.Errorf("%s: Foreign() = %v", tt.id, n.foreign())
			}
			b, ok := n.birth()
			if got := b.Format(time.DateOnly); ok != (tt.birth != "") || ok && got != tt.birth {
				t.Errorf("%s: Birth() = %s, %v; want %q", tt.id, got, ok, tt.birth)
			}
		}
	}
}

func TestInvalid(t *testing.T) {
	bad := func(first17 string) string { return withCheck(t, first17) }
	tests := []struct {
		name, in, reason string
	}{
		{"empty", "", "missing"},
		{"spaces only", " \t\u3000", "missing"},
		{"wrong check digit", "110101199003070012", "checksum"},
		{"X instead of 1", "11010119900307001X", "checksum"},
		{"digit instead of X", "110101199003070020", "checksum"},
		{"foreigner wrong check", "911840199001010017", "checksum"},
		{"foreigner X wrong", "91184019900101001X", "checksum"},
		{"swapped digits", "110101199003070101", "checksum"},
		{"15 digits", "110101900307001", "legacy_15"},
		{"15 digits, spaces", " 110101900307001 ", "legacy_15"},
		{"15 with x", "11010190030700x", "length"},
		{"17 digits", "11010119900307001", "length"},
		{"19 digits", "1101011990030700110", "length"},
		{"16 digits", "1101011990030700", "length"},
		{"1 digit", "1", "length"},
		{"X in the middle", "1101011990030X0011", "format"},
		{"leading X", "X10101199003070011", "format"},
		{"two X", "1101011990030700XX", "format"},
		{"embedded space", "110101 199003070011", "format"},
		{"embedded tab", "110101\t19900307001", "format"},
		{"hyphens", "110101-19900307-0011", "format"},
		{"letter", "11010119900307001Y", "format"},
		{"full-width digits", "１１０１０１１９９００３０７００１１", "format"},
		{"one full-width digit", "11010119900307001１", "format"},
		{"Arabic-Indic digit", "11010119900307001\u0661", "format"},
		{"NUL", "11010119900307001\x00", "format"},
		{"invalid UTF-8", "11010119900307001\xff", "format"},
		{"sign", "+110101199003070011", "format"},
		{"Feb 29 2023", bad("11010120230229001"), "birth_date"},
		{"Feb 29 1900", bad("11010119000229001"), "birth_date"},
		{"Feb 30 2000", bad("11010120000230001"), "birth_date"},
		{"Apr 31", bad("11010119900431001"), "birth_date"},
		{"month 00", bad("11010119900001001"), "birth_date"},
		{"month 13", bad("11010119901301001"), "birth_date"},
		{"day 00", bad("11010119900100001"), "birth_date"},
		{"day 32", bad("11010119900132001"), "birth_date"},
		{"year 0000", bad("11010100000101001"), "birth_date"},
		{"1899-12-31", bad("11010118991231001"), "birth_date"},
		{"tomorrow", bad("11010120250602001"), "future_birth_date"},
		{"next year", bad("11010120260101001"), "future_birth_date"},
		{"year 9999", bad("11010199991231001"), "future_birth_date"},
	}
	for _, p := range []string{"00", "01", "10", "16", "19", "20", "24", "30", "38", "40", "47", "49", "55", "60", "66", "70", "72", "80", "84", "89"} {
		tests = append(tests, struct{ name, in, reason string }{"province " + p, bad(p + "010119900101001"), "region"})
	}
	for _, tt := range tests {
		_, err := Parse(tt.in, now)
		var ie *invalid.Error
		if !errors.As(err, &ie) {
			t.Errorf("%s: Parse(%q) = %v, want *invalid.Error", tt.name, tt.in, err)
			continue
		}
		if ie.Field != "idcard" || ie.Reason != tt.reason || ie.Detail == "" || ie.English == "" {
			t.Errorf("%s: Parse(%q) = %+v, want reason %s", tt.name, tt.in, *ie, tt.reason)
		}
		if s := strings.TrimSpace(tt.in); len(s) > 3 && (strings.Contains(err.Error(), s) || strings.Contains(ie.English, s)) {
			t.Errorf("%s: error %q leaks the number", tt.name, err)
		}
		if !strings.HasPrefix(err.Error(), "入参错误,身份证号[idcard]") {
			t.Errorf("%s: error %q not in the upstream's style", tt.name, err)
		}
	}
}

func TestDetails(t *testing.T) {
	for in, want := range map[string]string{
		"":                   "入参错误,身份证号[idcard]不能为空",
		"110101199003070012": "入参错误,身份证号[idcard]校验码错误",
		"110101202302290019": "入参错误,身份证号[idcard]出生日期无效",
		"110101202506020010": "入参错误,身份证号[idcard]出生日期晚于当前日期",
		"160101199001010014": "入参错误,身份证号[idcard]地区码无效",
		"11010119900307001a": "入参错误,身份证号[idcard]格式错误",
		"110101900307001":    "入参错误,身份证号[idcard]为15位旧号码,请使用18位身份证号",
	} {
		if _, err := Parse(in, now); err == nil || err.Error() != want {
			t.Errorf("Parse(%q) = %v, want %s", in, err, want)
		}
	}
}

// Every YYYYMMDD from 1890 to 2030, months 00–13 and days 00–32, is accepted
// exactly when it is a real date from 1900-01-01 to today; time.Date, which
// normalises impossible dates, is the reference calendar.
func TestEveryDate(t *testing.T) {
	today := now.Format("20060102")
	for y := 1890; y <= 2030; y++ {
		for m := 0; m <= 13; m++ {
			for d := 0; d <= 32; d++ {
				ymd := fmt.Sprintf("%04d%02d%02d", y, m, d)
				isReal := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Format("20060102") == ymd
				want := isReal && y >= 1900 && ymd <= today
				_, err := Parse(withCheck(t, "110101"+ymd+"001"), now)
				if (err == nil) != want {
					t.Fatalf("%s: Parse = %v, want ok=%v", ymd, err, want)
				}
			}
		}
	}
}

// The birth date bound is the later of now's own date and China's date.
func TestFutureBoundary(t *testing.T) {
	tests := []struct {
		now  time.Time
		id   string
		want bool
	}{
		// 20:00 UTC on June 1 is already June 2 in China.
		{time.Date(2025, 6, 1, 20, 0, 0, 0, time.UTC), "11010120250602001", true},
		{time.Date(2025, 6, 1, 20, 0, 0, 0, time.UTC), "11010120250603001", false},
		// 23:00 on June 1 at UTC-10 is June 2 in both UTC and China.
		{time.Date(2025, 6, 1, 23, 0, 0, 0, time.FixedZone("", -10*3600)), "11010120250602001", true},
		{time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), "11010120250602001", false},
		{time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), "11010120250601001", true},
	}
	for _, tt := range tests {
		_, err := Parse(withCheck(t, tt.id), tt.now)
		if (err == nil) != tt.want {
			t.Errorf("Parse(%s, %v) = %v, want ok=%v", tt.id, tt.now, err, tt.want)
		}
	}
}

func TestCheckDigit(t *testing.T) {
	for _, in := range []string{"", "1101011990030700", "110101199003070011", "1101011990030700X", "１１０１０１１９９００３０７００"} {
		if c, ok := checkDigit(in); ok {
			t.Errorf("CheckDigit(%q) = %q, true", in, c)
		}
	}
	// Every remainder 0–10 maps to its check character: a digit k in the
	// eighth place (weight 1) gives remainder k, a 1 in the third (weight
	// 10) remainder 10.
	for k := 0; k <= 10; k++ {
		first17 := "0000000" + string(rune('0'+k)) + "000000000"
		if k == 10 {
			first17 = "00100000000000000"
		}
		if c, ok := checkDigit(first17); !ok || c != "10X98765432"[k] {
			t.Errorf("CheckDigit(%s) = %q, want %q", first17, c, "10X98765432"[k])
		}
	}
}

func TestMasking(t *testing.T) {
	n, err := Parse("110101199003070011", now)
	if err != nil {
		t.Fatal(err)
	}
	const masked = "110***********0011"
	if n.masked() != masked {
		t.Errorf("Masked() = %s", n.masked())
	}
	// fmt and slog must not print the whole number by accident.
	for _, s := range []string{fmt.Sprint(n), fmt.Sprintf("%s %v %q %d", n, n, n, n), fmt.Sprintf("%+v %#v", struct{ ID Number }{n}, n)} {
		if strings.Contains(s, n.String()) || !strings.Contains(s, masked) {
			t.Errorf("formatted as %s", s)
		}
	}
	if v := n.LogValue().String(); v != masked {
		t.Errorf("LogValue() = %s", v)
	}
	var zero Number
	if zero.String() != "" || zero.masked() != "" || zero.foreign() {
		t.Error("zero Number not empty")
	}
	if _, ok := zero.birth(); ok {
		t.Error("zero Number has a birth date")
	}
}

func FuzzParse(f *testing.F) {
	for _, v := range valid {
		f.Add(v.id)
	}
	for _, s := range []string{"", " ", "11010119900307002x", "110101900307001", "11010119900307001",
		"1101011990030700110", "１１０１０１１９９００３０７００１１", "110101 199003070011", "110101202302290019",
		"160101199001010014", "\xff\xfe", "9", "XXXXXXXXXXXXXXXXXX"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := Parse(s, now)
		if err != nil {
			var ie *invalid.Error
			if !errors.As(err, &ie) || ie.Field != "idcard" || ie.Reason == "" {
				t.Fatalf("Parse(%q): unexpected error %#v", s, err)
			}
			return
		}
		id := n.String()
		if len(id) != length {
			t.Fatalf("Parse(%q) = %q: not 18 characters", s, id)
		}
		if c, ok := checkDigit(id[:17]); !ok || c != id[17] {
			t.Fatalf("Parse(%q) = %q: check digit %q, %v", s, id, c, ok)
		}
		again, err := Parse(id, now)
		if err != nil || again != n {
			t.Fatalf("re-parsing %q: %v, %v", id, again, err)
		}
		// time.Date normalises impossible dates, so a round trip through it
		// checks the calendar independently of Parse.
		if b, ok := n.birth(); ok == n.foreign() || ok && (b.Year() < 1900 || b.After(now.AddDate(0, 0, 1)) || b.Format("20060102") != id[6:14]) {
			t.Fatalf("Parse(%q): Birth() = %v, %v", s, b, ok)
		}
		if m := n.masked(); m[3:14] != strings.Repeat("*", 11) {
			t.Fatalf("Parse(%q): Masked() = %q", s, m)
		}
	})
}
