// Package invalid holds the error every local input check returns: which
// field failed and why, worded like the upstream's own 400 answers
// ("入参错误,身份证号[idcard]格式错误") so callers see one style whether a
// request was rejected locally or by the seller.
//
// An Error never carries the rejected value itself: ID numbers, names and
// photos are personal data and error strings end up in logs.
package invalid

import "fmt"

// Error is a local validation failure. No upstream call has been made when
// one is returned.
type Error struct {
	// Field is the request field, as the upstream names it: idcard, name,
	// image or url (a missing or doubled photo source is reported on image).
	Field string
	// Reason is a stable machine-readable code (for metrics and branching),
	// e.g. "checksum", "birth_date", "too_large", "unsupported_format".
	Reason string
	// Detail is the human-readable reason in Chinese, e.g. "校验码错误".
	Detail string
	// English is the same reason in English, for API users who need it.
	English string
}

// labels are the Chinese names the upstream uses before the bracketed field.
var labels = map[string]string{
	"idcard": "身份证号",
	"name":   "姓名",
	"image":  "图片",
	"url":    "图片url",
	"body":   "请求体",
	// The presigned-upload flow's own fields (adapters/upload).
	"content_type": "图片类型",
	"size":         "图片大小",
	"key":          "对象键",
	"upload":       "上传",
}

func (e *Error) Error() string {
	label := labels[e.Field]
	return fmt.Sprintf("入参错误,%s[%s]%s", label, e.Field, e.Detail)
}

// New builds an Error.
func New(field, reason, detail, english string) *Error {
	return &Error{Field: field, Reason: reason, Detail: detail, English: english}
}
