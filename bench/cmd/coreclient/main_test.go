package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/bench/internal/harness"
)

// TestRun makes two calls against the TLS sandbox binary.
func TestRun(t *testing.T) {
	bins, err := harness.BuildAll(context.Background(), t.TempDir(), "sandbox")
	if err != nil {
		t.Fatal(err)
	}
	sb, err := harness.StartSandbox(bins["sandbox"], "coreclient")
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Stop()
	root, _ := harness.RepoRoot()
	for _, mode := range []string{"core", "floor", "floor-sync"} {
		var out strings.Builder
		err = run(context.Background(), []string{"-endpoint", sb.Endpoint(), "-ca", sb.CAFile,
			"-photo", filepath.Join(root, harness.SmallPhoto), "-n", "2", "-mode", mode}, &out)
		if err != nil || out.String() != "{\"success\":true}\n{\"success\":true}\n" {
			t.Fatalf("%s: output %q: %v", mode, out.String(), err)
		}
	}
}
