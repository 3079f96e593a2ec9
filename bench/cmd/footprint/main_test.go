package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/bench/internal/harness"
)

// TestRun measures both functions with a smaller photo, and the size of a
// stand-in zip.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the function binaries; skipped with -short")
	}
	bins, err := harness.BuildAll(context.Background(), t.TempDir(), "sandbox", "aws-lambda-rie", "bootstrap", "main")
	if err != nil {
		t.Fatal(err)
	}
	dist := t.TempDir()
	if err := os.WriteFile(filepath.Join(dist, "x.zip"), make([]byte, 1000), 0o600); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	err = run(context.Background(), []string{"-dist", dist, "-sandbox", bins["sandbox"], "-rie", bins["aws-lambda-rie"],
		"-bootstrap", bins["bootstrap"], "-scf", bins["main"], "-photo", "pad:200000"}, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"package file=x.zip bytes=1000 ", "rss platform=scf-rpc photo=200KB ", "rss platform=lambda-rie photo=200KB "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in:\n%s", want, out.String())
		}
	}
}
