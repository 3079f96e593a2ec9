package personname

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/faceid-verify/faceid/core/invalid"
)

func TestNormalizeValid(t *testing.T) {
	tests := []struct{ in, want string }{
		{"张三", "张三"},
		{"李四", "李四"},
		{"张", "张"},
		{"欧阳娜娜", "欧阳娜娜"},
		{"  张三\t\n", "张三"},
		{"\u3000张三\u3000", "张三"},
		{"\u00a0张三\u00a0", "张三"},
		{"买买提·艾力", "买买提·艾力"},
		{"买买提•艾力", "买买提·艾力"},
		{"买买提・艾力", "买买提·艾力"},
		{"买买提‧艾力", "买买提·艾力"},
		{"买买提.艾力", "买买提·艾力"},
		{"买买提．艾力", "买买提·艾力"},
		{"阿卜杜拉·买买提·艾力", "阿卜杜拉·买买提·艾力"},
		{"𠀀𪚥", "𠀀𪚥"}, // CJK extension B characters
		{"王〇", "王〇"}, // 〇 is a Han letter number, not a digit
		{"Anna", "Anna"},
		{"Anna-Lena O'Neil", "Anna-Lena O'Neil"},
		{"Anna-Lena O’Neil", "Anna-Lena O'Neil"},
		{"José García", "José García"},
		{"José   García", "José García"},
		{"José\u3000García", "José García"},
		{"José\u00a0García", "José García"},
		{"ANNA lee", "ANNA lee"}, // case is kept
		{"Memet·Eli", "Memet·Eli"},
		{"Memet•Eli", "Memet·Eli"},
		{"J.Smith", "J·Smith"},
		{"Ａｎｎａ Ｌｅｅ", "Anna Lee"},
		{"Øyvind Ødegård", "Øyvind Ødegård"},
		{"Łukasz Żółw", "Łukasz Żółw"},
		{"D'Angelo", "D'Angelo"},
		{"A B", "A B"},
		{strings.Repeat("张", 64), strings.Repeat("张", 64)},
		{strings.Repeat("a", 64), strings.Repeat("a", 64)},
		{strings.Repeat("a ", 32) + "    ", strings.Repeat("a ", 31) + "a"},
		{"a" + strings.Repeat(" ", 100) + "b", "a b"}, // length counts after collapsing
	}
	for _, tt := range tests {
		got, err := Normalize(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			continue
		}
		if again, err := Normalize(got); err != nil || again != got {
			t.Errorf("Normalize(%q) = %q, %v; not idempotent", got, again, err)
		}
	}
}

