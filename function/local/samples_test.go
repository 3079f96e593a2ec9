package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/internal/interop"
	"github.com/faceid-verify/faceid/internal/specsample"
	"github.com/faceid-verify/faceid/sandbox"
)

// TestSamplesSeeTheSameAnswers runs the product page's seven sample
// clients, read from the spec and changed only in URL, keys and body
// values, against the sandbox and against the function in drop-in mode,
// and holds the function to what each client shows from the sandbox: the
// same text, the same HTTP status where the client shows one, and the same
// answer (msg, success, code, data), modulo order numbers, request ids and
// the function's own added fields. Input the function rejects locally is
// worded more precisely than the seller words it; there the rejected field
// must be the same.
func TestSamplesSeeTheSameAnswers(t *testing.T) {
	spec, err := specsample.Load()
	if err != nil {
		t.Skipf("the samples cannot run: %v", err)
	}
	// Every sample and case signs with a key of its own: the samples sign
	// no body, so two of them in one second under one key would carry the
	// same signature, which drop-in mode takes for a replay.
	const id, secret = "app-id", "app-secret"
	keys := map[string]string{}
	var pairs []string
	for _, sample := range specsample.All {
		for i := range 8 {
			k := fmt.Sprintf("%s-%s-%d", id, sample.Name, i)
			keys[k] = secret
			pairs = append(pairs, k+":"+secret)
		}
	}
	fn, _, _ := startLocal(t, map[string]string{"FACEID_CLIENT_KEYS": strings.Join(pairs, ",")})
	sb := sandbox.New(sandbox.Config{Keys: keys})
	refSrv := httptest.NewServer(sb)
	t.Cleanup(func() { sb.Close(); refSrv.Close() })

	jpeg, err := os.ReadFile("../../testdata/photos/small-320x240.jpg")
	if err != nil {
		t.Fatal(err)
	}
	photo := base64.StdEncoding.EncodeToString(jpeg)
	code := func(c int) func(seen) bool { return func(s seen) bool { return s.answer != nil && s.answer.Code == c } }
	cases := []struct {
		name string
		v    specsample.Values
		// want checks what the client showed from the sandbox, so that
		// the comparison cannot pass with both sides failing alike.
		want func(seen) bool
		// only, when set, names the samples the case runs for: each run
		// of a JVM or a compiler costs a second or more.
		only []string
		// edit, when set, changes the sample beyond its values.
		edit func(string) string
	}{
		{name: "as printed", v: specsample.Values{SecretID: id, SecretKey: secret}, want: code(400)},
		{name: "same person", v: specsample.Values{SecretID: id, SecretKey: secret, IDCard: "110101199003070011", Name: "张三", Image: photo},
			want: func(s seen) bool { return s.answer != nil && s.answer.Code == 200 && s.answer.Data.Incorrect == 100 }},
		// The two samples that read a body only on a 2xx.
		{name: "seller refusal", v: specsample.Values{SecretID: id, SecretKey: secret, IDCard: "360102199306180149", Name: "沈六", Image: photo},
			want: code(404), only: []string{"python", "java"}},
		{name: "wrong key", v: specsample.Values{SecretID: id, SecretKey: "not-" + secret, IDCard: "110101199003070011", Name: "张三", Image: photo},
			want: func(s seen) bool {
				return s.answer != nil && s.answer.Message == "HMAC signature does not match" || strings.Contains(s.text, "403")
			}},
		// The curl sample's JSON ends in a comma, so the seller refuses
		// every call it makes; made valid, it is paid for on both sides
		// although curl calls it a form.
		{name: "JSON made valid", v: specsample.Values{SecretID: id, SecretKey: secret, IDCard: "110101199003070011", Name: "张三", Image: photo},
			want: func(s seen) bool { return s.answer != nil && s.answer.Code == 200 && s.answer.Data.Incorrect == 100 },
			only: []string{"curl"}, edit: func(src string) string { return strings.Replace(src, `"url":"",}'`, `"url":""}'`, 1) }},
	}
	if len(cases) > 8 {
		t.Fatal("more cases than keys per sample")
	}
	run := interop.NewRunner(t)
	for _, sample := range specsample.All {
		t.Run(sample.Name, func(t *testing.T) {
			if reason := interop.Available(sample.Name); reason != "" {
				t.Skipf("the %s sample cannot run: %s", sample.Name, reason)
			}
			t.Parallel()
			for i, tc := range cases {
				if tc.only != nil && !slices.Contains(tc.only, sample.Name) {
					continue
				}
				want := tc.want
				if sample.Name == "curl" && tc.edit == nil && tc.name != "wrong key" {
					// As printed, its body cannot be read.
					want = func(s seen) bool {
						return s.answer != nil && s.answer.Msg == "入参错误,请求体[body]格式错误"
					}
				}
				t.Run(tc.name, func(t *testing.T) {
					show := func(base string) (seen, interop.Output) {
						v := tc.v
						v.BaseURL, v.Now = base, time.Now()
						v.SecretID = fmt.Sprintf("%s-%s-%d", id, sample.Name, i)
						src, err := sample.Source(spec, v)
						if err != nil {
							t.Fatal(err)
						}
						if tc.edit != nil {
							edited := tc.edit(src)
							if edited == src {
								t.Fatal("the sample no longer has the text the case edits")
							}
							src = edited
						}
						out := run.Run(t, sample.Name, src)
						return observe(sample.Name, out, base), out
					}
					ref, refOut := show(refSrv.URL)
					got, gotOut := show(fn)
					if !want(ref) {
						t.Fatalf("the sandbox's answer is not the case's: %+v\n%s", ref, refOut)
					}
					if diff := ref.differs(got); diff != "" {
						t.Errorf("%s\nfrom the sandbox:\n%s\nfrom the function:\n%s", diff, refOut, gotOut)
					}
				})
			}
		})
	}
}

