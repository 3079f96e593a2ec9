package main

import (
	"context"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/bench/internal/harness"
)

// TestRun cold-starts each function once per trust setting and side.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the function binaries; skipped with -short")
	}
	fns, err := harness.BuildFunctions(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	// The same binaries stand in for an earlier commit's: both sides must
	// be started and reported.
	var bootstrap, scf string
	for i := 0; i+1 < len(fns); i++ {
		switch fns[i] {
		case "-bootstrap":
			bootstrap = fns[i+1]
		case "-scf":
			scf = fns[i+1]
		}
	}
	var out strings.Builder
	err = run(context.Background(), append(fns, "-runs", "1", "-before-bootstrap", bootstrap, "-before-scf", scf), &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"side=after platform=lambda-rie trust=ca-file runs=1 ", "side=after platform=scf-rpc trust=system runs=1 ",
		"side=after platform=lambda-rie trust=sandbox-only runs=1 ",
		"side=before platform=lambda-rie trust=system runs=1 ", "side=before platform=scf-rpc trust=sandbox-only runs=1 ",
		"goal id=init_lambda side=after ", "goal id=first_verification_lambda side=after ", "goal id=init_scf side=after ",
		"goal id=init_lambda side=before ", "goal id=init_scf side=before "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in:\n%s", want, out.String())
		}
	}
}
