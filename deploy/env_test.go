package deploy

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/faceid-verify/faceid/core"
)

// root is the repository root, relative to this package.
const root = ".."

const (
	uploadPrefix = "uploads/"
	resultPrefix = "results/"
)

// configEnv maps every variable core.Config reads to its field, by
// reflection, so a renamed field or tag is noticed here.
func configEnv() map[string]string {
	names := map[string]string{}
	rt := reflect.TypeFor[core.Config]()
	for i := range rt.NumField() {
		if tag := rt.Field(i).Tag.Get("envconfig"); tag != "" {
			names[core.EnvPrefix+"_"+tag] = "core.Config." + rt.Field(i).Name
		}
	}
	return names
}

var (
	literalsOnce sync.Once
	literals     map[string]string // string literal (and envconfig tag) → first file using it
)

// codeLiterals collects the string literals and envconfig struct tags of
// the repository's non-test Go code (outside this package), to find
// variables read outside core.Config: os.Getenv(core.EnvPrefix+"_X"),
// another envconfig struct, or the full name spelled out.
func codeLiterals(t *testing.T) map[string]string {
	t.Helper()
	literalsOnce.Do(func() {
		literals = map[string]string{}
		fset := token.NewFileSet()
		filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				switch d.Name() {
				case ".git", "testdata", "dist", "deploy", ".aws-sam", "node_modules":
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
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					return true
				}
				rel, _ := filepath.Rel(root, path)
				if _, dup := literals[s]; !dup {
					literals[s] = rel
				}
				if tag := reflect.StructTag(s).Get("envconfig"); tag != "" {
					if _, dup := literals["envconfig:"+tag]; !dup {
						literals["envconfig:"+tag] = rel
					}
				}
				return true
			})
			return nil
		})
	})
	return literals
}

// whereRead says where the code reads a FACEID_ variable, or "" if nowhere.
func whereRead(t *testing.T, name string) string {
	t.Helper()
	if field, ok := configEnv()[name]; ok {
		return field
	}
	suffix := strings.TrimPrefix(name, core.EnvPrefix+"_")
	lits := codeLiterals(t)
	for _, key := range []string{name, "_" + suffix, "envconfig:" + suffix} {
		if file, ok := lits[key]; ok {
			return file
		}
	}
	return ""
}

// checkEnv applies the rules every deployment's function environment
// follows, whatever the platform; memoryMB is the function's memory.
func checkEnv(t *testing.T, file string, vars map[string]string, memoryMB int) {
	t.Helper()
	for name := range vars {
		switch {
		case name == "GOMEMLIMIT":
		case !strings.HasPrefix(name, core.EnvPrefix+"_"):
			t.Errorf("%s: variable %s is not a %s_ setting", file, name, core.EnvPrefix)
		case whereRead(t, name) == "":
			t.Errorf("%s: %s is set but no code reads it (renamed? typo?)", file, name)
		}
	}
	// FACEID_DAILY_BUDGET is set even at "0" (no cap) so that the money
	// guard is in view of whoever deploys.
	for _, name := range []string{"FACEID_SECRET_ID", "FACEID_CLIENT_KEYS", "FACEID_DAILY_BUDGET"} {
		if _, ok := vars[name]; !ok {
			t.Errorf("%s: %s is not set", file, name)
		}
	}
	_, key := vars["FACEID_SECRET_KEY"]
	_, keyFile := vars["FACEID_SECRET_KEY_FILE"]
	if key == keyFile {
		t.Errorf("%s: set exactly one of FACEID_SECRET_KEY and FACEID_SECRET_KEY_FILE", file)
	}
	// The Go runtime's soft memory limit, under the function's memory with
	// room for what the runtime does not count: near it the garbage
	// collector works harder instead of letting the heap outgrow the
	// function (a photo rewrite can hold over 100 MB).
	if mib, ok := strings.CutSuffix(vars["GOMEMLIMIT"], "MiB"); !ok {
		t.Errorf("%s: GOMEMLIMIT %q is not set in MiB", file, vars["GOMEMLIMIT"])
	} else if n, err := strconv.Atoi(mib); err != nil || n >= memoryMB*95/100 || n < memoryMB*3/4 {
		t.Errorf("%s: GOMEMLIMIT %q, want 75–95%% of the function's %d MB", file, vars["GOMEMLIMIT"], memoryMB)
	}
	if n, err := strconv.Atoi(vars["FACEID_DAILY_BUDGET"]); err != nil || n < 0 {
		t.Errorf("%s: FACEID_DAILY_BUDGET %q is not a count of calls", file, vars["FACEID_DAILY_BUDGET"])
	}
	// The upload pipeline and the trigger filter must agree on the prefix,
	// and results must land outside it or each result would trigger again.
	if got := vars["FACEID_UPLOAD_PREFIX"]; got != uploadPrefix {
		t.Errorf("%s: FACEID_UPLOAD_PREFIX %q, want %q (the trigger's filter)", file, got, uploadPrefix)
	}
	if got := vars["FACEID_RESULT_PREFIX"]; got != resultPrefix {
		t.Errorf("%s: FACEID_RESULT_PREFIX %q, want %q", file, got, resultPrefix)
	}
}

func TestConfigEnvReflection(t *testing.T) {
	env := configEnv()
	for _, name := range []string{"FACEID_SECRET_ID", "FACEID_SECRET_KEY", "FACEID_TIMEOUT"} {
		if env[name] == "" {
			t.Errorf("core.Config has no envconfig tag for %s: the deploy files must follow the rename", name)
		}
	}
	if whereRead(t, "FACEID_NO_SUCH_SETTING") != "" {
		t.Error("an unknown variable was found in the code: the lookup accepts anything")
	}
	if whereRead(t, "FACEID_CLIENT_KEYS") == "" {
		t.Error("FACEID_CLIENT_KEYS (read outside core.Config) was not found in the code")
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}
