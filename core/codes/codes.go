// Package codes holds the face–ID-card API's documented codes and their
// meanings: the top-level result codes and the per-comparison `incorrect`
// codes. The sandbox keeps its own copy from the product page, so that it
// witnesses this reading rather than sharing it; its tests compare the two.
package codes

// Top-level `code` values of the seller's envelope.
const (
	OK           = 200 // 成功
	BadRequest   = 400 // 参数错误
	notFound     = 404 // 请求资源不存在
	internal     = 500 // 系统内部错误,请联系服务商
	thirdParty   = 501 // 第三方服务异常
	Discontinued = 604 // 接口停用
)

// meaning is a code's documented description, in Chinese as the product page
// gives it and in English.
type meaning struct {
	Zh, En string
}

var top = map[int]meaning{
	OK:           {"成功", "success"},
	BadRequest:   {"参数错误", "invalid parameters"},
	notFound:     {"请求资源不存在", "resource not found"},
	internal:     {"系统内部错误,请联系服务商", "internal error, contact the provider"},
	thirdParty:   {"第三方服务异常", "third-party service error"},
	Discontinued: {"接口停用", "API discontinued"},
}

// Code describes a top-level result code.
func Code(c int) (meaning, bool) {
	m, ok := top[c]
	return m, ok
}

// Incorrect codes: the comparison outcome inside `data`.
const (
	Match               = 100 // 比对成功
	NameMismatch        = 101 // 身份证号码姓名不一致
	NoSuchID            = 102 // 库中无此号
	verifiedInvalidData = 103 // 身份核验成功,数据非法
	invalidData         = 104 // 数据非法
	faceSystemError     = 106 // 身份核验成功,人脸识别系统异常
	poorQuality         = 107 // 照片质量不合格
	ImageTooLarge       = 108 // 上传图片文件过大
	noRecordPhoto       = 109 // 身份核验成功,库中无照片
	featureFailed       = 110 // 身份核验成功,特征提取失败
	multipleFaces       = 111 // 身份核验成功,检测到多于一张人脸
	InvalidImage        = 112 // 身份核验成功,图片不合法
	compareServiceError = 113 // 人像比对服务异常
)

var incorrect = map[int]meaning{
	Match:               {"比对成功", "comparison succeeded"},
	NameMismatch:        {"身份证号码姓名不一致", "ID number and name do not match"},
	NoSuchID:            {"库中无此号", "ID number not in the database"},
	verifiedInvalidData: {"身份核验成功,数据非法", "identity verified, invalid data"},
	invalidData:         {"数据非法", "invalid data"},
	faceSystemError:     {"身份核验成功,人脸识别系统异常", "identity verified, face recognition system error"},
	poorQuality:         {"照片质量不合格", "photo quality too poor"},
	ImageTooLarge:       {"上传图片文件过大", "uploaded image too large"},
	noRecordPhoto:       {"身份核验成功,库中无照片", "identity verified, no photo on record"},
	featureFailed:       {"身份核验成功,特征提取失败", "identity verified, feature extraction failed"},
	multipleFaces:       {"身份核验成功,检测到多于一张人脸", "identity verified, more than one face detected"},
	InvalidImage:        {"身份核验成功,图片不合法", "identity verified, invalid image"},
	compareServiceError: {"人像比对服务异常", "face comparison service error"},
}

// Incorrect describes an `incorrect` code.
func Incorrect(c int) (meaning, bool) {
	m, ok := incorrect[c]
	return m, ok
}

// IncorrectCodes lists every documented `incorrect` code in order.
func IncorrectCodes() []int {
	return []int{100, 101, 102, 103, 104, 106, 107, 108, 109, 110, 111, 112, 113}
}

// Score bands from the product page: below 0.40 different people, 0.40–0.44
// uncertain, 0.45 and above the same person.
const (
	DefaultSameThreshold      = 0.45
	DefaultUncertainThreshold = 0.40
)

// Verdict messages the seller puts in data.msg for each band.
const (
	MsgSame      = "系统判断为同一人"
	MsgUncertain = "不能确定是否为同一人"
	MsgDifferent = "系统判断为不同人"
)
