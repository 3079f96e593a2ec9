package config

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/adapters/upload"
	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/core/hmacauth"
	"github.com/faceid-verify/faceid/internal/cleanenv"
	"github.com/faceid-verify/faceid/state"
)

// setEnv clears every FACEID_* variable for the test, then sets env.
func setEnv(t *testing.T, env map[string]string) {
	t.Helper()
	cleanenv.Set(t, env, core.EnvPrefix+"_")
}

// withKeys is env plus a key pair, which Load requires.
func withKeys(env map[string]string) map[string]string {
	out := map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "sk-98765"}
	for k, v := range env {
		out[k] = v
	}
	return out
}

// TestCore: the client's settings, as core.Config takes them.
func TestCore(t *testing.T) {
	keyFile := filepath.Join(t.TempDir(), "key")
	os.WriteFile(keyFile, []byte("file-secret\n"), 0o600)
	tests := []struct {
		name    string
		env     map[string]string
		wantKey string // the ConfigError key, "" for success
		check   func(core.Config) bool
	}{
		{"defaults", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "sk-98765"}, "", func(c core.Config) bool {
			return c.Endpoint == core.DefaultEndpoint && c.Source == "market" && c.Signature == "auto" &&
				c.SignatureVariant() == hmacauth.XDate &&
				c.MaxImageBytes == 3<<20 && c.SameThreshold == 0.45 && c.UncertainThreshold == 0.40
		}},
		{"overrides", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "sk-98765", "FACEID_TIMEOUT": "2s",
			"FACEID_SIGNED_HEADERS": "date", "FACEID_ENDPOINT": "http://127.0.0.1:8081/release/face_id_card/post"}, "",
			func(c core.Config) bool {
				return c.Timeout == 2*time.Second && c.Signature == "date" && c.SignatureVariant() == hmacauth.Date
			}},
		{"auto on the new gateway", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "sk-98765",
			"FACEID_ENDPOINT": "https://ap-shanghai.cloudmarket-apigw.com/service-abcd1234/face_id_card/post"}, "",
			func(c core.Config) bool { return c.Signature == "auto" && c.SignatureVariant() == hmacauth.CloudMarket }},
		{"signature set", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "sk-98765", "FACEID_SIGNATURE": "cloudmarket"}, "",
			func(c core.Config) bool { return c.SignatureVariant() == hmacauth.CloudMarket }},
		{"old and new name agree", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "sk-98765",
			"FACEID_SIGNATURE": "x-date", "FACEID_SIGNED_HEADERS": "x-date"}, "",
			func(c core.Config) bool { return c.SignatureVariant() == hmacauth.XDate }},
		{"old and new name disagree", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "sk-98765",
			"FACEID_SIGNATURE": "cloudmarket", "FACEID_SIGNED_HEADERS": "x-date"}, "FACEID_SIGNED_HEADERS", nil},
		{"bad signature", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "sk-98765", "FACEID_SIGNATURE": "hmac"}, "FACEID_SIGNATURE", nil},
		{"signature is case-sensitive", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "sk-98765", "FACEID_SIGNATURE": "CloudMarket"}, "FACEID_SIGNATURE", nil},
		{"key from file", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY_FILE": keyFile}, "",
			func(c core.Config) bool { return c.SecretKey.Reveal() == "file-secret" }},
		{"missing id", map[string]string{"FACEID_SECRET_KEY": "sk-98765"}, "FACEID_SECRET_ID", nil},
		{"set but empty key", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": ""}, "FACEID_SECRET_KEY", nil},
		{"set but blank id", map[string]string{"FACEID_SECRET_ID": "  ", "FACEID_SECRET_KEY": "sk-98765"}, "FACEID_SECRET_ID", nil},
		{"both key and file", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "sk-98765", "FACEID_SECRET_KEY_FILE": keyFile}, "FACEID_SECRET_KEY_FILE", nil},
		{"unreadable file", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY_FILE": keyFile + ".none"}, "FACEID_SECRET_KEY_FILE", nil},
		{"plain http off loopback", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "sk-98765", "FACEID_ENDPOINT": "http://example.com/x"}, "FACEID_ENDPOINT", nil},
		{"bad variant", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "sk-98765", "FACEID_SIGNED_HEADERS": "x-source"}, "FACEID_SIGNED_HEADERS", nil},
		{"bad duration", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "sk-98765", "FACEID_TIMEOUT": "soon"}, "FACEID_TIMEOUT", nil},
		{"thresholds out of order", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "sk-98765", "FACEID_UNCERTAIN_THRESHOLD": "0.5"}, "FACEID_SAME_THRESHOLD", nil},
		{"decode memory", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "sk-98765", "FACEID_DECODE_MEMORY": "67108864", "FACEID_DECODE_WAIT": "2s"}, "",
			func(c core.Config) bool { return c.DecodeMemory == 64<<20 && c.DecodeWait == 2*time.Second }},
		{"decode memory in MiB by mistake", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "sk-98765", "FACEID_DECODE_MEMORY": "64"}, "FACEID_DECODE_MEMORY", nil},
		{"decode memory with a unit", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "sk-98765", "FACEID_DECODE_MEMORY": "64MiB"}, "FACEID_DECODE_MEMORY", nil},
		{"negative decode wait", map[string]string{"FACEID_SECRET_ID": "id", "FACEID_SECRET_KEY": "sk-98765", "FACEID_DECODE_WAIT": "-1s"}, "FACEID_DECODE_WAIT", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			setEnv(t, tc.env)
			s, err := Load()
			if tc.wantKey == "" {
				if err != nil || !tc.check(s.Core) {
					t.Fatalf("Load = %+v, %v", s.Core, err)
				}
				return
			}
			var ce *core.ConfigError
			if !errors.As(err, &ce) || ce.Key != tc.wantKey {
				t.Fatalf("Load err = %v, want a ConfigError for %s", err, tc.wantKey)
			}
			if v := tc.env["FACEID_SECRET_KEY"]; v != "" && strings.Contains(err.Error(), v) {
				t.Fatalf("error shows the secret: %v", err)
			}
		})
	}
}

