// Package cosfake is an in-memory Tencent COS bucket for tests. It serves
// the few object APIs the repository uses — GET, HEAD, PUT and DELETE
// Object on one path-addressed bucket, signed in the Authorization header
// or presigned in the query. gofakes3 cannot stand in: it drops the
// x-cos-meta-* headers the upload pipeline reads its input from.
package cosfake

import (
	"crypto/md5"
	"encoding/hex"
	"hash/crc64"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Bucket is one fake bucket, an http.Handler. It keeps x-cos-meta-* headers
// as sent and honours x-cos-forbid-overwrite, checked and written under one
// lock as a bucket without versioning does.
type Bucket struct {
	// IgnoreForbid behaves like a bucket that once had versioning: the
	// no-overwrite header has no effect. Set it before serving.
	IgnoreForbid bool
	// SecretKeys, when set, makes the bucket check signatures as COS does
	// (signature.go): the key of the signing SecretId, the signed headers
	// and parameters, and the validity window. Without it only the
	// presence of a signature is checked. Set it before serving.
	SecretKeys map[string]string
	// Now is the clock for signature windows (nil: time.Now).
	Now func() time.Time

	mu        sync.Mutex
	objects   map[string]object
	lastToken string
	lastAuth  string
}

type object struct {
	body     []byte
	meta     http.Header
	etag     string
	modified time.Time
}

// New returns an empty bucket.
func New() *Bucket { return &Bucket{objects: map[string]object{}} }

func (b *Bucket) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lastToken, b.lastAuth = r.Header.Get("x-cos-security-token"), r.Header.Get("Authorization")
	if b.lastAuth == "" && r.URL.Query().Has("q-sign-algorithm") { // a presigned URL
		b.lastToken, b.lastAuth = r.URL.Query().Get("x-cos-security-token"), r.URL.RawQuery
	}
	if !strings.Contains(b.lastAuth, "q-sign-algorithm=sha1") {
		cosError(w, http.StatusForbidden, "AccessDenied")
		return
	}
	if b.SecretKeys != nil {
		if code := b.checkSignature(r); code != "" {
			cosError(w, http.StatusForbidden, code)
			return
		}
	}
	key := strings.TrimPrefix(r.URL.Path, "/")
	obj, exists := b.objects[key]
	switch r.Method {
	case http.MethodPut:
		body, err := io.ReadAll(r.Body)
		if err != nil {
			cosError(w, http.StatusBadRequest, "IncompleteBody")
			return
		}
		if exists && !b.IgnoreForbid && strings.EqualFold(r.Header.Get("x-cos-forbid-overwrite"), "true") {
			cosError(w, http.StatusConflict, "FileAlreadyExists")
			return
		}
		meta := http.Header{}
		for k, v := range r.Header {
			if strings.HasPrefix(strings.ToLower(k), "x-cos-meta-") || k == "Content-Type" {
				meta[k] = v
			}
		}
		obj = newObject(body, meta)
		b.objects[key] = obj
		w.Header().Set("ETag", obj.etag)
		// The SDK checks uploads against this header (Conf.EnableCRC).
		w.Header().Set("x-cos-hash-crc64ecma", strconv.FormatUint(crc64.Checksum(body, crc64.MakeTable(crc64.ECMA)), 10))
	case http.MethodGet, http.MethodHead:
		if !exists {
			cosError(w, http.StatusNotFound, "NoSuchKey")
			return
		}
		for k, v := range obj.meta {
			w.Header()[k] = v
		}
		w.Header().Set("ETag", obj.etag)
		w.Header().Set("Last-Modified", obj.modified.UTC().Format(http.TimeFormat))
		w.Header().Set("Content-Length", strconv.Itoa(len(obj.body)))
		if r.Method == http.MethodGet {
			w.Write(obj.body)
		}
	case http.MethodDelete:
		delete(b.objects, key)
		w.WriteHeader(http.StatusNoContent)
	default:
		cosError(w, http.StatusMethodNotAllowed, "MethodNotAllowed")
	}
}

// Put stores an object as an uploader would have, with user metadata; each
// meta key k is sent back as the header X-Cos-Meta-<k>, as written.
func (b *Bucket) Put(key string, body []byte, meta map[string]string) {
	h := http.Header{}
	for k, v := range meta {
		h["X-Cos-Meta-"+k] = []string{v}
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.objects[key] = newObject(body, h)
}

// Get returns the body stored under key and whether there is one.
func (b *Bucket) Get(key string) ([]byte, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	o, ok := b.objects[key]
	return o.body, ok
}

// Keys lists the stored keys under prefix, sorted.
func (b *Bucket) Keys(prefix string) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for k := range b.objects {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// LastCredentials returns the x-cos-security-token and Authorization
// headers of the latest request, so tests can see how it was signed.
func (b *Bucket) LastCredentials() (token, auth string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.lastToken, b.lastAuth
}

func newObject(body []byte, meta http.Header) object {
	sum := md5.Sum(body)
	return object{body: body, meta: meta, etag: `"` + hex.EncodeToString(sum[:]) + `"`, modified: time.Now()}
}

// cosError writes an error as COS does, an XML body the SDK decodes.
func cosError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	io.WriteString(w, "<?xml version='1.0' encoding='utf-8' ?><Error><Code>"+code+"</Code><Message>"+code+
		"</Message><RequestId>fake</RequestId></Error>")
}
