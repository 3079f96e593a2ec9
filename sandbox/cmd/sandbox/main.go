// Command sandbox serves the offline emulator of the face–ID-card API and
// its gateway (package sandbox) on its own, for manual runs and for tools
// that need a real port. It is not the real Tencent Cloud Market service:
// it never calls upstream and nothing it answers is charged.
//
//	go run ./sandbox/cmd/sandbox -addr 127.0.0.1:8081
//
// The first log line (JSON on stderr) gives the actual listen URL, so a
// caller that passes port 0 can read it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/faceid-verify/faceid/sandbox"
)

func main() {
	// Every call allocates a few photo-sized buffers. At the default GOGC
	// the heap is collected, scavenged and faulted back in on nearly every
	// large call, a third of the sandbox's CPU; a test server can spare the
	// memory (about 28 MB peak with 500 KB photos). GOGC still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stderr)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
	case errors.Is(err, errUsage):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "sandbox:", err)
		os.Exit(1)
	}
}

// usageError marks a bad command line; the reason has been printed.
type usageError string

func (e usageError) Error() string { return string(e) }

const errUsage = usageError("bad command line")

type options struct {
	addr, identities, tlsCAOut string
	secretID, secretKey        string
	rate, quota, maxImageBytes int
	clockSkew                  time.Duration
	tls                        bool
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8081", "listen address; port 0 picks a free port")
	fs.StringVar(&o.identities, "identities", "", "JSON file of identities replacing the built-in table")
	fs.IntVar(&o.rate, "rate", 0, "requests per second per key before 429 (0 = no limit)")
	fs.IntVar(&o.quota, "quota", 0, "total calls per key before 429 (0 = no limit)")
	fs.IntVar(&o.maxImageBytes, "max-image-bytes", 0, "seller photo limit in bytes, over it incorrect 108 (0 = 3 MB)")
	fs.DurationVar(&o.clockSkew, "clock-skew", 0, "shift the sandbox's clock (X-Date window, Date header), e.g. 20m or -1h, to test clients' clock-skew handling")
	fs.BoolVar(&o.tls, "tls", false, "serve HTTPS with a fresh self-signed certificate for 127.0.0.1, ::1 and localhost")
	fs.StringVar(&o.tlsCAOut, "tls-ca-out", "", "with -tls, write the certificate (PEM) to trust to this file")
	fs.StringVar(&o.secretID, "secret-id", sandbox.DefaultSecretID, "the SecretId clients sign with")
	fs.StringVar(&o.secretKey, "secret-key", sandbox.DefaultSecretKey, "the SecretKey clients sign with")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, err
		}
		return o, errUsage
	}
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "unexpected arguments: %v\n", fs.Args())
		return o, errUsage
	case o.tlsCAOut != "" && !o.tls:
		fmt.Fprintln(stderr, "-tls-ca-out needs -tls")
		return o, errUsage
	case o.rate < 0 || o.quota < 0 || o.maxImageBytes < 0:
		fmt.Fprintln(stderr, "-rate, -quota and -max-image-bytes must not be negative")
		return o, errUsage
	case o.secretID == "" || o.secretKey == "":
		fmt.Fprintln(stderr, "-secret-id and -secret-key must not be empty")
		return o, errUsage
	}
	return o, nil
}
