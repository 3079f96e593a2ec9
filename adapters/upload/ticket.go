package upload

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/faceid-verify/faceid/core/invalid"
)

// Uploads the function hands out (POST /uploads, Issuer) land under
// <UploadPrefix>issued/ and carry a ticket: user metadata holding the
// upload's expiry, size limit and content type and an HMAC-SHA256, under
// FACEID_UPLOAD_MAC_KEY, over those and the key, ID number and name. Not
// every store enforces a presigned signature (the local one does not), so
// before any paid call the pipeline checks that an upload under that
// prefix carries exactly what was issued for its key, in time. Keys
// elsewhere under the upload prefix are ordinary uploads, as before.

// IssuedDir is where, under the upload prefix, issued keys live.
const IssuedDir = "issued/"

// MetaTicket is the ticket's user-metadata name
// (x-amz-meta-faceid-ticket, x-cos-meta-faceid-ticket).
const MetaTicket = "faceid-ticket"

// MinMACKeyLen is the shortest FACEID_UPLOAD_MAC_KEY accepted, in bytes:
// the 256 bits of the HMAC's hash.
const MinMACKeyLen = 32

// ticketGrace is how long after its expiry an upload still counts as in
// time: a store checks a presigned URL's expiry when the upload starts,
// while the event reports when it finished.
const ticketGrace = 30 * time.Second

// ticket is what an issued upload carries besides the person.
type ticket struct {
	expires     int64 // Unix seconds
	maxBytes    int64
	contentType string
	mac         string // base64url of the HMAC, unpadded
}

const ticketVersion = "v1"

// String is the metadata value: "v1;exp=…;max=…;type=…;mac=…", ASCII, as
// S3 metadata must be.
func (t ticket) String() string {
	return fmt.Sprintf("%s;exp=%d;max=%d;type=%s;mac=%s", ticketVersion, t.expires, t.maxBytes, t.contentType, t.mac)
}

// parseTicket reads a metadata value written by String, exactly: fields in
// order, nothing else.
func parseTicket(s string) (ticket, bool) {
	parts := strings.Split(s, ";")
	if len(parts) != 5 || parts[0] != ticketVersion {
		return ticket{}, false
	}
	var t ticket
	vals := make([]string, 4)
	for i, name := range []string{"exp", "max", "type", "mac"} {
		v, ok := strings.CutPrefix(parts[i+1], name+"=")
		if !ok || v == "" {
			return ticket{}, false
		}
		vals[i] = v
	}
	var err1, err2 error
	t.expires, err1 = strconv.ParseInt(vals[0], 10, 64)
	t.maxBytes, err2 = strconv.ParseInt(vals[1], 10, 64)
	if err1 != nil || err2 != nil || t.maxBytes <= 0 {
		return ticket{}, false
	}
	t.contentType, t.mac = vals[2], vals[3]
	return t, true
}

// sign computes the ticket's MAC over the key and the person's metadata as
// sent (the name percent-encoded), each field length-prefixed so that no
// two different sets of values sign the same bytes.
func (t ticket) sign(macKey []byte, objectKey, idcard, name string) string {
	var msg []byte
	for _, f := range []string{"faceid/upload-ticket/" + ticketVersion, objectKey, idcard, name, t.contentType,
		strconv.FormatInt(t.maxBytes, 10), strconv.FormatInt(t.expires, 10)} {
		msg = binary.AppendUvarint(msg, uint64(len(f)))
		msg = append(msg, f...)
	}
	m := hmac.New(sha256.New, macKey)
	m.Write(msg)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// isIssued reports whether key is one the function hands out.
func (c Config) isIssued(key string) bool {
	return strings.HasPrefix(key, c.UploadPrefix+IssuedDir)
}

func errTicket(reason, detail, english string) error {
	return invalid.New("upload", reason, detail, english)
}

// checkTicket refuses an issued upload whose metadata is not exactly what
// was issued for its key, that arrived after its address expired, or whose
// size or content type the ticket does not allow. uploaded is when the
// store received it. Errors are *invalid.Error on field "upload": the
// pipeline records them as invalid, with no claim and no paid call.
func (p *Pipeline) checkTicket(key string, meta map[string]string, info ObjectInfo, uploaded time.Time) error {
	if !p.cfg.isIssued(key) {
		return nil
	}
	if len(p.cfg.MACKey) == 0 {
		return errTicket("not_configured", "服务未配置上传签名密钥", "uploads under "+p.cfg.UploadPrefix+IssuedDir+
			" are issued by POST /uploads and need FACEID_UPLOAD_MAC_KEY to be checked")
	}
	t, ok := parseTicket(meta[MetaTicket])
	if !ok {
		return errTicket("ticket_missing", "缺少上传凭证", "no valid "+MetaTicket+" metadata: send every upload_headers entry with the upload")
	}
	want := t.sign([]byte(p.cfg.MACKey.Reveal()), key, meta[MetaIDCard], meta[MetaName])
	if !hmac.Equal([]byte(t.mac), []byte(want)) {
		return errTicket("tampered", "元数据与签发的不一致", "the upload's metadata differs from what was issued for this key")
	}
	switch {
	case uploaded.After(time.Unix(t.expires, 0).Add(ticketGrace)):
		return errTicket("expired", "上传地址已过期", "uploaded after the upload address expired")
	case info.Size > t.maxBytes:
		return errTicket("too_large", "图片大小超过签发的上限", "the photo is larger than the size issued for this upload")
	case !strings.EqualFold(strings.TrimSpace(info.ContentType), t.contentType):
		return errTicket("content_type", "图片类型与签发的不一致", "the upload's Content-Type differs from the one issued")
	}
	return nil
}
