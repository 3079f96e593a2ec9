package sandbox_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/core/codes"
	"github.com/faceid-verify/faceid/sandbox"
)

// wantVerdictMsg is data.msg as the product page defines it.
func wantVerdictMsg(incorrect int, score float64) string {
	if incorrect != codes.Match {
		m, _ := codes.Incorrect(incorrect)
		return m.Zh
	}
	switch {
	case score >= 0.45:
		return codes.MsgSame
	case score >= 0.40:
		return codes.MsgUncertain
	}
	return codes.MsgDifferent
}

func TestEveryIdentity(t *testing.T) {
	h := newHarness(t, sandbox.Config{})
	jpeg := photo(t, "small-320x240.jpg")
	var billable int64
	for _, id := range sandbox.DefaultIdentities() {
		t.Run(id.Name, func(t *testing.T) {
			env, v := h.postForm(form(id.IDCard, id.Name, jpeg, "")).envelope()
			if id.Code != 200 {
				m, _ := codes.Code(id.Code)
				if env.Code != id.Code || env.Success || env.Msg != m.Zh {
					t.Errorf("got %+v, want code %d %q", env, id.Code, m.Zh)
				}
				return
			}
			billable++
			want := verdict{Incorrect: id.Incorrect, Msg: wantVerdictMsg(id.Incorrect, id.Score)}
			if id.Incorrect == 100 {
				want.Score = id.Score
			}
			if env.Code != 200 || !env.Success || env.Msg != "成功" {
				t.Errorf("envelope %+v", env)
			}
			if !isOrderNo(v.OrderNo) || v.Incorrect != want.Incorrect || v.Score != want.Score || v.Msg != want.Msg {
				t.Errorf("data %+v, want %+v with an order number", v, want)
			}
		})
	}
	// The headline rows, spelled out so a table edit cannot hide a change.
	for _, tc := range []struct {
		id, name string
		score    float64
		msg      string
	}{
		{zhangID, zhang, 0.92, codes.MsgSame},
		{"120101198506120022", "李四", 0.42, codes.MsgUncertain},
		{"130102197809210037", "王五", 0.21, codes.MsgDifferent},
	} {
		_, v := h.postForm(form(tc.id, tc.name, jpeg, "")).envelope()
		if v.Incorrect != 100 || v.Score != tc.score || v.Msg != tc.msg {
			t.Errorf("%s: %+v", tc.name, v)
		}
		billable++
	}
	if st := h.sb.Stats(); st.Billable != billable {
		t.Errorf("billable %d, want %d (code-200 answers only)", st.Billable, billable)
	}
}

func TestNameAndNumberRules(t *testing.T) {
	h := newHarness(t, sandbox.Config{})
	jpeg := photo(t, "small-320x240.jpg")
	tests := []struct {
		name, idcard, person string
		incorrect            int
	}{
		{"known id, other name", zhangID, "李四", 101},
		{"known id, name with a space inside", zhangID, "张 三", 101},
		{"known id, name padded", zhangID, " 张三 ", 100},
		{"valid id not in the table", "110101199003070038", zhang, 102},
		{"valid id, lower-case x", "32010219960229010x", "陈二", 110},
		{"uncertain band edge", "510104200106150195", "尤一", 100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env, v := h.postForm(form(tc.idcard, tc.person, jpeg, "")).envelope()
			if env.Code != 200 || v.Incorrect != tc.incorrect || v.Msg != wantVerdictMsg(tc.incorrect, v.Score) {
				t.Errorf("got %+v %+v, want incorrect %d", env, v, tc.incorrect)
			}
			if tc.incorrect != 100 && v.Score != 0 {
				t.Errorf("score %v reported with incorrect %d", v.Score, tc.incorrect)
			}
		})
	}
}