// TestParts: every other part's piece, read from its variables and held
// to its rules.
func TestParts(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantKey string // the ConfigError key, "" for success
		check   func(Settings) bool
	}{
		{"defaults", nil, "", func(s Settings) bool {
			return s.Upload == upload.Config{UploadPrefix: "uploads/", ResultPrefix: "results/", ClaimPrefix: "results/.claims/", ClaimTTL: 90 * time.Second} &&
				s.DropIn.ClientKeys == nil && !s.DropIn.LenientDate && s.COS == COS{} && s.State.Kind == state.KindMemory &&
				s.Server == Server{Addr: "127.0.0.1:9000", ReadTimeout: 15 * time.Second, IdleTimeout: time.Minute, MaxConcurrent: 16,
					S3Addr: "127.0.0.1:9001"} &&
				!s.EndpointSet
		}},
		{"upload, all set", map[string]string{
			"FACEID_UPLOAD_PREFIX": "in/", "FACEID_RESULT_PREFIX": "out/", "FACEID_RESULT_BUCKET": "res-1250000000",
			"FACEID_CLAIM_PREFIX": "claims/", "FACEID_DELETE_SOURCE": "true", "FACEID_CLAIM_TTL": "3m",
		}, "", func(s Settings) bool {
			return s.Upload == upload.Config{UploadPrefix: "in/", ResultPrefix: "out/", ResultBucket: "res-1250000000",
				ClaimPrefix: "claims/", DeleteSource: true, ClaimTTL: 3 * time.Minute}
		}},
		{"upload, empty prefix", map[string]string{"FACEID_UPLOAD_PREFIX": ""}, "FACEID_UPLOAD_PREFIX", nil},
		{"upload, empty result bucket", map[string]string{"FACEID_RESULT_BUCKET": ""}, "FACEID_RESULT_BUCKET", nil},
		{"upload, bad bool", map[string]string{"FACEID_DELETE_SOURCE": "sure"}, "FACEID_DELETE_SOURCE", nil},
		{"upload, bad duration", map[string]string{"FACEID_CLAIM_TTL": "soon"}, "FACEID_CLAIM_TTL", nil},
		{"upload, results under uploads", map[string]string{"FACEID_RESULT_PREFIX": "uploads/results/"}, "FACEID_RESULT_PREFIX", nil},

		{"drop-in keys", map[string]string{"FACEID_CLIENT_KEYS": "a:s1,b:s2", "FACEID_LENIENT_DATE": "true"}, "", func(s Settings) bool {
			return len(s.DropIn.ClientKeys) == 2 && s.DropIn.ClientKeys["b"] == "s2" && s.DropIn.LenientDate
		}},
		{"drop-in keys set but empty", map[string]string{"FACEID_CLIENT_KEYS": ""}, "FACEID_CLIENT_KEYS", nil},
		{"drop-in keys unresolved", map[string]string{"FACEID_CLIENT_KEYS": "${env:FACEID_CLIENT_KEYS}"}, "FACEID_CLIENT_KEYS", nil},
		{"lenient date not a bool", map[string]string{"FACEID_LENIENT_DATE": "sometimes"}, "FACEID_LENIENT_DATE", nil},

		{"state", map[string]string{"FACEID_STATE": "dynamodb://faceid-state"}, "", func(s Settings) bool {
			return s.State.Kind == state.KindDynamoDB && s.State.Table == "faceid-state"
		}},
		{"state unknown", map[string]string{"FACEID_STATE": "memcached://h"}, "FACEID_STATE", nil},
		{"state with a password, refused", map[string]string{"FACEID_STATE": "redis://:s3cret@h/x"}, "FACEID_STATE", nil},

		{"COS base URL", map[string]string{"FACEID_COS_BASE_URL": "http://127.0.0.1:9100"}, "", func(s Settings) bool {
			return s.COS.BaseURL == "http://127.0.0.1:9100"
		}},
		{"COS base URL, plain http to a remote host", map[string]string{"FACEID_COS_BASE_URL": "http://cos.example.com"}, "FACEID_COS_BASE_URL", nil},
		{"COS base URL with a path", map[string]string{"FACEID_COS_BASE_URL": "https://cos.example.com/bucket"}, "FACEID_COS_BASE_URL", nil},

		{"server", map[string]string{"FACEID_ADDR": "127.0.0.1:0", "FACEID_MAX_CONCURRENT": "2", "FACEID_ALLOWED_HOSTS": "app"}, "", func(s Settings) bool {
			return s.Server.Addr == "127.0.0.1:0" && s.Server.MaxConcurrent == 2 && s.Server.AllowedHosts == "app"
		}},
		{"server, zero read timeout", map[string]string{"FACEID_READ_TIMEOUT": "0s"}, "FACEID_READ_TIMEOUT", nil},
		{"server, blank address", map[string]string{"FACEID_ADDR": " "}, "FACEID_ADDR", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			setEnv(t, withKeys(tc.env))
			s, err := Load()
			if tc.wantKey == "" {
				if err != nil || !tc.check(s) {
					t.Fatalf("Load = %+v, %v", s, err)
				}
				return
			}
			var ce *core.ConfigError
			if !errors.As(err, &ce) || ce.Key != tc.wantKey {
				t.Fatalf("Load err = %v, want a ConfigError for %s", err, tc.wantKey)
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Fatalf("the error shows a secret: %v", err)
			}
		})
	}
}

