// Command footprint reports the deployment packages' sizes (the zips that
// `make package` writes) and the peak resident memory of each function
// binary handling one verification with a large photo, against the TLS
// sandbox: the SCF main over net/rpc and the Lambda bootstrap under the
// Runtime Interface Emulator. Peak RSS is VmHWM from /proc after a warm-up
// call with the small photo and one call with the large one.
//
//	footprint -dist dist -sandbox bin/sandbox -rie bin/aws-lambda-rie -bootstrap bin/bootstrap -scf bin/main
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/faceid-verify/faceid/bench/internal/harness"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "footprint:", err)
		os.Exit(1)
	}
}

// The goals: zips up to 8 MB; peak RSS up to 20 MB plus three
// times the photo.
const (
	zipGoal  = 8 << 20
	rssFixed = 20 << 20
)

func run(_ context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("footprint", flag.ContinueOnError)
	dist := fs.String("dist", "", "directory with the packages' zips (empty: skip)")
	sandboxBin := fs.String("sandbox", "", "sandbox binary (empty: skip RSS)")
	rie := fs.String("rie", "", "aws-lambda-rie binary")
	bootstrap := fs.String("bootstrap", "", "Lambda bootstrap binary")
	scf := fs.String("scf", "", "SCF main binary")
	photoSpec := fs.String("photo", "pad:3000000", "the large photo (file or pad:N)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dist != "" {
		zips, err := filepath.Glob(filepath.Join(*dist, "*.zip"))
		if err != nil {
			return err
		}
		if len(zips) == 0 {
			return fmt.Errorf("no zip in %s: run make package first", *dist)
		}
		for _, z := range zips {
			fi, err := os.Stat(z)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "package file=%s bytes=%d mib=%.2f goal_mib=8 goal_met=%v\n",
				filepath.Base(z), fi.Size(), float64(fi.Size())/(1<<20), fi.Size() <= zipGoal)
		}
	}
	if *sandboxBin == "" {
		return nil
	}
	sb, err := harness.StartSandbox(*sandboxBin, "footprint")
	if err != nil {
		return err
	}
	defer sb.Stop()
	dir := sb.Dir
	small, err := harness.Photo(harness.SmallPhoto)
	if err != nil {
		return err
	}
	large, err := harness.Photo(*photoSpec)
	if err != nil {
		return err
	}
	warm := harness.FunctionURLEvent(harness.VerifyJSON(small), "warm")
	big := harness.FunctionURLEvent(harness.VerifyJSON(large), "large")
	goal := int64(rssFixed + 3*len(large))
	line := func(platform string, idle, peak int64) {
		fmt.Fprintf(stdout, "rss platform=%s photo=%s event_bytes=%d idle_mib=%.1f peak_mib=%.1f goal_mib=%.1f goal_met=%v\n",
			platform, harness.Label(len(large)), len(big), mib(idle), mib(peak), mib(goal), peak <= goal)
	}
	if *scf != "" {
		idle, peak, err := scfRSS(*scf, dir, sb, warm, big)
		if err != nil {
			return fmt.Errorf("scf: %w", err)
		}
		line("scf-rpc", idle, peak)
	}
	if *rie != "" && *bootstrap != "" {
		idle, peak, err := lambdaRSS(*rie, *bootstrap, dir, sb, warm, big)
		if err != nil {
			return fmt.Errorf("lambda: %w", err)
		}
		line("lambda-rie", idle, peak)
	}
	return nil
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

func scfRSS(bin, dir string, sb *harness.Sandbox, warm, big []byte) (idle, peak int64, err error) {
	env, processEnv := harness.SCFEnv(sb, harness.TrustCAFile)
	s, err := harness.StartSCF(bin, dir, processEnv...)
	if err != nil {
		return 0, 0, err
	}
	defer s.Stop()
	if out, err := s.Invoke(warm, "warm", env); err != nil || !harness.Passed(out) {
		return 0, 0, fmt.Errorf("warm-up answer %.300s (%v)", out, err)
	}
	if idle, _, err = harness.Memory(s.PID()); err != nil {
		return 0, 0, err
	}
	if out, err := s.Invoke(big, "large", env); err != nil || !harness.Passed(out) {
		return 0, 0, fmt.Errorf("answer %.300s (%v)", out, err)
	}
	_, peak, err = harness.Memory(s.PID())
	return idle, peak, err
}

func lambdaRSS(rie, bootstrap, dir string, sb *harness.Sandbox, warm, big []byte) (idle, peak int64, err error) {
	r, err := harness.StartRIE(rie, bootstrap, harness.FunctionEnv(sb, dir, harness.TrustCAFile))
	if err != nil {
		return 0, 0, err
	}
	defer r.Stop()
	if out, err := r.Invoke(warm); err != nil || !harness.Passed(out) {
		return 0, 0, fmt.Errorf("warm-up answer %.300s (%v)", out, err)
	}
	pid, err := r.BootstrapPID()
	if err != nil {
		return 0, 0, err
	}
	if idle, _, err = harness.Memory(pid); err != nil {
		return 0, 0, err
	}
	out, err := r.Invoke(big)
	if err != nil || !harness.Passed(out) {
		return 0, 0, errors.Join(err, fmt.Errorf("answer %.300s", out))
	}
	_, peak, err = harness.Memory(pid)
	return idle, peak, err
}
