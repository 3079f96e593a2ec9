// Command footprint reports the deployment packages' sizes (the zips that
// `make package` writes) and the peak resident memory (VmHWM) of each
// function binary as deployed, against the TLS sandbox: the SCF main over
// net/rpc and the Lambda bootstrap under the Runtime Interface Emulator,
// with GOMEMLIMIT set as the deploy files set it for a 128 MB function
// (on SCF in the invocation's environment, as the platform passes it).
//
// Each of worstCases, the worst admissible photo of each kind, is one
// request to a fresh process, as the platforms deliver them one at a time:
// its decode and rewrite fill the decode memory (half of GOMEMLIMIT) and
// its bytes the most its path admits. A photo just over the decode memory
// must be refused, or the limit is not in force.
//
//	footprint -dist dist -sandbox bin/sandbox -rie bin/aws-lambda-rie -bootstrap bin/bootstrap -scf bin/main
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	_ "golang.org/x/image/bmp"

	"github.com/faceid-verify/faceid/bench/internal/harness"
)

func main() { harness.Main("footprint", run) }

// The goals: zips up to 8 MB; peak RSS under 110 MB in a 128 MB
// function.
const (
	zipGoal = 8 << 20
	rssGoal = 110 << 20
)

func run(_ context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("footprint", flag.ContinueOnError)
	dist := fs.String("dist", "", "directory with the packages' zips (empty: skip)")
	sandboxBin, rie, bootstrap, scf := harness.FunctionFlags(fs) // no -sandbox: no RSS
	memLimit := fs.String("gomemlimit", "115MiB", "GOMEMLIMIT of the functions, in MiB")
	only := fs.String("cases", "", "comma-separated worst cases to run (empty: all)")
	side := fs.String("side", "after", "the label of the binaries' side in goal lines")
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
			fmt.Fprintf(stdout, "package file=%s bytes=%d mib=%.2f\n", filepath.Base(z), fi.Size(), float64(fi.Size())/(1<<20))
			fmt.Fprintf(stdout, "goal id=zip_%s side=%s value=%.2fMiB want=<=8MiB met=%v\n",
				strings.TrimSuffix(filepath.Base(z), ".zip"), *side, float64(fi.Size())/(1<<20), fi.Size() <= zipGoal)
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
	mibs, ok := strings.CutSuffix(*memLimit, "MiB")
	limit, err := strconv.ParseInt(mibs, 10, 64)
	if !ok || err != nil || limit <= 0 {
		return fmt.Errorf("-gomemlimit %q: want a number of MiB", *memLimit)
	}
	budget := limit << 20 / 2 // decode.DefaultSize
	platforms := map[string]func(event []byte) (answer []byte, peak int64, err error){}
	if *scf != "" {
		platforms["scf-rpc"] = func(event []byte) ([]byte, int64, error) {
			return scfRSS(*scf, sb, *memLimit, event)
		}
	}
	if *rie != "" && *bootstrap != "" {
		platforms["lambda-rie"] = func(event []byte) ([]byte, int64, error) {
			return lambdaRSS(*rie, *bootstrap, sb, *memLimit, event)
		}
	}
	for _, platform := range slices.Sorted(maps.Keys(platforms)) {
		invoke := platforms[platform]
		var worst int64
		for _, c := range worstCases {
			if *only != "" && !slices.Contains(strings.Split(*only, ","), c.name) {
				continue
			}
			peak, err := measureCase(stdout, platform, c, budget, invoke)
			if err != nil {
				return fmt.Errorf("%s, %s: %w", platform, c.name, err)
			}
			worst = max(worst, peak)
		}
		// The decode memory must be in force: a photo needing a little
		// more than all of it is refused.
		over, err := pngCase(16, false, maxPhoto-50_000)(budget*21/20, 1)
		if err != nil {
			return err
		}
		answer, _, err := invoke(harness.FunctionURLEvent(harness.VerifyJSON(over), "over"))
		if err != nil {
			return fmt.Errorf("%s, over the decode memory: %w", platform, err)
		}
		refused := strings.Contains(string(answer), "dimensions")
		fmt.Fprintf(stdout, "decode_memory platform=%s gomemlimit=%s budget_mib=%.1f photo_over_budget_refused=%v\n", platform, *memLimit, mib(budget), refused)
		fmt.Fprintf(stdout, "goal id=peak_rss_128MB_%s side=%s value=%.1fMiB want=<110MiB met=%v\n", platform, *side, mib(worst), worst < rssGoal && refused)
	}
	return nil
}

// measureCase sends c's photo, shrinking it while the function refuses it
// for its dimensions (the header estimate here is the decode package's,
// the rewrite's is copied), and prints the process's peak memory.
func measureCase(stdout io.Writer, platform string, c worstCase, budget int64,
	invoke func([]byte) ([]byte, int64, error)) (int64, error) {
	f := 1.0
	for range 6 {
		img, err := c.make(budget, f)
		if err != nil {
			return 0, err
		}
		cfg, _, err := image.DecodeConfig(bytes.NewReader(img))
		if err != nil {
			return 0, err
		}
		event := harness.FunctionURLEvent(harness.VerifyJSON(img), c.name)
		answer, peak, err := invoke(event)
		if err != nil {
			return 0, err
		}
		// Checked and sent: the memory was spent, whatever the upstream
		// made of the photo (the sandbox decodes no BMP, for one).
		var a struct{ StatusCode int }
		if json.Unmarshal(answer, &a) == nil && a.StatusCode == 200 {
			fmt.Fprintf(stdout, "rss platform=%s case=%s pixels=%dx%d photo_bytes=%d event_bytes=%d peak_mib=%.1f passed=%v\n",
				platform, c.name, cfg.Width, cfg.Height, len(img), len(event), mib(peak), harness.Passed(answer))
			return peak, nil
		}
		if !strings.Contains(string(answer), "dimensions") {
			return 0, fmt.Errorf("answer %.300s", answer)
		}
		f *= 0.98
	}
	return 0, errors.New("refused for its dimensions however small")
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }

// scfRSS starts the SCF binary, makes one invocation with GOMEMLIMIT in
// its environment and returns the answer and the process's peak memory.
func scfRSS(bin string, sb *harness.Sandbox, memLimit string, event []byte) ([]byte, int64, error) {
	env, processEnv := harness.SCFEnv(sb, harness.TrustCAFile)
	env["GOMEMLIMIT"] = memLimit
	s, err := harness.StartSCF(bin, sb.Dir, processEnv...)
	if err != nil {
		return nil, 0, err
	}
	defer s.Stop()
	out, err := s.Invoke(event, "footprint", env)
	if err != nil {
		return nil, 0, err
	}
	_, peak, err := harness.Memory(s.PID())
	return out, peak, err
}

// lambdaRSS is scfRSS for the bootstrap under the emulator, with
// GOMEMLIMIT in the process's environment, as Lambda sets it.
func lambdaRSS(rie, bootstrap string, sb *harness.Sandbox, memLimit string, event []byte) ([]byte, int64, error) {
	r, err := harness.StartRIE(rie, bootstrap, harness.FunctionEnv(sb, sb.Dir, harness.TrustCAFile, "GOMEMLIMIT="+memLimit))
	if err != nil {
		return nil, 0, err
	}
	defer r.Stop()
	out, err := r.Invoke(event)
	if err != nil {
		return nil, 0, err
	}
	pid, err := r.BootstrapPID()
	if err != nil {
		return nil, 0, err
	}
	_, peak, err := harness.Memory(pid)
	return out, peak, err
}
