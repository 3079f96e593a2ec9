package upload

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/core/invalid"
)

// Presigner signs addresses that let a client without cloud credentials
// upload one object or read one. The S3 and COS stores implement it with
// their SDKs' presigning; nothing here computes a signature.
type Presigner interface {
	// PresignPut returns a PUT address for ref.Key valid for ttl whose
	// signature binds spec, and the headers the uploader must send with it,
	// spelt as signed (Host left out: every client sets it).
	PresignPut(ctx context.Context, ref Ref, spec PutSpec, ttl time.Duration) (string, http.Header, error)
	// PresignGet returns a GET address for ref.Key valid for ttl.
	PresignGet(ctx context.Context, ref Ref, ttl time.Duration) (string, error)
}

// PutSpec is what a presigned PUT binds.
type PutSpec struct {
	ContentType string
	// ContentLength, when positive, is the exact size the store accepts.
	ContentLength int64
	// Metadata: names without the x-amz-meta-/x-cos-meta- prefix, values
	// US-ASCII.
	Metadata map[string]string
}

// IssueConfig configures POST /uploads: which bucket it hands out
// addresses in, and for how long they are valid. The envconfig tags name
// the variables (FACEID_ + tag) package config reads.
type IssueConfig struct {
	// Bucket receives the uploads (FACEID_UPLOAD_BUCKET); setting it turns
	// the flow on. The pipeline must be triggered by this bucket.
	Bucket string `envconfig:"UPLOAD_BUCKET"`
	// Region of Bucket (FACEID_UPLOAD_REGION). S3: empty uses the client's
	// region; COS: empty uses the function's region.
	Region string `envconfig:"UPLOAD_REGION"`
	// URLTTL is how long an upload address is valid (FACEID_UPLOAD_URL_TTL).
	URLTTL time.Duration `envconfig:"UPLOAD_URL_TTL" default:"10m"`
	// ResultURLTTL is how long the result address is valid
	// (FACEID_RESULT_URL_TTL), counted from the request: long enough to
	// upload and then poll.
	ResultURLTTL time.Duration `envconfig:"RESULT_URL_TTL" default:"1h"`
}

// Defaults and bounds of IssueConfig.
const (
	DefaultUploadURLTTL = 10 * time.Minute
	DefaultResultURLTTL = time.Hour
	// MaxURLTTL is the longest a presigned address can be valid (SigV4's
	// limit, 7 days). Temporary role credentials end it sooner: a
	// presigned address stops working when the session that signed it
	// expires.
	MaxURLTTL = 7 * 24 * time.Hour
)

// WithDefaults returns c with unset durations at their defaults.
func (c IssueConfig) WithDefaults() IssueConfig {
	if c.URLTTL == 0 {
		c.URLTTL = DefaultUploadURLTTL
	}
	if c.ResultURLTTL == 0 {
		c.ResultURLTTL = DefaultResultURLTTL
	}
	return c
}

// Validate reports the first problem with a defaulted config.
func (c IssueConfig) Validate() error {
	key := func(k string) string { return core.EnvPrefix + "_" + k }
	switch {
	case c.Bucket == "":
		return &core.ConfigError{Key: key("UPLOAD_BUCKET"), Reason: "required"}
	case c.URLTTL < time.Second || c.URLTTL > MaxURLTTL:
		return &core.ConfigError{Key: key("UPLOAD_URL_TTL"), Reason: "must be between 1s and 168h"}
	case c.ResultURLTTL < c.URLTTL || c.ResultURLTTL > MaxURLTTL:
		return &core.ConfigError{Key: key("RESULT_URL_TTL"), Reason: "must be at least " + key("UPLOAD_URL_TTL") + " and at most 168h"}
	}
	return nil
}

// IssueRequest is a backend's request for an upload address.
type IssueRequest struct {
	Name   string
	IDCard string
	// ContentType of the photo: image/jpeg (the default), image/png or
	// image/bmp. The store stores it; the photo's bytes decide its format.
	ContentType string
	// Size, when positive, is the photo's exact size in bytes; stores that
	// enforce the signature then refuse any other. Zero leaves the size
	// bounded by the core's intake limit.
	Size int64
	// IdempotencyKey, when set, makes the key a function of it and of the
	// request's fields (keyed by the MAC key, so no one can guess it)
	// rather than random: a repeated request gets the same key, and since
	// a key is verified at most once, a retry cannot open a second paid
	// verification. Different fields under the same IdempotencyKey get
	// different keys.
	IdempotencyKey string
}

