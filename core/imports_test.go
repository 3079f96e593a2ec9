package core

import (
	"os/exec"
	"strings"
	"testing"
)

// core stays platform-neutral: nothing under it may pull in a cloud SDK, a
// function runtime or the metrics package and its library (core reports
// through Observer), directly or through another package.
func TestCoreImportsNoPlatformPackage(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH")
	}
	out, err := exec.Command(goBin, "list", "-deps", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	forbidden := []string{
		"github.com/aws/", "github.com/tencentyun/", "github.com/tencentcloud/", "github.com/redis/",
		"github.com/faceid-verify/faceid/adapters", "github.com/faceid-verify/faceid/function",
		"github.com/faceid-verify/faceid/sandbox", "github.com/faceid-verify/faceid/metrics",
		"github.com/VictoriaMetrics/",
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list returned too little to be real: %q", deps)
	}
	for _, dep := range deps {
		for _, f := range forbidden {
			if strings.HasPrefix(dep, f) {
				t.Errorf("core depends on %s", dep)
			}
		}
	}
}
