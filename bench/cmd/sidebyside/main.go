// Command sidebyside runs, in one go against one TLS sandbox process, the
// core client (bench/cmd/coreclient) and the product page's Python and Go
// sample clients, each as one process making sequential calls, and prints
// calls per second and client CPU per call for each photo and run. The
// clients take turns for -rounds runs each; the ratios compare their
// medians.
//
// The samples are read from ../shared/spec at run time (internal/specsample)
// and changed only in URL, keys and body values; to make several calls in
// one process the Python sample is exec'd in a loop and the Go sample's
// main is renamed and called in a loop, by drivers written here.
//
//	sidebyside -sandbox bin/sandbox -coreclient bin/coreclient [-seconds 5] [-n 5000]
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/faceid-verify/faceid/bench/internal/harness"
	"github.com/faceid-verify/faceid/internal/specsample"
)

func main() { harness.Main("sidebyside", run) }

// client is one of the three, ready to run for a photo.
type client struct {
	name string
	// cmd returns the command making up to n calls for at most d.
	cmd func(photo string, n int, d time.Duration) (*exec.Cmd, error)
}

// The goals for core's CPU per call, by the photo's size class
// (harness.Class): at least this many times cheaper than the Go sample,
// and at most this many times the floor's (floor-sync: a body built once,
// written on one kept-alive TLS connection).
var (
	goSaving = map[string]float64{"33KB": 1.5, "500KB": 3}
	maxFloor = map[string]float64{"33KB": 2.5, "500KB": 1.5, "3MB": 1.5}
)

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("sidebyside", flag.ContinueOnError)
	sandboxBin := fs.String("sandbox", "", "sandbox binary (go build ./sandbox/cmd/sandbox)")
	coreBin := fs.String("coreclient", "", "coreclient binary (go build ./bench/cmd/coreclient)")
	beforeBin := fs.String("before", "", "coreclient binary built from an earlier commit: client \"before\" takes turns with the others")
	python := fs.String("python", "python3", "Python 3 interpreter; empty skips the Python sample")
	seconds := fs.Float64("seconds", 5, "time each client gets per photo")
	n := fs.Int("n", 100000, "at most this many calls per client and photo")
	photos := fs.String("photos", harness.GoalPhotos, "comma-separated photos (harness.Photo specs)")
	rounds := fs.Int("rounds", 3, "runs of each client per photo, taking turns; the medians are compared")
	only := fs.String("clients", "core,before,go,python,floor,floor-sync", "which clients to run (before only with -before)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *sandboxBin == "" || *coreBin == "" {
		return errors.New("-sandbox and -coreclient are required")
	}
	spec, err := specsample.Load()
	if err != nil {
		return err
	}
	sb, err := harness.StartSandbox(*sandboxBin, "sidebyside")
	if err != nil {
		return err
	}
	defer sb.Stop()
	limit := time.Duration(*seconds * float64(time.Second))
	p := pass{spec: spec, coreBin: *coreBin, beforeBin: *beforeBin, python: *python, clients: *only, n: *n, rounds: max(*rounds, 1), limit: limit, stdout: stdout}
	return p.run(ctx, sb, "sandbox", *photos)
}

// pass runs every client with every photo against one upstream.
type pass struct {
	spec, coreBin, beforeBin, python, clients string
	n, rounds                                 int
	limit                                     time.Duration
	stdout                                    io.Writer
}