func TestNormalizeInvalid(t *testing.T) {
	tests := []struct{ in, reason string }{
		{"", "missing"},
		{" \t\u3000\u00a0 ", "missing"},
		{strings.Repeat("张", 65), "too_long"},
		{strings.Repeat("a", 65), "too_long"},
		{strings.Repeat("ab ", 21) + "ab", "too_long"}, // 65 with spaces
		{"张三1", "digit"},
		{"张三１", "digit"}, // full-width digit
		{"Anna2", "digit"},
		{"张三Ⅱ", "digit"}, // Roman numeral
		{"张三①", "digit"},
		{"张三😀", "invalid_char"},
		{"<b>张三</b>", "invalid_char"},
		{"张三&李四", "invalid_char"},
		{"张三>", "invalid_char"},
		{"张三!", "invalid_char"},
		{"张三,李四", "invalid_char"},
		{"张三_李四", "invalid_char"},
		{"张三\x00", "invalid_char"},
		{"张\x00三", "invalid_char"},
		{"张\n三", "invalid_char"},
		{"张\t三", "invalid_char"},
		{"张三\u200b", "invalid_char"},   // zero-width space
		{"\ufeff张三", "invalid_char"},   // BOM
		{"张三\u202e", "invalid_char"},   // right-to-left override
		{"Jose\u0301", "invalid_char"}, // decomposed é: combining mark
		{"⼤山", "invalid_char"},         // U+2F24 KANGXI RADICAL BIG
		{"Иван", "invalid_char"},
		{"김철수", "invalid_char"},
		{"タロウ", "invalid_char"},
		{"ᵃnna", "invalid_char"},
		{"Anna‐Lena", "invalid_char"}, // U+2010 HYPHEN
		{"O‘Neil", "invalid_char"},    // left quote
		{"张三\xff", "encoding"},
		{"\xe5\xbc", "encoding"},
		{"张\ufffd", "encoding"},
		{"·买买提", "separator"},
		{"买买提·", "separator"},
		{"买买提··艾力", "separator"},
		{"买买提·•艾力", "separator"},
		{"买买提 · 艾力", "separator"},
		{"张 三", "separator"},
		{"张-三", "separator"},
		{"张'三", "separator"},
		{"-Anna", "separator"},
		{"Anna-", "separator"},
		{"Anna--Lena", "separator"},
		{"Anna - Lena", "separator"},
		{"O''Neil", "separator"},
		{"'Neil", "separator"},
		{"J. Smith", "separator"},
		{"Smith Jr.", "separator"},
		{"·", "separator"},
		{"-", "separator"},
		{"张三Anna", "mixed_script"},
		{"买买提·Ali", "mixed_script"},
	}
	for _, tt := range tests {
		got, err := Normalize(tt.in)
		var ie *invalid.Error
		if !errors.As(err, &ie) {
			t.Errorf("Normalize(%q) = %q, %v; want *invalid.Error", tt.in, got, err)
			continue
		}
		if got != "" || ie.Field != "name" || ie.Reason != tt.reason || ie.Detail == "" || ie.English == "" {
			t.Errorf("Normalize(%q) = %q, %+v; want reason %s", tt.in, got, *ie, tt.reason)
		}
		if !strings.HasPrefix(err.Error(), "入参错误,姓名[name]") {
			t.Errorf("Normalize(%q): error %q not in the upstream's style", tt.in, err)
		}
		if s := strings.TrimSpace(tt.in); s != "" && strings.Contains(err.Error()+ie.English, s) {
			t.Errorf("Normalize(%q): error %q leaks the name", tt.in, err)
		}
	}
}

func TestDetails(t *testing.T) {
	for in, want := range map[string]string{
		"":                      "入参错误,姓名[name]不能为空",
		strings.Repeat("张", 65): "入参错误,姓名[name]长度超过64个字符",
		"张三1":                   "入参错误,姓名[name]不能包含数字",
		"张三<":                   "入参错误,姓名[name]包含非法字符",
		"张三·":                   "入参错误,姓名[name]分隔符位置错误",
	} {
		if _, err := Normalize(in); err == nil || err.Error() != want {
			t.Errorf("Normalize(%q) = %v, want %s", in, err, want)
		}
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"", "张三", "欧阳娜娜", "买买提•艾力", " 买买提 · 艾力 ", "Anna-Lena O’Neil", "José   García",
		"Ａｎｎａ", "张三1", "<b>", "\xff", "张\ufffd", "a\u3000b", "a \u00a0b", "Jose\u0301", "张三Anna"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := Normalize(s)
		if err != nil {
			var ie *invalid.Error
			if !errors.As(err, &ie) || ie.Field != "name" || ie.Reason == "" || out != "" {
				t.Fatalf("Normalize(%q) = %q, %#v", s, out, err)
			}
			return
		}
		if n := utf8.RuneCountInString(out); !utf8.ValidString(out) || n < 1 || n > maxLength {
			t.Fatalf("Normalize(%q) = %q: %d runes", s, out, n)
		}
		if again, err := Normalize(out); err != nil || again != out {
			t.Fatalf("Normalize(%q) = %q, but Normalize(%q) = %q, %v", s, out, out, again, err)
		}
		for _, r := range out {
			if r == '<' || r == '>' || r == '&' || r == '"' || r < ' ' || r == utf8.RuneError {
				t.Fatalf("Normalize(%q) = %q keeps %q", s, out, r)
			}
		}
	})
}
