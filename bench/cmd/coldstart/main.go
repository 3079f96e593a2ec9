// Command coldstart measures cold starts of the two function binaries,
// each started fresh -runs times against the TLS sandbox:
//
//   - the Lambda bootstrap under the Runtime Interface Emulator, which
//     starts it on the first invocation: the emulator's own INIT REPORT
//     (bootstrap start to its first request for an event), and the time
//     from sending that invocation to its answer;
//   - the SCF main over the runtime's net/rpc protocol: from process start
//     to the first Function.Ping answer (init), and to the first answer.
//
// Each platform runs with each harness.Trust: the goals are read from
// "system", as deployed; "sandbox-only" is the same without the machine's
// certificate directory, to show how much of the first verification is
// spent loading it.
//
// It prints the medians and the raw values.
//
// With -before-bootstrap and -before-scf an earlier commit's binaries take
// turns with these, run by run, and are reported as side "before".
//
//	coldstart -sandbox bin/sandbox -rie bin/aws-lambda-rie -bootstrap bin/bootstrap -scf bin/main [-runs 20] [-before-bootstrap old/bootstrap -before-scf old/main]
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/faceid-verify/faceid/bench/internal/harness"
)

func main() { harness.Main("coldstart", run) }

// The goals: init in both platforms, and the first verification
// under the Lambda emulator, as deployed (trust in the system roots).
const (
	initGoal  = 10 * time.Millisecond
	firstGoal = 25 * time.Millisecond
)

// side is one set of binaries to cold-start: this tree's ("after") or an
// earlier commit's ("before").
type side struct {
	name, bootstrap, scf string
}

func run(_ context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("coldstart", flag.ContinueOnError)
	sandboxBin, rie, bootstrap, scf := harness.FunctionFlags(fs)
	runs := fs.Int("runs", 20, "cold starts per platform, trust setting and side")
	photoSpec := fs.String("photo", harness.SmallPhoto, "photo of the first request")
	name := fs.String("side", "after", "the label of the binaries' side in goal lines")
	beforeBootstrap := fs.String("before-bootstrap", "", "an earlier commit's Lambda bootstrap, started in turns with -bootstrap (side \"before\")")
	beforeSCF := fs.String("before-scf", "", "an earlier commit's SCF main, started in turns with -scf (side \"before\")")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *sandboxBin == "" {
		return errors.New("-sandbox is required")
	}
	sides := []side{{*name, *bootstrap, *scf}}
	if *beforeBootstrap != "" || *beforeSCF != "" {
		sides = append(sides, side{"before", *beforeBootstrap, *beforeSCF})
	}
	sb, err := harness.StartSandbox(*sandboxBin, "coldstart")
	if err != nil {
		return err
	}
	defer sb.Stop()
	dir := sb.Dir
	photo, err := harness.Photo(*photoSpec)
	if err != nil {
		return err
	}
	event := harness.FunctionURLEvent(harness.VerifyJSON(photo), "cold")

	// The sides take turns, run by run and in alternating order, so that a
	// shared machine's load falls on both alike.
	turns := func(do func(s side) (time.Duration, time.Duration, error)) (inits, answers [][]time.Duration, err error) {
		inits, answers = make([][]time.Duration, len(sides)), make([][]time.Duration, len(sides))
		for i := range *runs {
			for k := range sides {
				j := (k + i) % len(sides)
				in, ans, err := do(sides[j])
				if err != nil {
					return nil, nil, fmt.Errorf("%s run %d: %w", sides[j].name, i+1, err)
				}
				inits[j], answers[j] = append(inits[j], in), append(answers[j], ans)
			}
		}
		return inits, answers, nil
	}
	for _, trust := range []harness.Trust{harness.TrustCAFile, harness.TrustSystem, harness.TrustSandboxOnly} {
		if *rie != "" && *bootstrap != "" {
			inits, answers, err := turns(func(s side) (time.Duration, time.Duration, error) {
				if s.bootstrap == "" {
					return 0, 0, nil
				}
				return lambdaOnce(*rie, s.bootstrap, harness.FunctionEnv(sb, dir, trust), event)
			})
			if err != nil {
				return fmt.Errorf("lambda: %w", err)
			}
			for j, s := range sides {
				if s.bootstrap == "" {
					continue
				}
				report(stdout, s.name, "lambda-rie", trust, "init", inits[j], "invoke_to_answer", answers[j])
				if trust == harness.TrustSystem {
					goal(stdout, "init_lambda", s.name, harness.Median(inits[j]), initGoal)
					goal(stdout, "first_verification_lambda", s.name, harness.Median(answers[j]), firstGoal)
				}
			}
		}
		if *scf != "" {
			inits, answers, err := turns(func(s side) (time.Duration, time.Duration, error) {
				if s.scf == "" {
					return 0, 0, nil
				}
				return scfOnce(s.scf, dir, sb, trust, event)
			})
			if err != nil {
				return fmt.Errorf("scf: %w", err)
			}
			for j, s := range sides {
				if s.scf == "" {
					continue
				}
				report(stdout, s.name, "scf-rpc", trust, "init", inits[j], "start_to_answer", answers[j])
				if trust == harness.TrustSystem {
					goal(stdout, "init_scf", s.name, harness.Median(inits[j]), initGoal)
				}
			}
		}
	}
	return nil
}