func (ps pass) run(ctx context.Context, sb *harness.Sandbox, upstream, photos string) error {
	dir := sb.Dir
	clients := map[string]func(photo []byte) (client, error){
		"core":       func([]byte) (client, error) { return coreClient(ps.coreBin, sb, dir, "core"), nil },
		"before":     func([]byte) (client, error) { return coreClient(ps.beforeBin, sb, dir, "core"), nil },
		"floor":      func([]byte) (client, error) { return coreClient(ps.coreBin, sb, dir, "floor"), nil },
		"floor-sync": func([]byte) (client, error) { return coreClient(ps.coreBin, sb, dir, "floor-sync"), nil },
		"go":         func(photo []byte) (client, error) { return goSample(ctx, ps.spec, sb, dir, photo) },
		"python":     func(photo []byte) (client, error) { return pythonSample(ps.spec, sb, dir, ps.python, photo) },
	}
	for _, spec := range strings.Split(photos, ",") {
		photo, err := harness.Photo(spec)
		if err != nil {
			return err
		}
		label := harness.Label(len(photo))
		file := filepath.Join(dir, "photo-"+label+".jpg")
		if err := os.WriteFile(file, photo, 0o600); err != nil {
			return err
		}
		made := map[string]client{}
		for _, name := range strings.Split(ps.clients, ",") {
			mk, ok := clients[name]
			if !ok {
				return fmt.Errorf("unknown client %q", name)
			}
			if name == "python" && ps.python == "" || name == "before" && ps.beforeBin == "" {
				continue
			}
			c, err := mk(photo)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			made[name] = c
		}
		// Rounds take turns, so that a slow spell of the machine falls on
		// every client rather than on one; each client's median counts.
		rates := map[string][]float64{}
		cpus := map[string][]float64{}
		for round := 1; round <= ps.rounds; round++ {
			for _, name := range strings.Split(ps.clients, ",") {
				c, ok := made[name]
				if !ok {
					continue
				}
				cmd, err := c.cmd(file, ps.n, ps.limit)
				if err != nil {
					return err
				}
				r, err := measure(ctx, cmd)
				if err != nil {
					return fmt.Errorf("%s, %s photo, %s upstream: %w", name, label, upstream, err)
				}
				rates[name] = append(rates[name], r.rate())
				cpus[name] = append(cpus[name], float64(r.cpuPerCall()))
				fmt.Fprintf(ps.stdout, "sidebyside upstream=%s photo=%s client=%s calls=%d passed=%d seconds=%.3f cpu_s=%.3f calls_per_s=%.1f cpu_ms_per_call=%.3f round=%d\n",
					upstream, label, name, r.calls, r.passed, r.wall.Seconds(), r.cpu.Seconds(), r.rate(), float64(r.cpuPerCall())/1e6, round)
			}
		}
		rate := map[string]float64{}
		cpu := map[string]time.Duration{}
		for _, name := range strings.Split(ps.clients, ",") {
			if len(rates[name]) == 0 {
				continue
			}
			rate[name], cpu[name] = median(rates[name]), time.Duration(median(cpus[name]))
			fmt.Fprintf(ps.stdout, "median upstream=%s photo=%s client=%s rounds=%d calls_per_s=%.1f cpu_ms_per_call=%.3f\n",
				upstream, label, name, len(rates[name]), rate[name], float64(cpu[name])/1e6)
		}
		for _, other := range []string{"python", "go"} {
			if rate[other] == 0 || rate["core"] == 0 {
				continue
			}
			fmt.Fprintf(ps.stdout, "ratio upstream=%s photo=%s core_vs=%s calls_per_s=%.1fx cpu_per_call=%.1fx\n",
				upstream, label, other, rate["core"]/rate[other], float64(cpu[other])/float64(cpu["core"]))
		}
		// The goals, for this tree's core and the earlier one's.
		class := harness.Class(len(photo))
		for side, name := range map[string]string{"after": "core", "before": "before"} {
			if cpu[name] == 0 {
				continue
			}
			if g, ok := goSaving[class]; ok && cpu["go"] > 0 {
				v := float64(cpu["go"]) / float64(cpu[name])
				fmt.Fprintf(ps.stdout, "goal id=cpu_vs_go_sample_%s side=%s photo=%s value=%.2fx want=>=%gx met=%v\n", class, side, label, v, g, v >= g)
			}
			if g, ok := maxFloor[class]; ok && cpu["floor-sync"] > 0 {
				v := float64(cpu[name]) / float64(cpu["floor-sync"])
				fmt.Fprintf(ps.stdout, "goal id=cpu_vs_floor_%s side=%s photo=%s value=%.2fx want=<=%gx met=%v\n", class, side, label, v, g, v <= g)
			}
		}
		// How far core is from what any client must spend; below 1x is
		// core's own work (checks, escaping as it sends) on top of a floor.
		for _, floor := range []string{"floor", "floor-sync"} {
			if cpu[floor] > 0 && cpu["core"] > 0 {
				fmt.Fprintf(ps.stdout, "ratio upstream=%s photo=%s core_vs=%s calls_per_s=%.2fx cpu_per_call=%.2fx\n", upstream, label, floor,
					rate["core"]/rate[floor], float64(cpu[floor])/float64(cpu["core"]))
			}
		}
	}
	return nil
}

// median is the middle value of xs (the mean of the middle two for an
// even count).
func median(xs []float64) float64 {
	s := slices.Sorted(slices.Values(xs))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// result is one client process's run.
type result struct {
	calls, passed int
	wall, cpu     time.Duration
}

func (r result) rate() float64 { return float64(r.calls) / r.wall.Seconds() }
func (r result) cpuPerCall() time.Duration {
	return r.cpu / time.Duration(max(r.calls, 1))
}

// measure runs cmd to the end: one answer per stdout line, wall time from
// start to exit, and the process's own CPU from its rusage.
func measure(ctx context.Context, cmd *exec.Cmd) (result, error) {
	var r result
	out, err := cmd.StdoutPipe()
	if err != nil {
		return r, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return r, err
	}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		r.calls++
		if bytes.Contains(sc.Bytes(), []byte(`"success":true`)) {
			r.passed++
		}
	}
	err = cmd.Wait()
	r.wall, r.cpu = time.Since(start), harness.CPU(cmd.ProcessState)
	if err != nil {
		return r, fmt.Errorf("%v\n%s", err, tail(stderr.String()))
	}
	if r.calls == 0 || r.passed != r.calls {
		return r, fmt.Errorf("%d of %d calls passed\n%s", r.passed, r.calls, tail(stderr.String()))
	}
	return r, nil
}

