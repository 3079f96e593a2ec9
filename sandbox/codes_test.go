package sandbox

import (
	"errors"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/core/codes"
	"github.com/faceid-verify/faceid/internal/specsample"
)

// TestCodesAgreeWithCore compares the sandbox's reading of the product
// page with the function's (core/codes). They are kept apart on purpose;
// this test is where a divergence shows.
func TestCodesAgreeWithCore(t *testing.T) {
	// core/codes has no list of top-level codes: ask it about every
	// three-digit number.
	coreTop := map[int]string{}
	for c := 100; c < 1000; c++ {
		if m, ok := codes.Code(c); ok {
			coreTop[c] = m.Zh
		}
	}
	coreIncorrect := map[int]string{}
	for _, c := range codes.IncorrectCodes() {
		m, _ := codes.Incorrect(c)
		coreIncorrect[c] = m.Zh
	}
	compare := func(what string, sandbox, core map[int]string) {
		for _, c := range slices.Sorted(maps.Keys(sandbox)) {
			coreMsg, ok := core[c]
			switch {
			case !ok:
				t.Errorf("%s %d: the sandbox knows it (%q), core/codes does not", what, c, sandbox[c])
			case coreMsg != sandbox[c]:
				t.Errorf("%s %d: sandbox %q, core/codes %q", what, c, sandbox[c], coreMsg)
			}
		}
		for _, c := range slices.Sorted(maps.Keys(core)) {
			if _, ok := sandbox[c]; !ok {
				t.Errorf("%s %d: core/codes knows it (%q), the sandbox does not", what, c, core[c])
			}
		}
	}
	compare("code", codeMessages, coreTop)
	compare("incorrect", incorrectMessages, coreIncorrect)
	if got, want := incorrectCodes(), codes.IncorrectCodes(); !slices.Equal(got, want) {
		t.Errorf("incorrect codes: sandbox %v, core/codes %v", got, want)
	}

	for _, c := range []struct {
		name          string
		sandbox, core any
	}{
		{"code OK", codeOK, codes.OK},
		{"code BadRequest", codeBadRequest, codes.BadRequest},
		{"incorrect Match", incMatch, codes.Match},
		{"incorrect NameMismatch", incNameMismatch, codes.NameMismatch},
		{"incorrect NoSuchID", incNoSuchID, codes.NoSuchID},
		{"incorrect ImageTooLarge", incImageTooLarge, codes.ImageTooLarge},
		{"incorrect InvalidImage", incInvalidImage, codes.InvalidImage},
		{"same-person threshold", sameFrom, codes.DefaultSameThreshold},
		{"uncertain threshold", uncertainFrom, codes.DefaultUncertainThreshold},
		{"same-person verdict", msgSame, codes.MsgSame},
		{"uncertain verdict", msgUncertain, codes.MsgUncertain},
		{"different-person verdict", msgDifferent, codes.MsgDifferent},
	} {
		if c.sandbox != c.core {
			t.Errorf("%s: sandbox %v, core/codes %v", c.name, c.sandbox, c.core)
		}
	}
}

// TestCodesMatchProductPage reads the tables off the product page itself,
// so the sandbox's copy answers to the page and not only to core/codes.
func TestCodesMatchProductPage(t *testing.T) {
	page, err := specsample.Load()
	if errors.Is(err, specsample.ErrNoSpec) {
		t.Skip("product page not found beside the repository (../shared/spec/face_id_card_api.txt): nothing to compare with")
	}
	if err != nil {
		t.Fatal(err)
	}

	// 返回码定义: a header of three lines, then each code on a line with
	// its message on the next non-empty one, up to 商品介绍.
	top := section(t, page, "返回码定义", "商品介绍")
	top = top[slices.Index(top, "描述")+1:]
	pageTop := map[int]string{}
	for i := 0; i+1 < len(top); i += 2 {
		c, err := strconv.Atoi(top[i])
		if err != nil {
			t.Fatalf("返回码定义: %q where a code was expected", top[i])
		}
		pageTop[c] = top[i+1]
	}

	// incorrect字段详解: "code<TAB>message" lines.
	pageIncorrect := map[int]string{}
	for _, line := range section(t, page, "incorrect字段详解", "失败返回示例") {
		code, msg, ok := strings.Cut(line, "\t")
		c, err := strconv.Atoi(code)
		if !ok || err != nil {
			break // the rows end where the example begins
		}
		pageIncorrect[c] = strings.TrimSpace(msg)
	}
	if len(pageTop) == 0 || len(pageIncorrect) == 0 {
		t.Fatalf("page tables not found: %d codes, %d incorrect codes", len(pageTop), len(pageIncorrect))
	}
	if !maps.Equal(pageTop, codeMessages) {
		t.Errorf("codes: page %v, sandbox %v", pageTop, codeMessages)
	}
	if !maps.Equal(pageIncorrect, incorrectMessages) {
		t.Errorf("incorrect codes: page %v, sandbox %v", pageIncorrect, incorrectMessages)
	}

	// The score line: "0.40以下 系统判断为不同人; 0.40-0.44 不能确定是否为同一人 ; 0.45及以上 系统判断为同一人".
	m := regexp.MustCompile(`([0-9.]+)以下 (\S+);\s*([0-9.]+)-[0-9.]+ (\S+)\s*;\s*([0-9.]+)及以上 (\S+)`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("score line not found on the page")
	}
	num := func(s string) float64 {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	if num(m[1]) != uncertainFrom || num(m[3]) != uncertainFrom || num(m[5]) != sameFrom {
		t.Errorf("score bands: page %s / %s / %s, sandbox %v and %v", m[1], m[3], m[5], uncertainFrom, sameFrom)
	}
	if m[2] != msgDifferent || m[4] != msgUncertain || m[6] != msgSame {
		t.Errorf("verdicts: page %q %q %q, sandbox %q %q %q", m[2], m[4], m[6], msgDifferent, msgUncertain, msgSame)
	}
}

// section returns the trimmed non-empty lines of page between the line
// from and the line to.
func section(t *testing.T, page, from, to string) []string {
	t.Helper()
	var out []string
	in := false
	for line := range strings.Lines(page) {
		line = strings.TrimRight(line, "\r\n")
		switch {
		case strings.TrimSpace(line) == from:
			in = true
		case strings.TrimSpace(line) == to && in:
			return out
		case in && strings.TrimSpace(line) != "":
			out = append(out, strings.TrimLeft(line, " "))
		}
	}
	t.Fatalf("product page: no section from %q to %q", from, to)
	return nil
}
