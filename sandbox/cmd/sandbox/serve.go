package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/faceid-verify/faceid/sandbox"
)

// shutdownGrace is how long in-flight calls get after SIGINT/SIGTERM.
const shutdownGrace = 5 * time.Second

// run serves until ctx is done, then shuts down gracefully.
func run(ctx context.Context, args []string, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	ids := sandbox.DefaultIdentities()
	if o.identities != "" {
		if ids, err = sandbox.LoadIdentities(o.identities); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	scheme := "http"
	if o.tls {
		cfg, err := tlsConfig(o.tlsCAOut, time.Now())
		if err != nil {
			_ = ln.Close()
			return err
		}
		ln, scheme = tls.NewListener(ln, cfg), "https"
	}
	url := scheme + "://" + ln.Addr().String()
	// This line comes first: callers read the URL from it.
	logger.Info("offline sandbox of the face–ID-card API listening: an emulator, NOT the real Tencent Cloud Market service; nothing is sent upstream or charged",
		"url", url, "identities", len(ids), "rate", o.rate, "quota", o.quota, "tls", o.tls,
		"clock_skew", o.clockSkew.String())

	sb := sandbox.New(sandbox.Config{
		Keys:          map[string]string{o.secretID: o.secretKey},
		Identities:    ids,
		MaxImageBytes: o.maxImageBytes,
		RateLimit:     o.rate,
		Quota:         o.quota,
		ClockSkew:     o.clockSkew,
		Logger:        logger,
	})
	srv := &http.Server{
		Handler:           sb,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		// HTTP/1.1 only: the reset faults hijack the connection.
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("sandbox shutting down")
	sb.Close() // release calls held by latency, slow_body and stall faults
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		_ = srv.Close()
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// tlsConfig builds the HTTPS config and writes the certificate to trust.
func tlsConfig(caOut string, now time.Time) (*tls.Config, error) {
	cert, certPEM, err := selfSigned(now)
	if err != nil {
		return nil, fmt.Errorf("tls: %w", err)
	}
	if caOut != "" {
		if err := os.WriteFile(caOut, certPEM, 0o644); err != nil {
			return nil, fmt.Errorf("tls: %w", err)
		}
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
		NextProtos:   []string{"http/1.1"},
	}, nil
}
