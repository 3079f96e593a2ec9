package main

import (
	"net/http"
	"time"

	"github.com/faceid-verify/faceid/config"
)

// serverConfig is the local server's own settings (config.Server).
type serverConfig config.Server

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
