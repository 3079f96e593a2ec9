package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/bench/internal/harness"
)

// TestRun measures both functions with two of the worst cases under a
// smaller memory limit, checks that each refuses a photo over its decode
// memory, and measures a stand-in zip.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the function binaries; skipped with -short")
	}
	fns, err := harness.BuildFunctions(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	dist := t.TempDir()
	if err := os.WriteFile(filepath.Join(dist, "x.zip"), make([]byte, 1000), 0o600); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	err = run(context.Background(), append(fns, "-dist", dist, "-gomemlimit", "64MiB", "-cases", "bmp-24bit,jpeg-real-exif-rewrite"), &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	var want []string
	for _, p := range []string{"scf-rpc", "lambda-rie"} {
		want = append(want, "rss platform="+p+" case=bmp-24bit ", "rss platform="+p+" case=jpeg-real-exif-rewrite ",
			"decode_memory platform="+p+" gomemlimit=64MiB budget_mib=32.0 photo_over_budget_refused=true\n",
			"goal id=peak_rss_128MB_"+p+" side=after ")
	}
	for _, want := range append(want, "package file=x.zip bytes=1000 ", "goal id=zip_x side=after value=0.00MiB want=<=8MiB met=true\n") {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in:\n%s", want, out.String())
		}
	}
}