// upstreamAnswer holds the fields of an answer the upstream defines.
type upstreamAnswer struct {
	Msg     string `json:"msg"`
	Success bool   `json:"success"`
	Code    int    `json:"code"`
	Data    struct {
		OrderNo   string  `json:"order_no"`
		Score     float64 `json:"score"`
		Msg       string  `json:"msg"`
		Incorrect int     `json:"incorrect"`
	} `json:"data"`
	Message string `json:"message"` // the gateway's
	// Error is the function's own; its kind says a rejection was local.
	Error *struct {
		Kind string `json:"kind"`
	} `json:"error"`
}

// seen is what a client showed.
type seen struct {
	// text is stdout with base URLs and the answer's JSON replaced, and the
	// status line a client prints on stderr or in an exception.
	text   string
	answer *upstreamAnswer
	exit   int
}

var (
	// Not anchored: under load curl's progress meter, on the same stream,
	// can run into the status line.
	curlStatus   = regexp.MustCompile(`< (HTTP/\S+ \d{3}[^\r\n]*)`)
	pythonError  = regexp.MustCompile(`(?m)^urllib\.error\.HTTPError: .*$`)
	csharpHeader = regexp.MustCompile(`^[A-Za-z0-9-]+: `)
)

func observe(lang string, out interop.Output, base string) seen {
	stdout := interop.Normalize(out.Stdout, base)
	s := seen{exit: out.Exit}
	if i, j := strings.IndexByte(stdout, '{'), strings.LastIndexByte(stdout, '}'); i >= 0 && j > i {
		var a upstreamAnswer
		if json.Unmarshal([]byte(stdout[i:j+1]), &a) == nil {
			s.answer = &a
			stdout = stdout[:i] + "<answer>" + stdout[j+1:]
		}
	}
	var lines []string
	for n, line := range strings.Split(stdout, "\n") {
		// The C# sample prints every response header: dates, lengths and
		// ids differ by nature.
		if lang == "csharp" && n > 0 && csharpHeader.MatchString(line) {
			continue
		}
		if line = strings.TrimSpace(line); line != "" {
			lines = append(lines, line)
		}
	}
	switch lang {
	case "curl":
		lines = append(lines, curlStatus.FindAllString(out.Stderr, -1)...)
	case "python":
		lines = append(lines, pythonError.FindAllString(out.Stderr, -1)...)
	}
	s.text = strings.Join(lines, "\n")
	return s
}

// differs says how got, from the function, differs from s, from the sandbox.
func (s seen) differs(got seen) string {
	if s.text != got.text || s.exit != got.exit {
		return "the clients printed different things:\n" + s.text + "\n---\n" + got.text
	}
	if (s.answer == nil) != (got.answer == nil) {
		return "only one side printed an answer"
	}
	if s.answer == nil {
		return ""
	}
	a, b := *s.answer, *got.answer
	if (a.Data.OrderNo == "") != (b.Data.OrderNo == "") {
		return "only one side has an order number"
	}
	a.Data.OrderNo, b.Data.OrderNo, a.Error, b.Error = "", "", nil, nil
	if local := got.answer.Error != nil && got.answer.Error.Kind == "validation"; local && a.Code == 400 && b.Code == 400 {
		if fieldOf(a.Msg) == "" || fieldOf(a.Msg) != fieldOf(b.Msg) {
			return "the local rejection names another field: " + a.Msg + " / " + b.Msg
		}
		a.Msg = b.Msg
	}
	if a != b {
		return "different answers"
	}
	return ""
}

// fieldOf returns the bracketed field of a 400 message, "[idcard]".
func fieldOf(msg string) string {
	i, j := strings.IndexByte(msg, '['), strings.IndexByte(msg, ']')
	if i < 0 || j < i {
		return ""
	}
	return msg[i : j+1]
}