func lambdaOnce(rie, bootstrap string, env []string, event []byte) (init, answer time.Duration, err error) {
	r, err := harness.StartRIE(rie, bootstrap, env)
	if err != nil {
		return 0, 0, err
	}
	defer r.Stop()
	t0 := time.Now()
	out, err := r.Invoke(event)
	answer = time.Since(t0)
	if err != nil || !harness.Passed(out) {
		return 0, 0, fmt.Errorf("answer %.300s (%v)\n%s", out, err, r.Output())
	}
	init, err = r.InitDuration()
	return init, answer, err
}

func scfOnce(bin, dir string, sb *harness.Sandbox, trust harness.Trust, event []byte) (init, answer time.Duration, err error) {
	env, processEnv := harness.SCFEnv(sb, trust)
	s, err := harness.StartSCF(bin, dir, processEnv...)
	if err != nil {
		return 0, 0, err
	}
	defer s.Stop()
	out, err := s.Invoke(event, "cold", env)
	answer = time.Since(s.Start)
	if err != nil || !harness.Passed(out) {
		return 0, 0, fmt.Errorf("answer %.300s (%v)\n%s", out, err, s.Output())
	}
	return s.Ready.Sub(s.Start), answer, nil
}

func report(w io.Writer, side, platform string, trust harness.Trust, initName string, inits []time.Duration, answerName string, answers []time.Duration) {
	mi, ma := harness.Median(inits), harness.Median(answers)
	fmt.Fprintf(w, "coldstart side=%s platform=%s trust=%s runs=%d %s_median_ms=%s %s_median_ms=%s init_goal_ms=%s init_goal_met=%v\n",
		side, platform, trust, len(inits), initName, harness.Ms(mi), answerName, harness.Ms(ma), harness.Ms(initGoal), mi <= initGoal)
	fmt.Fprintf(w, "coldstart_raw side=%s platform=%s trust=%s %s_ms=%s\n", side, platform, trust, initName, join(inits))
	fmt.Fprintf(w, "coldstart_raw side=%s platform=%s trust=%s %s_ms=%s\n", side, platform, trust, answerName, join(answers))
}

func goal(w io.Writer, id, side string, median, limit time.Duration) {
	fmt.Fprintf(w, "goal id=%s side=%s value=%sms want=<=%sms met=%v\n", id, side, harness.Ms(median), harness.Ms(limit), median <= limit)
}

func join(ds []time.Duration) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = strconv.FormatFloat(float64(d)/1e6, 'f', 2, 64)
	}
	return strings.Join(s, ",")
}
