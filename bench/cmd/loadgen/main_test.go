package main

import (
	"context"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/bench/internal/harness"
)

// TestRun puts the local function under a few requests at two levels.
func TestRun(t *testing.T) {
	bins, err := harness.BuildAll(context.Background(), t.TempDir(), "sandbox", "local")
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	err = run(context.Background(), []string{"-sandbox", bins["sandbox"], "-local", bins["local"],
		"-c", "1,2", "-seconds", "10", "-warmup", "0", "-max-requests", "3"}, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{"c=1 requests=3 errors=0 ", "c=2 requests=", "function_cpu_ms_per_req="} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in:\n%s", want, out.String())
		}
	}
}
