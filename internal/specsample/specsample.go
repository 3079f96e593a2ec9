// Package specsample reads the sample clients printed on the API's product
// page (../shared/spec/face_id_card_api.txt beside the repository) so that
// interoperability tests and benchmarks run them as published, changed only
// in URL, keys and body values. Nothing of the samples is kept in this
// repository: they are read at test time, and callers skip when the spec
// is absent.
package specsample

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ErrNoSpec means the product page is not beside the repository.
var ErrNoSpec = errors.New("specsample: ../shared/spec/face_id_card_api.txt not found beside the repository")

// Load finds the product page by walking up from the working directory to
// the repository root (the directory with go.mod) and looking beside it.
func Load() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			b, err := os.ReadFile(filepath.Join(dir, "..", "shared", "spec", "face_id_card_api.txt"))
			if err != nil {
				return "", ErrNoSpec
			}
			return string(b), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ErrNoSpec
		}
		dir = parent
	}
}

// Values are what a test may change in a sample.
type Values struct {
	// BaseURL replaces scheme and host of the sample's URL; its path stays.
	BaseURL             string
	SecretID, SecretKey string
	IDCard, Name, Image string
	// Now, when set, is the date a sample that prints a fixed one sends
	// instead: the curl sample's Date, which the page says is to be the
	// current GMT time.
	Now time.Time
}

// Python returns the page's Python client with v substituted.
func Python(spec string, v Values) (string, error) {
	s, err := cut(spec, "# -*- coding: utf-8 -*-", "\ncurl -v")
	if err != nil {
		return "", fmt.Errorf("python sample: %w", err)
	}
	return substitute(s, v, "\nurl = '", "'", [][2]string{
		{`secretId = "xxxx"`, `secretId = "` + v.SecretID + `"`},
		{`secretKey = "xxxx"`, `secretKey = "` + v.SecretKey + `"`},
		{`'idcard': ''`, `'idcard': '` + v.IDCard + `'`},
		{`'name': ''`, `'name': '` + v.Name + `'`},
		{`'image': ''`, `'image': '` + v.Image + `'`},
	})
}

// Go returns the page's Go client with v substituted.
func Go(spec string, v Values) (string, error) {
	s, err := cut(spec, "package main\n", "\nusing System.IO;")
	if err != nil {
		return "", fmt.Errorf("go sample: %w", err)
	}
	return substitute(s, v, "\n    url := \"", "\"", [][2]string{
		{`secretId := "xxxx"`, `secretId := "` + v.SecretID + `"`},
		{`secretKey := "xxxx"`, `secretKey := "` + v.SecretKey + `"`},
		{`bodyParams["idcard"] = ""`, `bodyParams["idcard"] = "` + v.IDCard + `"`},
		{`bodyParams["name"] = ""`, `bodyParams["name"] = "` + v.Name + `"`},
		{`bodyParams["image"] = ""`, `bodyParams["image"] = "` + v.Image + `"`},
	})
}

func cut(spec, from, to string) (string, error) {
	i := strings.Index(spec, from)
	if i < 0 {
		return "", fmt.Errorf("start %q not found", from)
	}
	j := strings.Index(spec[i:], to)
	if j < 0 {
		return "", fmt.Errorf("end %q not found", to)
	}
	return spec[i : i+j+1], nil
}

// substitute swaps the URL's scheme and host and each exact snippet once,
// failing if the sample no longer has the expected shape.
func substitute(s string, v Values, urlPrefix, quote string, swaps [][2]string) (string, error) {
	i := strings.Index(s, urlPrefix)
	if i < 0 {
		return "", fmt.Errorf("url line %q not found", urlPrefix)
	}
	rest := s[i+len(urlPrefix):]
	j := strings.Index(rest, quote)
	if j < 0 {
		return "", errors.New("url line not closed")
	}
	u, err := url.Parse(rest[:j])
	if err != nil {
		return "", fmt.Errorf("sample url: %w", err)
	}
	s = s[:i+len(urlPrefix)] + strings.TrimRight(v.BaseURL, "/") + u.Path + rest[j:]
	for _, sw := range swaps {
		if n := strings.Count(s, sw[0]); n != 1 {
			return "", fmt.Errorf("%q occurs %d times, want once", sw[0], n)
		}
		s = strings.Replace(s, sw[0], sw[1], 1)
	}
	return s, nil
}
