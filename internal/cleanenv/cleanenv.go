// Package cleanenv holds the first step of every test that configures a
// function from its environment: clearing what the machine's own
// environment may hold, so that only the test's settings count. Import it
// only from _test files.
package cleanenv

import (
	"os"
	"strings"
	"testing"
)

// Set unsets, for the rest of t, every variable whose name starts with
// one of prefixes, then sets env. t.Setenv restores all of them after
// the test.
func Set(t testing.TB, env map[string]string, prefixes ...string) {
	t.Helper()
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		for _, p := range prefixes {
			if strings.HasPrefix(name, p) {
				t.Setenv(name, "") // so that it is restored
				os.Unsetenv(name)
				break
			}
		}
	}
	for k, v := range env {
		t.Setenv(k, v)
	}
}