func TestParameterErrors(t *testing.T) {
	const (
		badID    = "入参错误,身份证号[idcard]格式错误"
		noName   = "入参错误,姓名[name]不能为空"
		noPhoto  = "入参错误,图片[image]和图片url[url]不能同时为空"
		twoPhoto = "入参错误,图片[image]和图片url[url]只能二选一"
		badURL   = "入参错误,图片url[url]格式错误"
		badBody  = "入参错误,请求体[body]格式错误"
	)
	img := photo(t, "small-320x240.jpg")
	tests := []struct {
		name, contentType, body, msg string
	}{
		{"empty body", "", "", badID},
		{"no idcard", "", url.Values{"name": {zhang}, "image": {img}}.Encode(), badID},
		{"17 characters", "", form(zhangID[:17], zhang, img, "").Encode(), badID},
		{"wrong check digit", "", form("110101199003070012", zhang, img, "").Encode(), badID},
		{"letters", "", form("11010119900307001A", zhang, img, "").Encode(), badID},
		{"no name", "", form(zhangID, "", img, "").Encode(), noName},
		{"blank name", "", form(zhangID, "  ", img, "").Encode(), noName},
		{"no photo", "", form(zhangID, zhang, "", "").Encode(), noPhoto},
		{"both photos", "", form(zhangID, zhang, img, "https://example.com/a.jpg").Encode(), twoPhoto},
		{"ftp url", "", form(zhangID, zhang, "", "ftp://example.com/a.jpg").Encode(), badURL},
		{"relative url", "", form(zhangID, zhang, "", "/a.jpg").Encode(), badURL},
		{"bad form escape", "application/x-www-form-urlencoded", "idcard=%zz", badBody},
		{"semicolon separator", "application/x-www-form-urlencoded", form(zhangID, zhang, img, "").Encode() + ";x=1", badBody},
		// net/url's default limit, held whatever GODEBUG says.
		{"10,001 parameters", "", form(zhangID, zhang, img, "").Encode() + strings.Repeat("&x=", 10_001-4), badBody},
		{"bad JSON", "application/json", `{"idcard":`, badBody},
		{"JSON null", "application/json", `null`, badBody},
		{"JSON array", "application/json", `["x"]`, badBody},
		// The product page's curl example posts this (note the trailing comma).
		{"curl sample body", "application/x-www-form-urlencoded", `{"idcard":"","image":"","name":"","url":"",}`, badBody},
	}
	h := newHarness(t, sandbox.Config{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env, _ := h.do(h.newRequest(tc.contentType, []byte(tc.body))).envelope()
			if env.Code != 400 || env.Success || env.Msg != tc.msg {
				t.Errorf("got %+v, want 400 %q", env, tc.msg)
			}
		})
	}
	if st := h.sb.Stats(); st.Billable != 0 || st.Authenticated != int64(len(tests)) {
		t.Errorf("stats %+v: a seller 400 is authenticated but not billable", st)
	}
}

func TestBodyFormats(t *testing.T) {
	img := photo(t, "small-320x240.jpg")
	tests := []struct {
		name, contentType, body string
	}{
		{"form", "application/x-www-form-urlencoded", form(zhangID, zhang, img, "").Encode()},
		{"form without content type", "", form(zhangID, zhang, img, "").Encode()},
		{"JSON", "application/json", `{"idcard":"` + zhangID + `","name":"张三","image":"` + img + `","url":""}`},
		{"JSON with charset", "application/json; charset=utf-8", `{"idcard":"` + zhangID + `","name":"张三","image":"` + img + `"}`},
		{"JSON with a form content type", "application/x-www-form-urlencoded", `{"idcard":"` + zhangID + `","name":"张三","image":"` + img + `"}`},
		{"10,000 parameters", "", form(zhangID, zhang, img, "").Encode() + strings.Repeat("&x=", 10_000-4)},
		{"form, escapes in every field", "", "idcard=" + url.QueryEscape(zhangID) + "&name=%E5%BC%A0%E4%B8%89&image=" + url.QueryEscape(img) + "&url="},
		{"JSON numeric idcard, null url", "application/json", `{"idcard":110101199003070011,"name":"张三","image":"` + img + `","url":null}`},
	}
	h := newHarness(t, sandbox.Config{})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env, v := h.do(h.newRequest(tc.contentType, []byte(tc.body))).envelope()
			if env.Code != 200 || v.Incorrect != 100 || v.Score != 0.92 {
				t.Errorf("got %+v %+v", env, v)
			}
		})
	}
	// An unsigned GET of the same body never reaches the seller.
	req, _ := http.NewRequest(http.MethodGet, h.ts.URL+apiPath, nil)
	if a := h.do(req); a.status != 405 {
		t.Errorf("GET: %d", a.status)
	}
}
