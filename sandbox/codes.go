package sandbox

import (
	"maps"
	"slices"
)

// The seller's codes and messages, written down here from the product page
// (face_id_card_api.txt: 返回码定义, incorrect字段详解, the score line)
// rather than taken from core/codes: the sandbox witnesses the function's
// reading of the page, so it keeps a reading of its own.
// TestCodesAgreeWithCore and TestCodesMatchProductPage catch a divergence.

// Top-level codes (返回码定义).
const (
	codeOK         = 200
	codeBadRequest = 400
)

// codeMessages is 返回码定义: code → 返回信息.
var codeMessages = map[int]string{
	200: "成功",
	400: "参数错误",
	404: "请求资源不存在",
	500: "系统内部错误,请联系服务商",
	501: "第三方服务异常",
	604: "接口停用",
}

// The incorrect codes the sandbox decides itself; the others come only
// from the identity table.
const (
	incMatch         = 100
	incNameMismatch  = 101
	incNoSuchID      = 102
	incImageTooLarge = 108
	incInvalidImage  = 112
)

// incorrectMessages is incorrect字段详解: incorrect → its description.
// There is no 105.
var incorrectMessages = map[int]string{
	100: "比对成功",
	101: "身份证号码姓名不一致",
	102: "库中无此号",
	103: "身份核验成功,数据非法",
	104: "数据非法",
	106: "身份核验成功,人脸识别系统异常",
	107: "照片质量不合格",
	108: "上传图片文件过大",
	109: "身份核验成功,库中无照片",
	110: "身份核验成功,特征提取失败",
	111: "身份核验成功,检测到多于一张人脸",
	112: "身份核验成功,图片不合法",
	113: "人像比对服务异常",
}

// incorrectCodes lists the documented incorrect codes in order.
func incorrectCodes() []int {
	return slices.Sorted(maps.Keys(incorrectMessages))
}

// The score line: below 0.40 系统判断为不同人; 0.40–0.44 不能确定是否为同一人;
// 0.45 and above 系统判断为同一人.
const (
	sameFrom      = 0.45
	uncertainFrom = 0.40
	msgSame       = "系统判断为同一人"
	msgUncertain  = "不能确定是否为同一人"
	msgDifferent  = "系统判断为不同人"
)

// scoreVerdict is data.msg for a match with score s.
func scoreVerdict(s float64) string {
	switch {
	case s >= sameFrom:
		return msgSame
	case s >= uncertainFrom:
		return msgUncertain
	}
	return msgDifferent
}
