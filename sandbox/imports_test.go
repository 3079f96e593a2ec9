package sandbox_test

import (
	"go/build"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// module is this repository's module path.
const module = "github.com/faceid-verify/faceid"

// witnessMayImport is all of the project the sandbox and its command may
// build on: the signature package. Whatever else of the function's code
// the sandbox used (codes, photo checks, form parsing) would agree with
// the function by construction, and tests against the sandbox could not
// catch its mistakes.
var witnessMayImport = []string{module + "/core/hmacauth"}

// TestImportsOnlyTheSignaturePackage walks the non-test imports of the
// sandbox and its command, with every file whatever its build constraints,
// and fails on any project package other than the sandbox's own and
// core/hmacauth, however indirectly it is reached.
func TestImportsOnlyTheSignaturePackage(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(root, "go.mod")); err != nil || !strings.HasPrefix(string(b), "module "+module+"\n") {
		t.Fatalf("%s is not the root of %s: %v", root, module, err)
	}
	ctx := build.Default
	ctx.UseAllFiles = true // a file for another platform counts too

	seen := map[string][]string{} // project package → import chain
	var walk func(pkg string, chain []string)
	walk = func(pkg string, chain []string) {
		if _, done := seen[pkg]; done {
			return
		}
		chain = append(slices.Clip(chain), pkg)
		seen[pkg] = chain
		dir := filepath.Join(root, filepath.FromSlash(strings.TrimPrefix(strings.TrimPrefix(pkg, module), "/")))
		p, err := ctx.ImportDir(dir, 0)
		if err != nil {
			t.Fatalf("%s: %v", pkg, err)
		}
		for _, imp := range p.Imports {
			if imp == module || strings.HasPrefix(imp, module+"/") {
				walk(imp, chain)
			}
		}
	}
	for _, pkg := range []string{module + "/sandbox", module + "/sandbox/cmd/sandbox"} {
		walk(pkg, nil)
	}
	if _, ok := seen[module+"/core/hmacauth"]; !ok {
		t.Errorf("core/hmacauth not reached: the walk found %v", slices.Sorted(maps.Keys(seen)))
	}
	for _, pkg := range slices.Sorted(maps.Keys(seen)) {
		if pkg == module+"/sandbox" || strings.HasPrefix(pkg, module+"/sandbox/") || slices.Contains(witnessMayImport, pkg) {
			continue
		}
		t.Errorf("the sandbox imports %s (%s): it may share only %v with the function", pkg, strings.Join(seen[pkg], " → "), witnessMayImport)
	}
}
