// Command coreclient makes sequential verifications with core.Client, as
// the function does, for the side-by-side with the product page's sample
// clients: one process, up to -n calls or -seconds, one line per answer
// on stdout ({"success":true} for a passed verification).
//
// Two more modes measure what any client must spend, for comparison: they
// send a form body encoded once at start, with no checks. "floor" posts it
// with net/http's default transport; "floor-sync" writes it and reads the
// answer on one kept-alive TLS connection in the calling goroutine,
// without net/http's connection goroutines.
//
//	coreclient -endpoint https://127.0.0.1:PORT/release/face_id_card/post -ca ca.pem -photo p.jpg -n 100
package main

import (
	"context"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/faceid-verify/faceid/bench/internal/harness"
	"github.com/faceid-verify/faceid/core"
)

func main() { harness.Main("coreclient", run) }

func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("coreclient", flag.ContinueOnError)
	endpoint := fs.String("endpoint", "", "upstream URL (the TLS sandbox)")
	ca := fs.String("ca", "", "PEM certificate to trust")
	photoFile := fs.String("photo", "", "photo file")
	n := fs.Int("n", 100, "at most this many calls")
	seconds := fs.Float64("seconds", 5, "stop starting calls after this long")
	id := fs.String("secret-id", "sandbox-secret-id", "SecretId")
	key := fs.String("secret-key", "sandbox-secret-key", "SecretKey")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the calls to this file")
	memProfile := fs.String("memprofile", "", "write an allocation profile of the calls to this file")
	mode := fs.String("mode", "core", "core, floor (net/http's transport, body encoded once) or floor-sync (one TLS connection, no net/http goroutines)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *endpoint == "" || *photoFile == "" {
		return fmt.Errorf("-endpoint and -photo are required")
	}
	photo, err := os.ReadFile(*photoFile)
	if err != nil {
		return err
	}
	c, err := core.New(core.Config{Endpoint: *endpoint, CAFile: *ca, SecretID: *id, SecretKey: core.Secret(*key)})
	if err != nil {
		return err
	}
	// The photo arrives as base64 text, as it does in the function's
	// requests and in the samples' source.
	req := core.Request{Name: "张三", IDCard: "110101199003070011", ImageBase64: base64.StdEncoding.EncodeToString(photo)}
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if *memProfile != "" {
		runtime.MemProfileRate = 4096
		defer writeHeapProfile(*memProfile)
	}
	limit := time.Now().Add(time.Duration(*seconds * float64(time.Second)))
	if *mode != "core" {
		f, err := newFloor(*mode, c.Config(), req)
		if err != nil {
			return err
		}
		defer f.close()
		for i := 0; i < *n && time.Now().Before(limit); i++ {
			if err := f.call(); err != nil {
				fmt.Fprintf(stdout, "{\"success\":false,\"error\":%q}\n", err.Error())
				continue
			}
			io.WriteString(stdout, "{\"success\":true}\n")
		}
		return nil
	}
	for i := 0; i < *n && time.Now().Before(limit); i++ {
		res, err := c.Verify(ctx, req)
		switch {
		case err != nil:
			fmt.Fprintf(stdout, "{\"success\":false,\"error\":%q}\n", err.Error())
		case res.Passed:
			io.WriteString(stdout, "{\"success\":true}\n")
		default:
			fmt.Fprintf(stdout, "{\"success\":false,\"verdict\":%q}\n", res.Verdict)
		}
	}
	return nil
}

func writeHeapProfile(path string) {
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "coreclient:", err)
		return
	}
	defer f.Close()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		fmt.Fprintln(os.Stderr, "coreclient:", err)
	}
}