// Ticket is the answer to an IssueRequest. Its JSON is the POST /uploads
// answer.
type Ticket struct {
	Key           string            `json:"key"`
	UploadURL     string            `json:"upload_url"`
	UploadMethod  string            `json:"upload_method"`
	UploadHeaders map[string]string `json:"upload_headers"`
	ExpiresAt     time.Time         `json:"expires_at"`
	ResultKey     string            `json:"result_key"`
	ResultURL     string            `json:"result_url"`
}

// Issuer hands out presigned uploads and reads their results.
type Issuer struct {
	cfg     Config
	icfg    IssueConfig
	client  Caller
	presign Presigner
	store   Store
}

// NewIssuer builds an Issuer. cfg is the pipeline's configuration, whose
// prefixes and MAC key the uploads must match; it needs a MAC key.
func NewIssuer(cfg Config, icfg IssueConfig, client Caller, presign Presigner, store Store) (*Issuer, error) {
	if client == nil || presign == nil || store == nil {
		return nil, errors.New("upload: NewIssuer needs a client, a presigner and a store")
	}
	cfg, icfg = cfg.WithDefaults(), icfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.MACKey == "" {
		return nil, &core.ConfigError{Key: core.EnvPrefix + "_UPLOAD_MAC_KEY", Reason: "required when " + core.EnvPrefix + "_UPLOAD_BUCKET is set"}
	}
	if err := icfg.Validate(); err != nil {
		return nil, err
	}
	return &Issuer{cfg: cfg, icfg: icfg, client: client, presign: presign, store: store}, nil
}

// Config returns the issuer's effective configuration.
func (is *Issuer) Config() IssueConfig { return is.icfg }

// photoTypes are the content types an upload may declare, with the key's
// extension for each.
var photoTypes = map[string]string{"image/jpeg": ".jpg", "image/png": ".png", "image/bmp": ".bmp"}

// DefaultContentType is an upload's content type when the request names none.
const DefaultContentType = "image/jpeg"

// Issue checks the person exactly as a verification would (a request sure
// to fail costs no upload) and returns a fresh key and the addresses to
// upload to and to read the result from. Errors are *invalid.Error for
// bad input, reported to the core as avoided calls.
func (is *Issuer) Issue(ctx context.Context, req IssueRequest) (Ticket, error) {
	now := is.client.Now()
	checked, err := core.Request{Name: req.Name, IDCard: req.IDCard}.ValidatePerson(now)
	if err != nil {
		return Ticket{}, is.client.Reject(err)
	}
	ctype, err := contentType(req.ContentType)
	if err != nil {
		return Ticket{}, is.client.Reject(err)
	}
	intake := int64(is.client.Limits().Intake())
	t := ticket{expires: now.Add(is.icfg.URLTTL).Unix(), maxBytes: intake, contentType: ctype}
	switch {
	case req.Size < 0:
		return Ticket{}, is.client.Reject(invalid.New("size", "format", "必须是正整数", "size must be a positive number of bytes"))
	case req.Size > intake:
		return Ticket{}, is.client.Reject(errSize(intake))
	case req.Size > 0:
		t.maxBytes = req.Size
	}
	meta := map[string]string{MetaIDCard: checked.ID.String(), MetaName: url.QueryEscape(checked.Name)}
	id := newIssuedID()
	if req.IdempotencyKey != "" {
		id = is.derivedID(req.IdempotencyKey, meta[MetaIDCard], meta[MetaName], ctype, req.Size)
	}
	key := is.cfg.UploadPrefix + IssuedDir + id + photoTypes[ctype]
	t.mac = t.sign([]byte(is.cfg.MACKey.Reveal()), key, meta[MetaIDCard], meta[MetaName])
	meta[MetaTicket] = t.String()
	put, headers, err := is.presign.PresignPut(ctx, Ref{Bucket: is.icfg.Bucket, Region: is.icfg.Region, Key: key},
		PutSpec{ContentType: ctype, ContentLength: req.Size, Metadata: meta}, is.icfg.URLTTL)
	if err != nil {
		return Ticket{}, fmt.Errorf("upload: presign upload: %w", err)
	}
	resultRef := is.resultRef(key)
	get, err := is.presign.PresignGet(ctx, resultRef, is.icfg.ResultURLTTL)
	if err != nil {
		return Ticket{}, fmt.Errorf("upload: presign result: %w", err)
	}
	flat := make(map[string]string, len(headers))
	for k, v := range headers {
		if len(v) > 0 && !strings.EqualFold(k, "Host") {
			flat[k] = v[0]
		}
	}
	return Ticket{
		Key: key, UploadURL: put, UploadMethod: http.MethodPut, UploadHeaders: flat,
		ExpiresAt: time.Unix(t.expires, 0).UTC(), ResultKey: resultRef.Key, ResultURL: get,
	}, nil
}

