package sandbox

import (
	"crypto/tls"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// constError lets sentinel errors be constants rather than package vars.
type constError string

func (e constError) Error() string { return string(e) }

const errNotLoopback = constError("sandbox: photo URLs are fetched from loopback hosts only")

// isLoopbackHost reports whether host is localhost or a loopback address
// (127.0.0.0/8, ::1).
func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}

// newLoopbackClient builds the photo downloader. The dialer refuses any
// non-loopback address even after DNS or a redirect, so the sandbox can
// never reach the network.
func newLoopbackClient() *http.Client {
	dialer := &net.Dialer{
		Timeout: time.Second,
		Control: func(_, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil || !isLoopbackHost(host) {
				return errNotLoopback
			}
			return nil
		},
	}
	return &http.Client{
		Timeout: fetchTimeout,
		Transport: &http.Transport{
			DialContext: dialer.DialContext,
			// No idle connections: nothing outlives a request, so tests
			// that check for leaked goroutines stay clean.
			DisableKeepAlives: true,
			// Loopback test servers use throwaway certificates; only
			// loopback is ever dialled.
			TLSClientConfig:       &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // loopback only, see above
			ResponseHeaderTimeout: fetchTimeout,
		},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 3 || !isLoopbackHost(req.URL.Hostname()) {
				return errNotLoopback
			}
			return nil
		},
	}
}
