package main

import (
	"context"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/bench/internal/harness"
)

// TestRun cold-starts each function once per trust setting.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the function binaries; skipped with -short")
	}
	fns, err := harness.BuildFunctions(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	err = run(context.Background(), append(fns, "-runs", "1"), &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"platform=lambda-rie trust=ca-file runs=1 ", "platform=scf-rpc trust=system runs=1 ",
		"platform=lambda-rie trust=sandbox-only runs=1 ",
		"goal id=init_lambda side=after ", "goal id=first_verification_lambda side=after ", "goal id=init_scf side=after "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in:\n%s", want, out.String())
		}
	}
}
