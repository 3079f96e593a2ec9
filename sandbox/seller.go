package sandbox

import (
	"context"
	"net/url"
	"strings"
)

// The seller's 400 messages. The idcard one is quoted on the product page;
// the others follow its pattern (an assumption: the page shows no others).
const (
	msgBadIDCard  = "入参错误,身份证号[idcard]格式错误"
	msgNoName     = "入参错误,姓名[name]不能为空"
	msgNoPhoto    = "入参错误,图片[image]和图片url[url]不能同时为空"
	msgBothPhotos = "入参错误,图片[image]和图片url[url]只能二选一"
	msgBadURL     = "入参错误,图片url[url]格式错误"
	msgBadBody    = "入参错误,请求体[body]格式错误"
)

// envelope is the seller's answer, field for field as the product page
// shows it. Data is a verdict on code 200 and {} otherwise.
type envelope struct {
	Msg     string `json:"msg"`
	Success bool   `json:"success"`
	Code    int    `json:"code"`
	Data    any    `json:"data"`
	idcard  string // masked, for the request log only
}

// verdict is data of a code-200 answer.
type verdict struct {
	OrderNo   string  `json:"order_no"`
	Score     float64 `json:"score"`
	Msg       string  `json:"msg"`
	Incorrect int     `json:"incorrect"`
}

func failure(code int, msg string) envelope {
	if msg == "" {
		msg = codeMessages[code]
	}
	return envelope{Msg: msg, Code: code, Data: struct{}{}}
}

// success is a billable answer. Scores are only reported with incorrect
// 100; data.msg is then the score band's verdict, else the code's meaning.
func (s *Server) success(incorrect int, score float64) envelope {
	v := verdict{OrderNo: s.orders.next(s.now()), Incorrect: incorrect}
	if incorrect == incMatch {
		v.Score, v.Msg = score, scoreVerdict(score)
	} else {
		v.Msg = incorrectMessages[incorrect]
	}
	return envelope{Msg: codeMessages[codeOK], Success: true, Code: codeOK, Data: v}
}

// decide is the seller: parameter checks, the identity table, the photo.
func (s *Server) decide(ctx context.Context, contentType, body string) envelope {
	req, ok := parseBody(contentType, body)
	if !ok {
		return failure(codeBadRequest, msgBadBody)
	}
	env := s.judge(ctx, req)
	env.idcard = maskID(normalizeIDCard(req.IDCard))
	return env
}

func (s *Server) judge(ctx context.Context, req sellerRequest) envelope {
	if msg := validate(req); msg != "" {
		return failure(codeBadRequest, msg)
	}
	// The size limit is the upload's, checked before any lookup; its
	// message, unlike 109–112, does not say the identity was verified.
	// The bound first: counting line breaks is a pass over the whole text.
	if req.Image != "" && len(req.Image)*3/4 > s.maxImage && base64DecodedLen(req.Image) > s.maxImage {
		return s.success(incImageTooLarge, 0)
	}
	id, known := s.ids[normalizeIDCard(req.IDCard)]
	switch {
	case known && id.Code != codeOK:
		return failure(id.Code, "")
	case !known:
		return s.success(incNoSuchID, 0)
	case strings.TrimSpace(req.Name) != id.Name:
		return s.success(incNameMismatch, 0)
	}
	if inc := s.photoProblem(ctx, req); inc != 0 {
		return s.success(inc, 0)
	}
	return s.success(id.Incorrect, id.Score)
}

// validate returns the seller's 400 message for req, or "".
func validate(req sellerRequest) string {
	switch {
	case !validIDCard(normalizeIDCard(req.IDCard)):
		return msgBadIDCard
	case strings.TrimSpace(req.Name) == "":
		return msgNoName
	case req.Image == "" && req.URL == "":
		return msgNoPhoto
	case req.Image != "" && req.URL != "":
		return msgBothPhotos
	case req.URL != "" && !validPhotoURL(req.URL):
		return msgBadURL
	}
	return ""
}

// validPhotoURL accepts absolute http(s) URLs with a host.
func validPhotoURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return false
	}
	return u.Scheme == "http" || u.Scheme == "https"
}
