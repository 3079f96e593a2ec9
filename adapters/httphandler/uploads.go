package httphandler

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/faceid-verify/faceid/core/invalid"
	"github.com/faceid-verify/faceid/core/mask"
)

// Uploads is the presigned-upload flow behind POST /uploads and
// GET /results/{key}: *upload.Issuer implements it.
type Uploads interface {
	Issue(ctx context.Context, req upload.IssueRequest) (upload.Ticket, error)
	Result(ctx context.Context, key string) ([]byte, error)
}

// maxUploadRequest bounds a POST /uploads body: a name, an ID number, a
// content type and a size.
const maxUploadRequest = 16 << 10

// issueUpload answers POST /uploads: a backend asks for an address its
// app can upload a photo to, for a person checked as /verify checks one.
func (h *Handler) issueUpload(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rid := requestID(r.Context())
	log := h.opts.Logger.With("request_id", rid, "path", r.URL.Path)
	signed, ok := h.authenticate(w, r, log, start)
	if !ok {
		return
	}
	// A drop-in signature covers no body: one used for another request is
	// refused (replay.go), and a repeat of the same request is asked for
	// the same key, which is verified at most once.
	repeat := ""
	if h.verifier != nil {
		if repeat, ok = h.claimSignature(w, r, signed, rid); !ok {
			return
		}
	}
	req, err := parseUploadRequest(r)
	if k := r.Header.Get(IdempotencyHeader); err == nil && k != "" {
		if len(k) > maxIdempotencyKey {
			err = errIdemKey
		}
		repeat = "idempotency\x00" + signed.ID + "\x00" + k
	}
	req.IdempotencyKey = repeat
	if err != nil {
		h.opts.Verifier.Reject(err) // counted as /verify counts a bad body
		h.refuseUpload(w, r, log, start, rid, req, err)
		return
	}
	// Issue reports its own refusals to the core's observer.
	tk, err := h.opts.Uploads.Issue(r.Context(), req)
	if err != nil {
		h.refuseUpload(w, r, log, start, rid, req, err)
		return
	}
	// The addresses are credentials for one upload and one read.
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, tk)
	log.InfoContext(r.Context(), "upload issued", "status", http.StatusOK, "key", tk.Key, "idcard", maskID(req.IDCard),
		"expires_at", tk.ExpiresAt, "latency_ms", msSince(start))
}

// refuseUpload answers a refused or failed POST /uploads as /verify
// answers the same error.
func (h *Handler) refuseUpload(w http.ResponseWriter, r *http.Request, log *slog.Logger, start time.Time, rid string, req upload.IssueRequest, err error) {
	a := fromError(err, rid)
	a.write(w)
	a.maskedID = maskID(req.IDCard)
	level := slog.LevelInfo
	if a.loud {
		level = slog.LevelError
	}
	log.Log(r.Context(), level, "upload refused", a.logAttrs(start)...)
}

// uploadResult answers GET /results/{key}: the stored result of an issued
// upload (masked personal data only), or 404 until there is one.
func (h *Handler) uploadResult(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rid := requestID(r.Context())
	log := h.opts.Logger.With("request_id", rid, "path", "/results/")
	if _, ok := h.authenticate(w, r, log, start); !ok {
		return
	}
	key := r.PathValue("key")
	body, err := h.opts.Uploads.Result(r.Context(), key)
	var ve *invalid.Error
	switch {
	case err == nil:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		w.Write(body)
		log.InfoContext(r.Context(), "upload result", "status", http.StatusOK, "key", mask.Key(key), "latency_ms", msSince(start))
		return
	case errors.As(err, &ve):
		a := fromError(err, rid)
		a.write(w)
		log.InfoContext(r.Context(), "upload result", a.logAttrs(start)...)
		return
	case errors.Is(err, upload.ErrNotFound):
		writeJSON(w, http.StatusNotFound, envelope{Msg: "结果尚未生成", Code: http.StatusNotFound, Data: struct{}{}, RequestID: rid,
			Error: &errorInfo{Kind: "not_found", Reason: "no_result", Message: "no result for this key yet; ask again after the upload"}})
		log.InfoContext(r.Context(), "upload result", "status", http.StatusNotFound, "key", mask.Key(key), "latency_ms", msSince(start))
		return
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(retryStore/time.Second)))
	writeJSON(w, http.StatusServiceUnavailable, envelope{Msg: "结果存储暂不可用", Code: http.StatusServiceUnavailable, Data: struct{}{},
		RequestID: rid, Error: &errorInfo{Kind: "store_unavailable", Message: "the result store could not be read; retry"}})
	log.ErrorContext(r.Context(), "upload result", "status", http.StatusServiceUnavailable, "key", mask.Key(key), "error", mask.Key(err.Error()),
		"latency_ms", msSince(start))
}

var errSizeType = invalid.New("size", "type", "必须是整数", "must be an integer number of bytes")

// uploadFields are the fields POST /uploads reads; others are ignored.
var uploadFields = map[string]bool{"name": true, "idcard": true, "content_type": true, "size": true}

// parseUploadRequest reads a POST /uploads body: one JSON object with
// string name, idcard and content_type and an integer size, each at most
// once. null is the same as leaving a field out.
func parseUploadRequest(r *http.Request) (upload.IssueRequest, error) {
	var req upload.IssueRequest
	body, err := readBody(r, maxUploadRequest)
	if err != nil {
		return req, err
	}
	if !opensObject(body) {
		return req, bodyErr("json", "必须是JSON对象", "body must be a JSON object")
	}
	if !utf8.ValidString(body) {
		return req, bodyErr("encoding", "包含非法UTF-8字符", "invalid UTF-8")
	}
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return req, errJSON
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return req, errJSON
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return req, errJSON
		}
		if !uploadFields[key] {
			continue
		}
		if seen[key] {
			return req, invalid.New(key, "duplicate", "重复出现", "duplicate JSON key")
		}
		seen[key] = true
		if bytes.Equal(raw, []byte("null")) {
			continue
		}
		if key == "size" {
			// json.Number would also take a number in quotes.
			var n json.Number
			if raw[0] == '"' || json.Unmarshal(raw, &n) != nil {
				return req, errSizeType
			}
			if req.Size, err = n.Int64(); err != nil {
				return req, errSizeType
			}
			continue
		}
		var s string
		switch {
		case json.Unmarshal(raw, &s) != nil:
			return req, invalid.New(key, "type", "必须是字符串", "must be a string")
		case strings.ContainsRune(s, 0):
			return req, invalid.New(key, "encoding", "包含非法字符", "invalid UTF-8 or NUL byte")
		case len(s) > maxFieldLen:
			return req, invalid.New(key, "too_long", "长度超过限制", "field too long")
		}
		switch key {
		case "name":
			req.Name = s
		case "idcard":
			req.IDCard = s
		case "content_type":
			req.ContentType = s
		}
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return req, errJSON
	}
	if _, err := dec.Token(); err != io.EOF {
		return req, bodyErr("json", "JSON后有多余内容", "trailing data after the JSON object")
	}
	return req, nil
}