// Result reads the result object of an issued key, as stored (masked
// personal data only). It returns ErrNotFound until the result exists, and
// an *invalid.Error on field "key" for a key the issuer does not hand out.
func (is *Issuer) Result(ctx context.Context, key string) ([]byte, error) {
	if !is.validKey(key) {
		return nil, invalid.New("key", "format", "不是上传接口签发的键", "not a key issued by POST /uploads")
	}
	body, _, err := is.store.Get(ctx, is.resultRef(key), maxDocBytes)
	if err != nil {
		return nil, fmt.Errorf("upload: read result: %w", err)
	}
	return body, nil
}

// resultRef is where the pipeline writes the result of an upload to key
// (newJob).
func (is *Issuer) resultRef(key string) Ref {
	bucket := is.cfg.ResultBucket
	if bucket == "" {
		bucket = is.icfg.Bucket
	}
	return Ref{Bucket: bucket, Region: is.icfg.Region, Key: is.cfg.ResultPrefix + key + ".json"}
}

// issuedIDLen is the length of newIssuedID's ids.
const issuedIDLen = 26

// newIssuedID is 128 random bits in lower-case base32: letters and the
// digits 2–7, so mask.Key, which masks long runs of digits, leaves the
// key readable in logs.
func newIssuedID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails since Go 1.24
	return issuedID(b)
}

func issuedID(b []byte) string {
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:16]))
}

// derivedID is the id of a repeatable request: an HMAC under the MAC key
// of the idempotency key and the fields, length-prefixed.
func (is *Issuer) derivedID(fields ...any) string {
	m := hmac.New(sha256.New, []byte(is.cfg.MACKey.Reveal()))
	for _, f := range append([]any{"faceid/issued-key/v1"}, fields...) {
		v := fmt.Sprint(f)
		m.Write(binary.AppendUvarint(nil, uint64(len(v))))
		m.Write([]byte(v))
	}
	return issuedID(m.Sum(nil))
}

// validKey accepts exactly the keys Issue hands out: nothing else can be
// read through Result.
func (is *Issuer) validKey(key string) bool {
	rest, ok := strings.CutPrefix(key, is.cfg.UploadPrefix+IssuedDir)
	if !ok || len(rest) <= issuedIDLen {
		return false
	}
	id, ext := rest[:issuedIDLen], rest[issuedIDLen:]
	for i := 0; i < len(id); i++ {
		if c := id[i]; !('a' <= c && c <= 'z' || '2' <= c && c <= '7') {
			return false
		}
	}
	for _, e := range photoTypes {
		if ext == e {
			return true
		}
	}
	return false
}

// contentType checks a declared content type: one of photoTypes, without
// parameters; empty means DefaultContentType.
func contentType(s string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return DefaultContentType, nil
	}
	mt, params, err := mime.ParseMediaType(s)
	if _, ok := photoTypes[mt]; err != nil || !ok || len(params) > 0 {
		return "", invalid.New("content_type", "unsupported", "仅支持image/jpeg、image/png或image/bmp",
			"content_type must be image/jpeg, image/png or image/bmp")
	}
	return mt, nil
}

func errSize(max int64) error {
	err := errTooLarge(int(max)).(*invalid.Error)
	return invalid.New("size", err.Reason, err.Detail, err.English)
}
