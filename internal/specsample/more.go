package specsample

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Sample is one of the page's seven clients.
type Sample struct {
	// Name is the language: python, curl, php, node, go, csharp, java.
	Name string
	// Source returns the client with v substituted.
	Source func(spec string, v Values) (string, error)
}

// All are the page's clients in the order it prints them.
var All = []Sample{
	{"python", Python}, {"curl", Curl}, {"php", PHP}, {"node", Node},
	{"go", Go}, {"csharp", CSharp}, {"java", Java},
}

// PHP returns the page's PHP client with v substituted.
func PHP(spec string, v Values) (string, error) {
	s, err := cut(spec, "<?php", "\n/**\n * npm install")
	if err != nil {
		return "", fmt.Errorf("php sample: %w", err)
	}
	return substitute(s, v, "\n$url = '", "'", [][2]string{
		{`$secretId = 'xxxx';`, `$secretId = '` + v.SecretID + `';`},
		{`$secretKey = 'xxxx';`, `$secretKey = '` + v.SecretKey + `';`},
		{`'idcard' => '',`, `'idcard' => '` + v.IDCard + `',`},
		{`'name' => '',`, `'name' => '` + v.Name + `',`},
		{`'image' => '',`, `'image' => '` + v.Image + `',`},
	})
}

// Node returns the page's Node client with v substituted. It needs the
// npm packages crypto-js and request, as its comment says.
func Node(spec string, v Values) (string, error) {
	s, err := cut(spec, "/**\n * npm install crypto-js request", "\npackage main")
	if err != nil {
		return "", fmt.Errorf("node sample: %w", err)
	}
	return substitute(s, v, "\nvar url = '", "'", [][2]string{
		{`var secretId = "xxx";`, `var secretId = "` + v.SecretID + `";`},
		{`var secretKey = "xxx";`, `var secretKey = "` + v.SecretKey + `";`},
		{`'idcard': '',`, `'idcard': '` + v.IDCard + `',`},
		{`'name': '',`, `'name': '` + v.Name + `',`},
		{`'image': '',`, `'image': '` + v.Image + `',`},
	})
}

// CSharp returns the page's C# client with v substituted. Its body is a
// literal form, so the values go in form-encoded.
func CSharp(spec string, v Values) (string, error) {
	s, err := cut(spec, "using System.IO;", "\nimport java.io.BufferedReader;")
	if err != nil {
		return "", fmt.Errorf("c# sample: %w", err)
	}
	q := url.QueryEscape
	return substitute(s, v, "\n        String url = \"", "\"", [][2]string{
		{`String secretId = "xxxx";`, `String secretId = "` + v.SecretID + `";`},
		{`String secretKey = "xxxx";`, `String secretKey = "` + v.SecretKey + `";`},
		{`String postData = "idcard=&image=&name=&url=";`,
			`String postData = "idcard=` + q(v.IDCard) + `&image=` + q(v.Image) + `&name=` + q(v.Name) + `&url=";`},
	})
}

// Java returns the page's Java client with v substituted. It uses
// sun.misc.BASE64Encoder, which Java 9 removed: running it on a current
// JDK needs that class supplied (see the tests that run it).
func Java(spec string, v Values) (string, error) {
	s, err := cut(spec, "import java.io.BufferedReader;", "\n\n正常返回示例")
	if err != nil {
		return "", fmt.Errorf("java sample: %w", err)
	}
	return substitute(s, v, "\n        String url = \"", "\"", [][2]string{
		{`String secretId = "xxxx";`, `String secretId = "` + v.SecretID + `";`},
		{`String secretKey = "xxxx";`, `String secretKey = "` + v.SecretKey + `";`},
		{`bodyParams.put("idcard", "");`, `bodyParams.put("idcard", "` + v.IDCard + `");`},
		{`bodyParams.put("name", "");`, `bodyParams.put("name", "` + v.Name + `");`},
		{`bodyParams.put("image", "");`, `bodyParams.put("image", "` + v.Image + `");`},
	})
}

// Curl returns the page's curl command with v substituted. The command
// carries a fixed Date and a precomputed signature, so changing the keys
// means signing its "date: …\nsource: …" again with v's key, over v.Now
// when set, as the page's note under the command asks. The Host header
// follows the URL. Its body is JSON with a trailing comma, as
// printed; it is left so.
func Curl(spec string, v Values) (string, error) {
	s, err := cut(spec, "curl -v -X POST ", "\n//请用云市场")
	if err != nil {
		return "", fmt.Errorf("curl sample: %w", err)
	}
	s = strings.TrimSuffix(s, "\n")
	date, err := between(s, "-H 'Date:", "'")
	if err != nil {
		return "", fmt.Errorf("curl sample: %w", err)
	}
	source, err := between(s, "-H 'Source:", "'")
	if err != nil {
		return "", fmt.Errorf("curl sample: %w", err)
	}
	auth, err := between(s, "-H 'Authorization:", "'")
	if err != nil {
		return "", fmt.Errorf("curl sample: %w", err)
	}
	oldID, err := between(auth, `id = "`, `"`)
	if err != nil {
		return "", fmt.Errorf("curl sample: %w", err)
	}
	// The signature is last and bare.
	_, oldSig, _ := strings.Cut(auth, "signature = ")
	if oldSig == "" || strings.ContainsAny(oldSig, ` ",`) {
		return "", errors.New("curl sample: bare signature not found at the end of Authorization")
	}
	host, err := between(s, "-H 'Host:", "'")
	if err != nil {
		return "", fmt.Errorf("curl sample: %w", err)
	}
	base, err := url.Parse(v.BaseURL)
	if err != nil {
		return "", fmt.Errorf("curl sample: base url: %w", err)
	}
	if !v.Now.IsZero() {
		now := v.Now.UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT")
		s = strings.Replace(s, "-H 'Date:"+date+"'", "-H 'Date:"+now+"'", 1)
		date = now
	}
	mac := hmac.New(sha1.New, []byte(v.SecretKey))
	mac.Write([]byte("date: " + date + "\nsource: " + source))
	sig := base64.StdEncoding.EncodeToString(mac.Sum(nil))
	newAuth := strings.Replace(strings.Replace(auth, oldID, v.SecretID, 1), "signature = "+oldSig, "signature = "+sig, 1)
	s = strings.Replace(s, "-H 'Host:"+host+"'", "-H 'Host:"+base.Host+"'", 1)
	s = strings.Replace(s, "-H 'Authorization:"+auth+"'", "-H 'Authorization:"+newAuth+"'", 1)
	return substitute(s, v, "curl -v -X POST ", " ", [][2]string{
		{`"idcard":""`, `"idcard":"` + v.IDCard + `"`},
		{`"name":""`, `"name":"` + v.Name + `"`},
		{`"image":""`, `"image":"` + v.Image + `"`},
	})
}

// between returns the text after the first from and before the next to.
func between(s, from, to string) (string, error) {
	i := strings.Index(s, from)
	if i < 0 {
		return "", fmt.Errorf("%q not found", from)
	}
	rest := s[i+len(from):]
	j := strings.Index(rest, to)
	if j < 0 {
		return "", fmt.Errorf("%q not closed", from)
	}
	return rest[:j], nil
}
