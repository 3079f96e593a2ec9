package deploy

import (
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/faceid-verify/faceid/state"
)

// scfConfig is the part of serverless.yml the scf component reads
// (serverless-components/tencent-scf, docs/configure.md).
type scfConfig struct {
	Component string `yaml:"component"`
	Name      string `yaml:"name"`
	Inputs    struct {
		Name        string `yaml:"name"`
		Type        string `yaml:"type"`
		Src         any    `yaml:"src"`
		Handler     string `yaml:"handler"`
		Runtime     string `yaml:"runtime"`
		Region      string `yaml:"region"`
		Timeout     int    `yaml:"timeout"`
		MemorySize  int    `yaml:"memorySize"`
		Role        string `yaml:"role"`
		Environment struct {
			Variables map[string]string `yaml:"variables"`
		} `yaml:"environment"`
		Events []map[string]struct {
			Parameters map[string]any `yaml:"parameters"`
		} `yaml:"events"`
	} `yaml:"inputs"`
}

func mustSCFConfig(t *testing.T) scfConfig {
	t.Helper()
	var c scfConfig
	dec := yaml.NewDecoder(strings.NewReader(string(mustRead(t, "serverless.yml"))))
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("serverless.yml: %v", err)
	}
	return c
}

func TestServerlessFunction(t *testing.T) {
	c := mustSCFConfig(t)
	in := c.Inputs
	for _, f := range []struct{ field, got, want string }{
		{"component", c.Component, "scf"},
		{"inputs.type", in.Type, "event"}, // the COS trigger needs an event function
		{"inputs.runtime", in.Runtime, "Go1"},
		{"inputs.handler", in.Handler, "main"},
	} {
		if f.got != f.want {
			t.Errorf("%s %q, want %q", f.field, f.got, f.want)
		}
	}
	if c.Name == "" || in.Region == "" || in.MemorySize == 0 {
		t.Errorf("name %q, inputs.region %q, inputs.memorySize %d: all must be set", c.Name, in.Region, in.MemorySize)
	}
	// src is the directory `make package` fills with the one binary.
	src, _ := in.Src.(map[string]any)
	if dir, _ := src["src"].(string); dir != "./dist/scf" {
		t.Errorf("inputs.src.src %v, want ./dist/scf (built by make package)", in.Src)
	}
	if recipe := makeRecipe(t, "package"); !strings.Contains(recipe, "-o $(DIST)/scf/main ./function/scf") ||
		makeVar(t, "DIST") != "dist" {
		t.Errorf("make package does not build $(DIST)/scf/main with DIST=dist:\n%s", recipe)
	}

	upstream, err := time.ParseDuration(in.Environment.Variables["FACEID_TIMEOUT"])
	if err != nil {
		t.Fatalf("FACEID_TIMEOUT: %v", err)
	}
	timeout := time.Duration(in.Timeout) * time.Second
	if timeout < upstream+5*time.Second || timeout > 900*time.Second {
		t.Errorf("inputs.timeout %v: want at least FACEID_TIMEOUT (%v) + 5 s, at most 900 s", timeout, upstream)
	}
	if upload.DefaultClaimTTL <= timeout {
		t.Errorf("claim TTL %v does not exceed the function timeout %v", upload.DefaultClaimTTL, timeout)
	}
}

var deployerEnv = regexp.MustCompile(`^\$\{env:[A-Z][A-Z0-9_]*\}$`)

func TestServerlessEnvironment(t *testing.T) {
	in := mustSCFConfig(t).Inputs
	vars := in.Environment.Variables
	checkEnv(t, "serverless.yml", vars, in.MemorySize)
	for name, v := range vars {
		for _, p := range []string{"SCF_", "QCLOUD_", "TENCENTCLOUD_"} {
			if strings.HasPrefix(name, p) {
				t.Errorf("%s uses the reserved prefix %s", name, p)
			}
		}
		secret := strings.Contains(name, "SECRET") || strings.Contains(name, "KEYS")
		if secret && v != "${env:"+name+"}" {
			t.Errorf("%s must come from the deployer's environment as ${env:%s}, not be written here", name, name)
		}
		if !secret && strings.Contains(v, "${") && !deployerEnv.MatchString(v) {
			t.Errorf("%s: %q is not a ${env:NAME} reference", name, v)
		}
	}
	// SCF allows 4 KB of variables per function; leave room for the values
	// that come from the deployer's environment.
	size := 0
	for name, v := range vars {
		size += len(name) + len(v)
	}
	if size > 2048 {
		t.Errorf("environment is %d bytes as written; SCF allows 4096 in all", size)
	}
}