// TestSetButEmpty: one rule for every variable the loader reads: set but
// blank is an error naming it, never "unset".
func TestSetButEmpty(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			setEnv(t, withKeys(map[string]string{name: " "}))
			_, err := Load()
			var ce *core.ConfigError
			if !errors.As(err, &ce) || ce.Key != name || !strings.Contains(ce.Reason, "set but empty") {
				t.Fatalf("Load = %v, want %s is set but empty", err, name)
			}
		})
	}
}

// TestNamesAreComplete: every field of a part is read under a name Names
// lists (or is filled by the loader itself), so the list the deploy tests
// check the deploy files against is the list the loader reads.
func TestNamesAreComplete(t *testing.T) {
	var s Settings
	names := Names()
	for _, part := range s.parts() {
		rt := reflect.TypeOf(part).Elem()
		for i := range rt.NumField() {
			f := rt.Field(i)
			tag := f.Tag.Get("envconfig")
			switch {
			case f.Tag.Get("ignored") == "true":
			case tag == "":
				t.Errorf("%s.%s has no envconfig tag: envconfig would read it as %s_%s", rt, f.Name, core.EnvPrefix, strings.ToUpper(f.Name))
			case !slices.Contains(names, core.EnvPrefix+"_"+tag):
				t.Errorf("%s.%s (%s) is missing from Names", rt, f.Name, tag)
			}
		}
	}
	for _, want := range []string{"FACEID_SECRET_ID", "FACEID_CLIENT_KEYS", "FACEID_STATE", "FACEID_UPLOAD_PREFIX", "FACEID_COS_BASE_URL", "FACEID_ADDR"} {
		if !slices.Contains(names, want) {
			t.Errorf("Names() lacks %s", want)
		}
	}
}

