package main

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/faceid-verify/faceid/core"
	"github.com/kelseyhightower/envconfig"
)

// serverConfig is the local server's own settings. The cloud platforms
// hold connections, time out callers and bound concurrency themselves;
// here the server must.
type serverConfig struct {
	Addr string `envconfig:"ADDR" default:"127.0.0.1:9000"`
	// ReadTimeout bounds reading a whole request, body included, so that a
	// stalled upload does not hold its buffer for ever.
	ReadTimeout time.Duration `envconfig:"READ_TIMEOUT" default:"15s"`
	// IdleTimeout closes a kept-alive connection that sends nothing.
	IdleTimeout time.Duration `envconfig:"IDLE_TIMEOUT" default:"60s"`
	// MaxConcurrent bounds requests in flight; beyond it, 503.
	MaxConcurrent int `envconfig:"MAX_CONCURRENT" default:"16"`
	// AllowedOrigins are web origins whose pages may call the server
	// (CORS); AllowedHosts are host names it answers besides its own
	// address and loopback names (browser.go).
	AllowedOrigins string `envconfig:"ALLOWED_ORIGINS"`
	AllowedHosts   string `envconfig:"ALLOWED_HOSTS"`
}

// loadServerConfig reads the local server's FACEID_* settings.
func loadServerConfig() (serverConfig, error) {
	var c serverConfig
	if err := envconfig.Process(core.EnvPrefix, &c); err != nil {
		var pe *envconfig.ParseError
		if errors.As(err, &pe) {
			return c, &core.ConfigError{Key: pe.KeyName, Reason: "cannot parse as " + pe.TypeName}
		}
		return c, fmt.Errorf("config: %w", err)
	}
	for _, d := range []struct {
		key string
		ok  bool
	}{{"READ_TIMEOUT", c.ReadTimeout > 0}, {"IDLE_TIMEOUT", c.IdleTimeout > 0}, {"MAX_CONCURRENT", c.MaxConcurrent > 0}} {
		if !d.ok {
			return c, &core.ConfigError{Key: core.EnvPrefix + "_" + d.key, Reason: "must be positive"}
		}
	}
	return c, nil
}

// server is the http.Server for h with the configured bounds.
func (c serverConfig) server(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: min(10*time.Second, c.ReadTimeout),
		ReadTimeout:       c.ReadTimeout,
		IdleTimeout:       c.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
	}
}
