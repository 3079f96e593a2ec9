// Command local serves the verification function on this machine. With no
// FACEID_ENDPOINT it starts the embedded offline sandbox — an emulator of
// the upstream, not the real service — so it runs on a fresh clone.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/faceid-verify/faceid/adapters/httphandler"
	"github.com/faceid-verify/faceid/config"
	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/core/hmacauth"
	"github.com/faceid-verify/faceid/metrics"
	"github.com/faceid-verify/faceid/sandbox"
	"github.com/faceid-verify/faceid/state"
	"github.com/faceid-verify/faceid/state/dynamostate"
	"github.com/faceid-verify/faceid/state/redisstate"
	"github.com/faceid-verify/faceid/state/stores"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Stdout, os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "faceid:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends. ready, if set, receives the listen address.
func run(ctx context.Context, stdout, stderr io.Writer, ready chan<- string) error {
	log := slog.New(slog.NewJSONHandler(stderr, nil))
	set, err := config.LoadLocal()
	if err != nil {
		return err
	}
	cfg, sc, keys := set.Core, serverConfig(set.Server), set.DropIn.ClientKeys
	if !set.EndpointSet {
		// The sandbox serves both gateways; FACEID_SIGNATURE=cloudmarket
		// gets the Cloud Market gateway's path, so it can be tried here.
		path := "/release/face_id_card/post"
		if cfg.SignatureVariant() == hmacauth.CloudMarket {
			path = "/service-sandbox1/face_id_card/post"
		}
		sb, err := startSandbox(ctx, log, path)
		if err != nil {
			return err
		}
		cfg.Endpoint = sb
		if cfg.SecretID == "" && cfg.SecretKey == "" {
			cfg.SecretID, cfg.SecretKey = sandbox.DefaultSecretID, sandbox.DefaultSecretKey
		}
		log.Warn("using the embedded offline sandbox, an emulator of the face-ID-card API; NOT the real service, no real verification happens",
			"endpoint", sb)
	}
	core.WarnIfRetiringDefault(log, cfg)
	reg, err := metrics.New(metrics.Options{UnitPriceFen: cfg.PriceFen, Function: "local"})
	if err != nil {
		return err
	}
	// Metric lines go with the logs; /metrics serves the totals.
	lines := &metrics.Lines{Registry: reg, Out: stderr, Format: metrics.FormatJSON}
	// The money guards' memory: a store other instances share
	// (FACEID_STATE), or nil for this process's; an unreachable one stops
	// the start.
	st, err := stores.Open(ctx, set.State, map[state.Kind]stores.Opener{
		state.KindDynamoDB: dynamostate.Opener, state.KindRedis: redisstate.Opener,
	})
	if err != nil {
		return err
	}
	if st != nil {
		defer st.Close()
	}
	client, err := core.New(cfg, core.WithObserver(lines), core.WithLogger(log), core.WithState(st))
	if err != nil {
		return err
	}
	up, err := startUploads(ctx, log, client, set)
	if err != nil {
		return err
	}
	defer up.close()
	ln, err := net.Listen("tcp", sc.Addr)
	if err != nil {
		return fmt.Errorf("listen %s: %w", sc.Addr, err)
	}
	h := httphandler.New(httphandler.Options{Verifier: client, Logger: log, ClientKeys: keys, LenientDate: set.DropIn.LenientDate,
		MetricsHandler: reg.Handler(), MaxConcurrent: sc.MaxConcurrent, State: st, Uploads: up.issuer})
	guard, err := newBrowserGuard(h, log, ln.Addr(), sc)
	if err != nil {
		ln.Close()
		return err
	}
	srv := sc.server(guard)
	url := "http://" + ln.Addr().String()
	log.Info("listening", "url", url, "drop_in_signatures", len(keys) > 0, "config", cfg, "server", sc, "state", set.State)
	printExample(stdout, url, len(keys) > 0)
	printUploadExample(stdout, url)
	if ready != nil {
		ready <- ln.Addr().String()
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// startSandbox serves the emulator on a free loopback port until ctx ends
// and returns the URL of path on it.
func startSandbox(ctx context.Context, log *slog.Logger, path string) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("sandbox listen: %w", err)
	}
	srv := &http.Server{Handler: sandbox.New(sandbox.Config{Logger: log.With("component", "sandbox")}),
		ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("sandbox stopped", "error", err)
		}
	}()
	go func() { <-ctx.Done(); srv.Close() }()
	return "http://" + ln.Addr().String() + path, nil
}

// printExample shows a request that works against the sandbox as pasted.
func printExample(w io.Writer, url string, signed bool) {
	photo := "testdata/photos/small-320x240.jpg"
	if abs, err := filepath.Abs(photo); err == nil {
		if _, err := os.Stat(abs); err == nil {
			photo = abs
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nReady. Try a verification (sandbox identity 张三 / 110101199003070011):\n\n")
	fmt.Fprintf(&b, "  curl -s %s/verify -H 'Content-Type: application/json' \\\n", url)
	fmt.Fprintf(&b, "    -d '{\"name\":\"张三\",\"idcard\":\"110101199003070011\",\"image\":\"'\"$(base64 < %s | tr -d '\\n')\"'\"}'\n\n", photo)
	if signed {
		fmt.Fprintf(&b, "  (FACEID_CLIENT_KEYS is set: requests must also carry a gateway-style signature.)\n\n")
	}
	io.WriteString(w, b.String())
}