// TestLoadLocal: the local server's sandbox brings its own endpoint and
// key pair, so without FACEID_ENDPOINT none is required; with one, the
// key pair is, as for the cloud functions.
func TestLoadLocal(t *testing.T) {
	setEnv(t, nil)
	if s, err := LoadLocal(); err != nil || s.EndpointSet || s.Core.Endpoint != core.DefaultEndpoint {
		t.Fatalf("LoadLocal without an endpoint = %+v, %v", s.Core, err)
	}
	if _, err := Load(); err == nil {
		t.Fatal("Load without a key pair succeeded")
	}
	setEnv(t, map[string]string{"FACEID_ENDPOINT": "http://127.0.0.1:8081/release/face_id_card/post"})
	var ce *core.ConfigError
	if _, err := LoadLocal(); !errors.As(err, &ce) || ce.Key != "FACEID_SECRET_ID" {
		t.Fatalf("LoadLocal with an endpoint and no key pair = %v", err)
	}
}

// TestSettingsNeverPrintSecrets: the settings may be printed or logged
// whole; no key shows.
func TestSettingsNeverPrintSecrets(t *testing.T) {
	setEnv(t, withKeys(map[string]string{"FACEID_CLIENT_KEYS": "app:client-s3cret-1", "FACEID_SECRET_KEY": "upstream-s3cret-2"}))
	s, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	slog.New(slog.NewJSONHandler(&sb, nil)).Info("settings", "settings", s, "drop_in", s.DropIn)
	outs := []string{fmt.Sprint(s), fmt.Sprintf("%+v", s), fmt.Sprintf("%#v", s.DropIn), sb.String()}
	for _, o := range outs {
		if strings.Contains(o, "s3cret") {
			t.Errorf("a secret printed: %s", o)
		}
	}
}

// platformVars may be read where they are used (see the package doc):
// they are the platforms' own, not settings. Other reads of the
// environment are the loader's.
var platformVars = map[string]bool{
	`"AWS_LAMBDA_FUNCTION_NAME"`: true, `"SCF_FUNCTIONNAME"`: true, // function names, for metrics
	"EnvSecretID": true, "EnvSecretKey": true, "EnvSessionToken": true, // the SCF role's keys, per invocation
	`"GOGC"`: true, `"PATH"`: true, // the sandbox and bench programs
	`"GOMEMLIMIT"`: true, // the Go runtime's, applied by SCF's main when SCF sets it
}

// TestOnlyTheLoaderReadsTheEnvironment: no non-test code outside this
// package reads a setting from the environment itself.
func TestOnlyTheLoaderReadsTheEnvironment(t *testing.T) {
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "testdata", "dist", "node_modules", "config":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return nil // a file mid-edit elsewhere is not this test's business
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, ok := sel.X.(*ast.Ident)
			if !ok {
				return true
			}
			fn := pkg.Name + "." + sel.Sel.Name
			switch fn {
			case "os.Getenv", "os.LookupEnv":
				if len(call.Args) == 1 {
					arg := call.Args[0]
					text := ""
					switch a := arg.(type) {
					case *ast.BasicLit:
						text = a.Value
					case *ast.Ident:
						text = a.Name
					}
					if platformVars[text] {
						return true
					}
				}
			case "envconfig.Process", "envconfig.MustProcess":
			default:
				return true
			}
			t.Errorf("%s: %s reads the environment outside package config", fset.Position(call.Pos()), fn)
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