func TestServerlessTriggers(t *testing.T) {
	c := mustSCFConfig(t)
	kinds := map[string]int{}
	for _, ev := range c.Inputs.Events {
		for kind, e := range ev {
			kinds[kind]++
			p := e.Parameters
			switch kind {
			case "http": // Function URL
				net, _ := p["netConfig"].(map[string]any)
				if net["enableExtranet"] != true {
					t.Error("http trigger: netConfig.enableExtranet must be true (the component defaults to false)")
				}
				if p["authType"] == nil {
					t.Error("http trigger: set authType deliberately")
				}
			case "cos":
				filter, _ := p["filter"].(map[string]any)
				if filter["prefix"] != uploadPrefix {
					t.Errorf("cos trigger: filter.prefix %v, want %s", filter["prefix"], uploadPrefix)
				}
				if p["events"] != "cos:ObjectCreated:*" {
					t.Errorf("cos trigger: events %v, want cos:ObjectCreated:*", p["events"])
				}
				if p["enable"] != true {
					t.Error("cos trigger: enable must be true (the component defaults to false)")
				}
				if b, _ := p["bucket"].(string); !strings.HasSuffix(b, ".cos."+c.Inputs.Region+".myqcloud.com") {
					t.Errorf("cos trigger: bucket %q is not a bucket in %s", b, c.Inputs.Region)
				}
			case "apigw":
				t.Error("apigw trigger: Tencent API Gateway is being shut down; use the Function URL (http)")
			default:
				t.Errorf("unexpected trigger %q", kind)
			}
		}
	}
	if kinds["http"] != 1 || kinds["cos"] != 1 {
		t.Errorf("triggers %v, want one http (Function URL) and one cos", kinds)
	}
}

// TestServerlessDescription holds inputs.description to SCF's rule for a
// function's Description, read conservatively: letters (Latin or Chinese),
// digits, spaces, commas and periods (ASCII or Chinese), at most 1000
// characters. The SCF API refuses anything else ("-", "(", ")"…), which
// fails the deploy.
func TestServerlessDescription(t *testing.T) {
	var c struct {
		Inputs struct {
			Description string `yaml:"description"`
		} `yaml:"inputs"`
	}
	if err := yaml.Unmarshal(mustRead(t, "serverless.yml"), &c); err != nil {
		t.Fatalf("serverless.yml: %v", err)
	}
	for _, r := range "-()_:;/!?（）" { // the rule itself can fail
		if scfDescriptionRune(r) {
			t.Errorf("%q passes the description rule", r)
		}
	}
	d := c.Inputs.Description
	if d == "" {
		t.Fatal("inputs.description is empty")
	}
	if n := utf8.RuneCountInString(d); n > 1000 {
		t.Errorf("inputs.description is %d characters, SCF allows 1000", n)
	}
	for i, r := range d {
		if !scfDescriptionRune(r) {
			t.Errorf("inputs.description: %q at byte %d is not allowed by SCF (letters, digits, spaces, , . ， 。)", r, i)
		}
	}
}

func scfDescriptionRune(r rune) bool {
	switch {
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		return true
	case r == ' ', r == ',', r == '.', r == '，', r == '。':
		return true
	}
	return unicode.Is(unicode.Han, r)
}

// The shared store is documented in serverless.yml as commented lines; once
// uncommented they must give a valid deployment: FACEID_STATE from the
// deployer's environment (the URL holds a password), an example that
// parses, and the VPC that TencentDB for Redis is reached through.
func TestServerlessSharedState(t *testing.T) {
	var lines []string
	example := ""
	for _, l := range strings.Split(string(mustRead(t, "serverless.yml")), "\n") {
		trimmed := strings.TrimLeft(l, " ")
		indent := l[:len(l)-len(trimmed)]
		switch {
		case strings.HasPrefix(trimmed, "# FACEID_STATE:"):
			v, ex, _ := strings.Cut(strings.TrimPrefix(trimmed, "# "), "# e.g. ")
			l, example = indent+strings.TrimSpace(v), strings.TrimSpace(ex)
		case strings.HasPrefix(trimmed, "# vpcConfig:"), strings.HasPrefix(trimmed, "#   vpcId:"),
			strings.HasPrefix(trimmed, "#   subnetId:"):
			l = indent + strings.Replace(trimmed, "# ", "", 1)
		}
		lines = append(lines, l)
	}
	var c struct {
		Inputs struct {
			VPC struct {
				VPCID    string `yaml:"vpcId"`
				SubnetID string `yaml:"subnetId"`
			} `yaml:"vpcConfig"`
			Environment struct {
				Variables map[string]string `yaml:"variables"`
			} `yaml:"environment"`
		} `yaml:"inputs"`
	}
	if err := yaml.Unmarshal([]byte(strings.Join(lines, "\n")), &c); err != nil {
		t.Fatalf("serverless.yml with the shared store uncommented: %v", err)
	}
	if got := c.Inputs.Environment.Variables["FACEID_STATE"]; got != "${env:FACEID_STATE}" {
		t.Errorf("FACEID_STATE, uncommented, is %q; want ${env:FACEID_STATE} (its URL holds a password)", got)
	}
	if cfg, err := state.Parse(example); err != nil || cfg.Kind != state.KindRedis {
		t.Errorf("the FACEID_STATE example %q is not a Redis URL: %v", example, err)
	}
	if !deployerEnv.MatchString(c.Inputs.VPC.VPCID) || !deployerEnv.MatchString(c.Inputs.VPC.SubnetID) {
		t.Errorf("vpcConfig, uncommented, is %+v; want vpcId and subnetId from the deployer's environment", c.Inputs.VPC)
	}
}
