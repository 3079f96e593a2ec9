package core

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
)

func decodeWith(t testing.TB, status int, body string) (*Result, error) {
	t.Helper()
	c := &Client{cfg: Config{}.WithDefaults()}
	resp := &http.Response{StatusCode: status, Header: http.Header{}}
	return c.decode(resp, []byte(body), "rid")
}

func TestDecodeResults(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		orderNo   string
		score     float64
		incorrect int
		verdict   Verdict
		passed    bool
	}{
		{"spec example", `{"msg":"","success":true,"code":200,"data":{"order_no":"568753443590770688","score":0.82,"msg":"系统判断为同一人","incorrect":100}}`,
			"568753443590770688", 0.82, 100, VerdictSame, true},
		{"numbers as strings", `{"msg":"成功","success":"true","code":"200","data":{"order_no":"1","score":"0.45","msg":"","incorrect":"100"}}`,
			"1", 0.45, 100, VerdictSame, true},
		{"order number as a bare 19-digit number keeps every digit", `{"code":200,"success":true,"data":{"order_no":5687534435907706881,"score":0.1,"incorrect":100}}`,
			"5687534435907706881", 0.1, 100, VerdictDifferent, false},
		{"uncertain band low edge", `{"code":200,"data":{"score":0.40,"incorrect":100}}`, "", 0.40, 100, VerdictUncertain, false},
		{"uncertain band high edge", `{"code":200,"data":{"score":0.449,"incorrect":100}}`, "", 0.449, 100, VerdictUncertain, false},
		{"different", `{"code":200,"data":{"score":0.39,"incorrect":100}}`, "", 0.39, 100, VerdictDifferent, false},
		{"name mismatch has no verdict", `{"code":200,"data":{"score":0.9,"incorrect":101}}`, "", 0.9, 101, VerdictNone, false},
		{"unknown fields ignored", `{"code":200,"extra":[1,2],"data":{"incorrect":102,"score":null,"more":{}}}`, "", 0, 102, VerdictNone, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := decodeWith(t, 200, tc.body)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if r.OrderNo != tc.orderNo || r.Score != tc.score || r.Incorrect != tc.incorrect ||
				r.Verdict != tc.verdict || r.Passed != tc.passed || r.RequestID != "rid" {
				t.Errorf("got %+v", r)
			}
			if r.IncorrectDesc == "" || r.IncorrectEn == "" {
				t.Errorf("incorrect %d not described", r.Incorrect)
			}
		})
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		check  func(error) bool
	}{
		{"seller 400 with empty data", 200, `{"msg":"入参错误,身份证号[idcard]格式错误","success":false,"code":400,"data":{}}`,
			func(err error) bool { var e *sellerError; return errors.As(err, &e) && e.Code == 400 && e.Msg != "" }},
		{"seller 604 with null data", 200, `{"msg":"接口停用","success":false,"code":604,"data":null}`,
			func(err error) bool { var e *sellerError; return errors.As(err, &e) && e.Code == 604 }},
		{"seller 500 without data", 200, `{"msg":"x","success":false,"code":"500"}`,
			func(err error) bool { var e *sellerError; return errors.As(err, &e) && e.Code == 500 }},
		{"gateway 403", 403, `{"message":"HMAC signature does not match"}`,
			func(err error) bool {
				var e *gatewayError
				return errors.As(err, &e) && e.auth() && !e.MayHaveReached()
			}},
		{"gateway quota", 429, `{"message":"API quota exceeded."}`,
			func(err error) bool { var e *gatewayError; return errors.As(err, &e) && e.quotaExhausted() }},
		{"gateway 502 html", 502, `<html>Bad Gateway</html>`,
			func(err error) bool {
				var e *gatewayError
				return errors.As(err, &e) && e.Status == 502 && e.MayHaveReached()
			}},
		{"gateway 504 empty", 504, ``,
			func(err error) bool { var e *gatewayError; return errors.As(err, &e) && e.Status == 504 }},
		{"empty 200", 200, ``,
			func(err error) bool { var e *responseError; return errors.As(err, &e) && e.Reason == "empty" }},
		{"malformed", 200, `{"code":200,`,
			func(err error) bool { var e *responseError; return errors.As(err, &e) && e.Reason == "malformed" }},
		{"200 without data", 200, `{"code":200,"success":true,"data":{}}`,
			func(err error) bool { var e *responseError; return errors.As(err, &e) && MayHaveReached(err) }},
		{"200 without code", 200, `{"success":true}`,
			func(err error) bool { var e *responseError; return errors.As(err, &e) }},
		{"score NaN", 200, `{"code":200,"data":{"score":"NaN","incorrect":100}}`,
			func(err error) bool { var e *responseError; return errors.As(err, &e) }},
	}
	// A score outside 0–1 is unreadable, not a pass; it may have been billed.
	for _, score := range []string{`92`, `"92"`, `-0.1`, `1.0001`, `1e400`, `"Infinity"`} {
		for _, incorrect := range []int{100, 101} {
			tests = append(tests, struct {
				name   string
				status int
				body   string
				check  func(error) bool
			}{fmt.Sprintf("score %s, incorrect %d", score, incorrect), 200,
				fmt.Sprintf(`{"code":200,"data":{"order_no":"1","score":%s,"msg":"系统判断为同一人","incorrect":%d}}`, score, incorrect),
				func(err error) bool {
					var e *responseError
					return errors.As(err, &e) && e.Reason == "malformed" && MayHaveReached(err)
				}})
		}
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := decodeWith(t, tc.status, tc.body)
			if err == nil || r != nil || !tc.check(err) {
				t.Fatalf("decode = %+v, %v (%T)", r, err, err)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(200, `{"msg":"","success":true,"code":200,"data":{"order_no":"568753443590770688","score":0.82,"msg":"x","incorrect":100}}`)
	f.Add(403, `{"message":"HMAC signature does not match"}`)
	f.Add(200, `{"code":"400","data":[]}`)
	f.Add(200, `{"code":200,"data":{"score":"1e400","incorrect":"1e30"}}`)
	f.Fuzz(func(t *testing.T, status int, body string) {
		if status < 100 || status > 999 {
			return
		}
		r, err := decodeWith(t, status, body)
		if (r == nil) == (err == nil) {
			t.Fatalf("exactly one of result and error expected: %v %v", r, err)
		}
		if r != nil && r.Passed && (r.Incorrect != 100 || r.Verdict != VerdictSame) {
			t.Fatalf("passed without a match: %+v", r)
		}
		if r != nil && !(r.Score >= 0 && r.Score <= 1) {
			t.Fatalf("a score outside 0–1 was accepted: %+v", r)
		}
	})
}
