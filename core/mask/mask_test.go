package mask

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"1", "*"},
		{"1234567", "*******"},
		{"12345678", "1*****78"},
		{"1234567890", "1*******90"},
		{"123456789012", "1********012"},
		{"110101900307001", "11**********001"},                 // 15: 2 head, 3 tail
		{"11010119900307001", "11***********7001"},             // 17: 2 head, 4 tail
		{"110101199003070011", "110***********0011"},           // 18
		{"11010119900307001X", "110***********001X"},           // 18, X check digit
		{"1101011990030700112", "110************0112"},         // 19
		{"ABC12345678901234567890", "ABC****************7890"}, // long: still 3+4
		{"１１０１０１１９９００３０７００１１", "１１０***********００１１"}, // runes, not bytes
		{"110\n01199003070011", "110***********0011"},
		{"\n10101199003070011", "*10***********0011"}, // control chars never revealed
		{"11010119900307001\x00", "110***********001*"},
		{"\xff\xfe0101199003070011", "**0***********0011"}, // invalid UTF-8 masked
	}
	for _, tt := range tests {
		if got := ID(tt.in); got != tt.want {
			t.Errorf("ID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"张", "*"},
		{"张三", "张*"},
		{"欧阳娜娜", "欧***"},
		{"买买提·艾力", "买*****"},
		{"Anna Lee", "A*******"},
		{"José García", "J**********"},
		{"\n张三", "***"},
		{"\xff张三", "***"},
	}
	for _, tt := range tests {
		if got := Name(tt.in); got != tt.want {
			t.Errorf("Name(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// revealed counts the runes of out that are not '*'.
func revealed(out string) int {
	return utf8.RuneCountInString(out) - strings.Count(out, "*")
}

// allStars reports whether every rune of s is '*'.
func allStars(s string) bool {
	return strings.Trim(s, "*") == ""
}

func FuzzID(f *testing.F) {
	for _, s := range []string{"", "1", "1234567", "12345678", "110101900307001",
		"110101199003070011", "11010119900307001X", "１１０１０１１９９００３０７００１１", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := ID(s)
		n := utf8.RuneCountInString(s)
		if !utf8.ValidString(out) || utf8.RuneCountInString(out) != n {
			t.Fatalf("ID(%q) = %q: not valid UTF-8 of %d runes", s, out, n)
		}
		in := []rune(s)
		for i, r := range []rune(out) {
			if r != '*' && r != in[i] {
				t.Fatalf("ID(%q) = %q: rune %d changed", s, out, i)
			}
		}
		max := 7 // 3 head + 4 tail
		switch {
		case n < 8:
			max = 0
		case n < 18:
			max = n * 7 / 18
		}
		if revealed(out) > max {
			t.Fatalf("ID(%q) = %q reveals %d runes, max %d", s, out, revealed(out), max)
		}
		if n == 18 {
			if mid := string([]rune(out)[3:14]); !allStars(mid) {
				t.Fatalf("ID(%q) = %q reveals the middle", s, out)
			}
		}
		// Only an input that already has '*' wherever the output does can
		// survive masking.
		if n >= 2 && strings.Contains(out, s) && strings.Count(s, "*") < n-revealed(out) {
			t.Fatalf("ID(%q) = %q contains the input", s, out)
		}
	})
}

func FuzzName(f *testing.F) {
	for _, s := range []string{"", "张", "张三", "欧阳娜娜", "Anna Lee", "\xff", "a*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Name(s)
		n := utf8.RuneCountInString(s)
		if !utf8.ValidString(out) || utf8.RuneCountInString(out) != n {
			t.Fatalf("Name(%q) = %q: not valid UTF-8 of %d runes", s, out, n)
		}
		if r := []rune(out); n > 0 && !allStars(string(r[1:])) || n == 1 && out != "*" {
			t.Fatalf("Name(%q) = %q reveals more than the first rune", s, out)
		}
		// Only an input that already looks masked (first rune then stars)
		// can survive masking.
		if r := []rune(s); n >= 2 && !allStars(string(r[1:])) && strings.Contains(out, s) {
			t.Fatalf("Name(%q) = %q contains the input", s, out)
		}
	})
}

func TestKey(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"uploads/2b0c9e4e-41d7-4a3e-9f0e-5d1c2a7b8e11.jpg", "uploads/2b0c9e4e-41d7-4a3e-9f0e-5d1c2a7b8e11.jpg"},
		{"uploads/110101199003070011.jpg", "uploads/110***********0011.jpg"},
		{"uploads/11010119900307001X.jpg", "uploads/110***********001X.jpg"},
		{"uploads/11010119900307001x", "uploads/110***********001x"},
		{"uploads/110101900307001/a.jpg", "uploads/11**********001/a.jpg"},
		{"uploads/张三_110101199003070011.jpg", "uploads/张*_110***********0011.jpg"},
		{"uploads/欧阳娜娜-13800138000.png", "uploads/欧***-1*******000.png"},           // a mobile number
		{"uploads/2026/11/27/1234567890.jpg", "uploads/2026/11/27/1234567890.jpg"}, // ten digits: kept
		{"uploads/１１０１０１１９９００３０７００１１.jpg", "uploads/１１０***********００１１.jpg"},
		{"uploads/Zhang San/a.jpg", "uploads/Zhang San/a.jpg"}, // names in Latin letters cannot be told from words
		{"xxxxxxxxxxxx", "xxxxxxxxxxxx"},
		{"\xff\xfe张三", "\xff\xfe张*"},
	}
	for _, tt := range tests {
		if got := Key(tt.in); got != tt.want {
			t.Errorf("Key(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzKey(f *testing.F) {
	for _, s := range []string{"", "uploads/110101199003070011.jpg", "张三_11010119900307001X", "13800138000张", "\xff1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Key(s)
		if !utf8.ValidString(s) {
			return // invalid bytes are kept as they are; slog escapes them
		}
		in, got := []rune(s), []rune(out)
		if len(in) != len(got) {
			t.Fatalf("Key(%q) = %q: %d runes, want %d", s, out, len(got), len(in))
		}
		// What Key must leave behind: no run of digits long enough to
		// be an ID or phone number, no two letters of a name side by side.
		for i, r := range got {
			if r != '*' && r != in[i] {
				t.Fatalf("Key(%q) = %q: rune %d changed", s, out, i)
			}
		}
		run := 0
		for i, r := range got {
			if unicode.IsDigit(r) {
				run++
			} else {
				run = 0
			}
			if run >= keyDigits {
				t.Fatalf("Key(%q) = %q keeps %d digits in a row", s, out, run)
			}
			if i > 0 && nonASCIILetter(r) && nonASCIILetter(got[i-1]) {
				t.Fatalf("Key(%q) = %q keeps two letters of a name side by side", s, out)
			}
		}
	})
}

func nonASCIILetter(r rune) bool { return r >= utf8.RuneSelf && unicode.IsLetter(r) }

func TestText(t *testing.T) {
	tests := []struct {
		in    string
		names []string
		want  string
	}{
		{"", nil, ""},
		{"入参错误,身份证号[idcard]格式错误", nil, "入参错误,身份证号[idcard]格式错误"},
		{"身份证110101199003070011与姓名张三不符", []string{"张三"}, "身份证110***********0011与姓名张*不符"},
		{"张三 张三 11010119900307001X", []string{"张三"}, "张* 张* 110***********001X"},
		{"欧阳娜娜 and 张三", []string{"张三", ""}, "欧阳娜娜 and 张*"}, // only the names it is given
		{"order 568753443590770688", nil, "order 568***********0688"},
		{"API rate limit exceeded.", []string{"张三"}, "API rate limit exceeded."},
	}
	for _, tt := range tests {
		if got := Text(tt.in, tt.names...); got != tt.want {
			t.Errorf("Text(%q, %q) = %q, want %q", tt.in, tt.names, got, tt.want)
		}
	}
}
