package main

import (
	"crypto/md5"
	"encoding/hex"
	"hash/crc64"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// fakeCOS serves the COS object APIs cosstore uses (GET, HEAD, PUT,
// DELETE) for one path-addressed bucket. Unlike gofakes3 it keeps
// x-cos-meta-* headers, and it honours x-cos-forbid-overwrite under one
// lock, as a bucket without versioning does.
type fakeCOS struct {
	mu      sync.Mutex
	objects map[string]fakeObject
}

type fakeObject struct {
	body []byte
	meta http.Header
	etag string
}

func newFakeCOS() *fakeCOS { return &fakeCOS{objects: map[string]fakeObject{}} }

func (f *fakeCOS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !strings.Contains(r.Header.Get("Authorization"), "q-sign-algorithm=sha1") {
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
		if exists && strings.EqualFold(r.Header.Get("x-cos-forbid-overwrite"), "true") {
			cosError(w, http.StatusConflict, "FileAlreadyExists")
			return
		}
		meta := http.Header{}
		for k, v := range r.Header {
			if strings.HasPrefix(strings.ToLower(k), "x-cos-meta-") {
				meta[k] = v
			}
		}
		f.objects[key] = fakeObject{body: body, meta: meta, etag: etag(body)}
		w.Header().Set("ETag", etag(body))
		// The SDK checks uploads against this header.
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

// put stores an object as an uploader would, with user metadata.
func (f *fakeCOS) put(key string, body []byte, meta map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := http.Header{}
	for k, v := range meta {
		h["X-Cos-Meta-"+k] = []string{v}
	}
	f.objects[key] = fakeObject{body: body, meta: h, etag: etag(body)}
}

// keys lists the stored keys under prefix.
func (f *fakeCOS) keys(prefix string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for k := range f.objects {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	return out
}

func (f *fakeCOS) get(key string) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.objects[key].body
}

func etag(b []byte) string {
	sum := md5.Sum(b)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

func cosError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	io.WriteString(w, "<?xml version='1.0' encoding='utf-8' ?><Error><Code>"+code+"</Code><Message>"+code+
		"</Message><RequestId>fake</RequestId></Error>")
}
