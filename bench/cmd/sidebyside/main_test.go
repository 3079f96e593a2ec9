package main

import (
	"context"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/bench/internal/harness"
	"github.com/faceid-verify/faceid/internal/specsample"
)

// TestRun runs every client for two calls each on the small photo, against
// the sandbox; this tree's coreclient stands in for
// the earlier commit's.
func TestRun(t *testing.T) {
	if _, err := specsample.Load(); err != nil {
		t.Skipf("the samples cannot run: %v", err)
	}
	python, clients := "python3", "core,before,go,python,floor,floor-sync"
	if _, err := exec.LookPath("python3"); err != nil {
		t.Log("python3 is not installed: the Python sample is left out")
		python, clients = "", "core,before,go,floor,floor-sync"
	}
	bins, err := harness.BuildAll(context.Background(), t.TempDir(), "sandbox", "coreclient")
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	err = run(context.Background(), []string{"-sandbox", bins["sandbox"], "-coreclient", bins["coreclient"], "-before", bins["coreclient"],
		"-python", python, "-clients", clients, "-n", "2", "-seconds", "10", "-rounds", "2", "-photos", harness.SmallPhoto}, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, side := range []string{"after", "before"} {
		for _, id := range []string{"cpu_vs_go_sample_33KB", "cpu_vs_floor_33KB"} {
			if !regexp.MustCompile(`goal id=` + id + ` side=` + side + ` photo=33KB value=[0-9.]+x want=[<>]=[0-9.]+x met=(true|false)\n`).MatchString(out.String()) {
				t.Errorf("no %s goal line for the %s side in:\n%s", id, side, out.String())
			}
		}
	}
	const upstream = "sandbox"
	for _, c := range strings.Split(clients, ",") {
		for _, round := range []string{"1", "2"} {
			if !regexp.MustCompile(`upstream=` + upstream + ` photo=33KB client=` + c + ` calls=2 passed=2 .* round=` + round + `\n`).MatchString(out.String()) {
				t.Errorf("no two passed calls for %s against the %s upstream in round %s:\n%s", c, upstream, round, out.String())
			}
		}
		if !strings.Contains(out.String(), "median upstream="+upstream+" photo=33KB client="+c+" rounds=2 ") {
			t.Errorf("no median of two rounds for %s against the %s upstream in:\n%s", c, upstream, out.String())
		}
	}
	for _, vs := range []string{"core_vs=go", "core_vs=floor-sync"} {
		if !strings.Contains(out.String(), "ratio upstream="+upstream+" photo=33KB "+vs+" ") {
			t.Errorf("no %s ratio line for the %s upstream in:\n%s", vs, upstream, out.String())
		}
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{[]float64{5}, 5},
		{[]float64{3, 1, 2}, 2},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{900, 1000, 950, 10, 2000}, 950},
	} {
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
