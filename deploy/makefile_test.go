package deploy

import (
	"regexp"
	"strings"
	"testing"
)

// makeRecipe returns the recipe lines of a Makefile target, with the
// variables the Makefile itself sets expanded (ARTIFACTS_DIR, DIST and the
// like, set by the caller, are left as written).
func makeRecipe(t *testing.T, target string) string {
	t.Helper()
	lines := strings.Split(string(mustRead(t, "Makefile")), "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, target+":") {
			continue
		}
		var recipe []string
		for _, r := range lines[i+1:] {
			if !strings.HasPrefix(r, "\t") {
				break
			}
			recipe = append(recipe, r)
		}
		return expand(t, strings.Join(recipe, "\n"))
	}
	t.Fatalf("Makefile has no target %s", target)
	return ""
}

var makeRef = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)

func expand(t *testing.T, s string) string {
	t.Helper()
	for range 5 {
		s = makeRef.ReplaceAllStringFunc(s, func(ref string) string {
			name := makeRef.FindStringSubmatch(ref)[1]
			switch name {
			case "ARTIFACTS_DIR", "DIST", "LAMBDA_ARCH":
				return ref // set by the caller (sam build, make package DIST=…)
			}
			if v, ok := lookupVar(t, name); ok {
				return v
			}
			return ref
		})
	}
	return s
}

// makeVar returns the value a Makefile variable is given with ?= or =.
func makeVar(t *testing.T, name string) string {
	t.Helper()
	v, ok := lookupVar(t, name)
	if !ok {
		t.Fatalf("Makefile does not set %s", name)
	}
	return v
}

func lookupVar(t *testing.T, name string) (string, bool) {
	t.Helper()
	re := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `\s*\??=\s*(.*?)\s*$`)
	m := re.FindSubmatch(mustRead(t, "Makefile"))
	if m == nil {
		return "", false
	}
	return string(m[1]), true
}
