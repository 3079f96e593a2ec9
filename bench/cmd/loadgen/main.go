// Command loadgen measures the local function end to end: it starts the
// TLS sandbox and the local function (function/local) with the sandbox as
// its upstream, then for each concurrency level keeps that many requests
// in flight for a fixed time and prints throughput, latency percentiles
// and the function's CPU per request.
//
//	loadgen -sandbox bin/sandbox -local bin/local [-c 1,8,64] [-seconds 5] [-photos ...]
//
// With -url it loads an already running function instead.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/faceid-verify/faceid/bench/internal/harness"
)

func main() { harness.Main("loadgen", run) }

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("loadgen", flag.ContinueOnError)
	sandboxBin := fs.String("sandbox", "", "sandbox binary")
	localBin := fs.String("local", "", "local function binary (go build ./function/local)")
	target := fs.String("url", "", "base URL of a running function instead of starting one")
	levels := fs.String("c", "1,8,64", "comma-separated concurrency levels")
	seconds := fs.Float64("seconds", 5, "measured time per level")
	warmup := fs.Float64("warmup", 1, "unmeasured time per level before it")
	maxRequests := fs.Int("max-requests", 1_000_000, "stop a level after this many requests")
	photos := fs.String("photos", harness.SmallPhoto, "comma-separated photos (file or pad:N)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var pid int
	if *target == "" {
		if *sandboxBin == "" || *localBin == "" {
			return errors.New("give -sandbox and -local, or -url")
		}
		sb, err := harness.StartSandbox(*sandboxBin, "loadgen")
		if err != nil {
			return err
		}
		defer sb.Stop()
		dir := sb.Dir
		cmd := exec.Command(*localBin)
		cmd.Env = harness.FunctionEnv(sb, dir, harness.TrustCAFile, "FACEID_ADDR=127.0.0.1:0")
		cmd.Stdout = io.Discard
		fn, url, err := harness.StartProc(cmd, "listening", "url", 30*time.Second)
		if err != nil {
			return err
		}
		defer fn.Stop()
		*target, pid = url, cmd.Process.Pid
	}
	var cs []int
	for _, s := range strings.Split(*levels, ",") {
		c, err := strconv.Atoi(s)
		if err != nil || c < 1 {
			return fmt.Errorf("bad concurrency %q", s)
		}
		cs = append(cs, c)
	}
	for _, spec := range strings.Split(*photos, ",") {
		photo, err := harness.Photo(spec)
		if err != nil {
			return err
		}
		body := harness.VerifyJSON(photo)
		for _, c := range cs {
			l := level{url: strings.TrimRight(*target, "/") + "/verify", body: body, c: c, max: *maxRequests}
			l.load(ctx, time.Duration(*warmup*float64(time.Second)), 0)
			cpu0, _ := procCPU(pid)
			st := l.load(ctx, time.Duration(*seconds*float64(time.Second)), *maxRequests)
			cpu1, _ := procCPU(pid)
			if len(st.lat) == 0 {
				return fmt.Errorf("c=%d: no request completed", c)
			}
			n := len(st.lat)
			line := fmt.Sprintf("loadgen photo=%s c=%d requests=%d errors=%d seconds=%.3f rps=%.1f p50_ms=%s p90_ms=%s p99_ms=%s max_ms=%s",
				harness.Label(len(photo)), c, n, st.errors, st.wall.Seconds(), float64(n)/st.wall.Seconds(),
				harness.Ms(harness.Percentile(st.lat, 50)), harness.Ms(harness.Percentile(st.lat, 90)),
				harness.Ms(harness.Percentile(st.lat, 99)), harness.Ms(harness.Percentile(st.lat, 100)))
			if pid != 0 {
				line += fmt.Sprintf(" function_cpu_ms_per_req=%.3f", float64(cpu1-cpu0)/1e6/float64(n))
			}
			fmt.Fprintln(stdout, line)
			if st.errors > 0 {
				return fmt.Errorf("c=%d: %d requests failed, e.g. %s", c, st.errors, st.firstErr)
			}
		}
	}
	return nil
}

func procCPU(pid int) (time.Duration, error) {
	if pid == 0 {
		return 0, nil
	}
	return harness.ProcCPU(pid)
}

// level is one concurrency level's load.
type level struct {
	url  string
	body []byte
	c    int
	max  int
}

type stats struct {
	lat      []time.Duration
	errors   int
	firstErr string
	wall     time.Duration
}

// load keeps l.c requests in flight for d or until max requests (0: no
// limit) have completed.
func (l level) load(ctx context.Context, d time.Duration, max int) stats {
	tr := &http.Transport{MaxIdleConns: l.c, MaxIdleConnsPerHost: l.c, MaxConnsPerHost: l.c}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 60 * time.Second}
	var (
		mu    sync.Mutex
		st    stats
		wg    sync.WaitGroup
		count atomic.Int64
		start = time.Now()
		stop  = start.Add(d)
	)
	for range l.c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for time.Now().Before(stop) {
				t0 := time.Now()
				err := post(ctx, hc, l.url, l.body)
				mine = append(mine, time.Since(t0))
				if err != nil {
					mu.Lock()
					st.errors++
					if st.firstErr == "" {
						st.firstErr = err.Error()
					}
					mu.Unlock()
				}
				if max > 0 && count.Add(1) >= int64(max) {
					break
				}
			}
			mu.Lock()
			st.lat = append(st.lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	st.wall = time.Since(start)
	return st
}

// post sends one verification and checks that it passed.
func post(ctx context.Context, hc *http.Client, url string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || !bytes.Contains(b, []byte(`"passed":true`)) {
		return fmt.Errorf("status %d: %.200s", resp.StatusCode, b)
	}
	return nil
}
