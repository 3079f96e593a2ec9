package cosstore_test

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"hash/crc64"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// fakeCOS implements the few COS object APIs the store uses — GET, HEAD,
// PUT and DELETE Object on one path-addressed bucket — keeping x-cos-meta-*
// headers as sent (gofakes3 drops them) and honouring
// x-cos-forbid-overwrite, checked and written under one lock.
type fakeCOS struct {
	mu      sync.Mutex
	objects map[string]fakeObject
	// ignoreForbid behaves like a bucket that once had versioning: the
	// no-overwrite header has no effect.
	ignoreForbid bool
	// lastToken and lastAuth are the credentials of the latest request.
	lastToken, lastAuth string
}

type fakeObject struct {
	body     []byte
	meta     http.Header
	etag     string
	modified time.Time
}

func newFakeCOS() *fakeCOS { return &fakeCOS{objects: map[string]fakeObject{}} }

func (f *fakeCOS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastToken, f.lastAuth = r.Header.Get("x-cos-security-token"), r.Header.Get("Authorization")
	if !strings.Contains(f.lastAuth, "q-sign-algorithm=sha1") {
		cosError(w, http.StatusForbidden, "AccessDenied")
		return
	}
	key := strings.TrimPrefix(r.URL.Path, "/")
	obj, exists := f.objects[key]
	switch r.Method {
	case http.MethodPut:
		body, err := io.ReadAll(r.Body)
		if err != nil {
			cosError(w, http.StatusBadRequest, "IncompleteBody")
			return
		}
		if exists && !f.ignoreForbid && strings.EqualFold(r.Header.Get("x-cos-forbid-overwrite"), "true") {
			cosError(w, http.StatusConflict, "FileAlreadyExists")
			return
		}
		meta := http.Header{}
		for k, v := range r.Header {
			if strings.HasPrefix(strings.ToLower(k), "x-cos-meta-") {
				meta[k] = v
			}
		}
		sum := md5.Sum(body)
		obj = fakeObject{body: body, meta: meta, etag: `"` + hex.EncodeToString(sum[:]) + `"`, modified: time.Now()}
		f.objects[key] = obj
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
		delete(f.objects, key)
		w.WriteHeader(http.StatusNoContent)
	default:
		cosError(w, http.StatusMethodNotAllowed, "MethodNotAllowed")
	}
}

// put stores an object as an uploader would have, with user metadata.
func (f *fakeCOS) put(key string, body []byte, meta map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := http.Header{}
	for k, v := range meta {
		h["X-Cos-Meta-"+k] = []string{v}
	}
	sum := md5.Sum(body)
	f.objects[key] = fakeObject{body: body, meta: h, etag: `"` + hex.EncodeToString(sum[:]) + `"`, modified: time.Now()}
}

func (f *fakeCOS) get(key string) ([]byte, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.objects[key]
	return o.body, ok
}

func (f *fakeCOS) keys(prefix string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for k := range f.objects {
		if strings.HasPrefix(k, prefix) {
			n++
		}
	}
	return n
}

func cosError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<?xml version='1.0' encoding='utf-8' ?><Error><Code>%s</Code><Message>%s</Message><RequestId>fake</RequestId></Error>", code, code)
}