func tail(s string) string { return s[max(0, len(s)-2000):] }

// coreClient runs coreclient in one of its modes: core itself, or one of
// the floors (a body encoded once, no checks) it is compared with.
func coreClient(bin string, sb *harness.Sandbox, dir, mode string) client {
	return client{name: mode, cmd: func(photo string, n int, d time.Duration) (*exec.Cmd, error) {
		cmd := exec.Command(bin, "-endpoint", sb.Endpoint(), "-ca", sb.CAFile, "-photo", photo, "-mode", mode,
			"-n", strconv.Itoa(n), "-seconds", strconv.FormatFloat(d.Seconds(), 'f', -1, 64))
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
		return cmd, nil
	}}
}

func sampleValues(sb *harness.Sandbox, photo []byte) specsample.Values {
	return specsample.Values{BaseURL: sb.URL, SecretID: harness.SecretID, SecretKey: harness.SecretKey,
		IDCard: harness.IDCard, Name: harness.Name, Image: base64.StdEncoding.EncodeToString(photo)}
}

// pyDriver execs the sample, which makes one call per run, in a loop.
const pyDriver = `import sys, time
src = open(sys.argv[1], encoding='utf-8').read()
code = compile(src, sys.argv[1], 'exec')
n, limit = int(sys.argv[2]), float(sys.argv[3])
start, i = time.monotonic(), 0
while i < n and time.monotonic() - start < limit:
    exec(code, {'__name__': '__main__'})
    i += 1
`

func pythonSample(spec string, sb *harness.Sandbox, dir, python string, photo []byte) (client, error) {
	src, err := specsample.Python(spec, sampleValues(sb, photo))
	if err != nil {
		return client{}, err
	}
	sub, err := os.MkdirTemp(dir, "python")
	if err != nil {
		return client{}, err
	}
	sample, driver := filepath.Join(sub, "sample.py"), filepath.Join(sub, "driver.py")
	if err := os.WriteFile(sample, []byte(src), 0o600); err != nil {
		return client{}, err
	}
	if err := os.WriteFile(driver, []byte(pyDriver), 0o600); err != nil {
		return client{}, err
	}
	return client{name: "python", cmd: func(_ string, n int, d time.Duration) (*exec.Cmd, error) {
		cmd := exec.Command(python, driver, sample, strconv.Itoa(n), strconv.FormatFloat(d.Seconds(), 'f', -1, 64))
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "PYTHONIOENCODING=utf-8"}
		return cmd, nil
	}}, nil
}

// goDriver calls the sample's main, renamed sampleMain, in a loop.
const goDriver = `package main

import (
	"os"
	"strconv"
	"time"
)

func main() {
	n, _ := strconv.Atoi(os.Args[1])
	d, _ := time.ParseDuration(os.Args[2])
	start := time.Now()
	for i := 0; i < n && time.Since(start) < d; i++ {
		sampleMain()
	}
}
`

func goSample(ctx context.Context, spec string, sb *harness.Sandbox, dir string, photo []byte) (client, error) {
	src, err := specsample.Go(spec, sampleValues(sb, photo))
	if err != nil {
		return client{}, err
	}
	if strings.Count(src, "\nfunc main() {") != 1 {
		return client{}, errors.New("go sample: no single func main to rename")
	}
	src = strings.Replace(src, "\nfunc main() {", "\nfunc sampleMain() {", 1)
	sub, err := os.MkdirTemp(dir, "gosample")
	if err != nil {
		return client{}, err
	}
	files := map[string]string{"sample.go": src, "driver.go": goDriver, "go.mod": "module sample\n\ngo 1.21\n"}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(sub, name), []byte(body), 0o600); err != nil {
			return client{}, err
		}
	}
	bin := filepath.Join(sub, "sample")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	build.Dir = sub
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := build.CombinedOutput(); err != nil {
		return client{}, fmt.Errorf("go sample: build: %v\n%s", err, out)
	}
	return client{name: "go", cmd: func(_ string, n int, d time.Duration) (*exec.Cmd, error) {
		cmd := exec.Command(bin, strconv.Itoa(n), d.String())
		// The sample checks certificates; it trusts the sandbox's through
		// the standard variable, unchanged.
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "SSL_CERT_FILE=" + sb.CAFile}
		return cmd, nil
	}}, nil
}
