package deploy

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/config"
	"github.com/faceid-verify/faceid/core"
)

// root is the repository root, relative to this package.
const root = ".."

const (
	uploadPrefix = "uploads/"
	resultPrefix = "results/"
)

// isSetting reports whether the function reads name: the one loader
// (package config) reads every FACEID_* variable, and its test holds that
// nothing else does.
func isSetting(name string) bool { return slices.Contains(config.Names(), name) }

// checkEnv applies the rules every deployment's function environment
// follows, whatever the platform; memoryMB is the function's memory.
func checkEnv(t *testing.T, file string, vars map[string]string, memoryMB int) {
	t.Helper()
	for name := range vars {
		switch {
		case name == "GOMEMLIMIT":
		case !strings.HasPrefix(name, core.EnvPrefix+"_"):
			t.Errorf("%s: variable %s is not a %s_ setting", file, name, core.EnvPrefix)
		case !isSetting(name):
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
	// function; decoding photos holds up to half of it.
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

func TestKnownSettings(t *testing.T) {
	for _, name := range []string{"FACEID_SECRET_ID", "FACEID_SECRET_KEY", "FACEID_TIMEOUT", "FACEID_CLIENT_KEYS", "FACEID_UPLOAD_PREFIX"} {
		if !isSetting(name) {
			t.Errorf("the loader does not read %s: the deploy files must follow the rename", name)
		}
	}
	if isSetting("FACEID_NO_SUCH_SETTING") {
		t.Error("an unknown variable counts as a setting: the lookup accepts anything")
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

// TestMemoryOnBothClouds holds both deploy files to the memory that
// bench/cmd/footprint measures (docs/benchmarks.md): 128 MB, in which the
// worst admissible photo of every format, rewrites included, peaks well
// under the function's memory with GOMEMLIMIT at about 90 % of it. More
// would bill twice the GB-seconds while the function waits on the
// upstream; a change must be measured again (make bench) on both clouds.
func TestMemoryOnBothClouds(t *testing.T) {
	scf := mustSCFConfig(t).Inputs
	fn := mustFunction(t, mustOpenTemplate(t))
	if scf.MemorySize != 128 || derefInt(fn.MemorySize) != 128 {
		t.Errorf("memory: serverless.yml %d MB, template.yaml %d MB; want 128 in both", scf.MemorySize, derefInt(fn.MemorySize))
	}
	if a, b := scf.Environment.Variables["GOMEMLIMIT"], fn.Environment.Variables["GOMEMLIMIT"]; a != b {
		t.Errorf("GOMEMLIMIT: serverless.yml %q, template.yaml %q; want the same", a, b)
	}
}
