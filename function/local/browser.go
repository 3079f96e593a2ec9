package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/faceid-verify/faceid/core"
	"github.com/faceid-verify/faceid/core/mask"
)

// The local server's authority is where it listens: any page open in a
// browser on this machine can reach 127.0.0.1, and with real keys every
// request it accepts costs money. Two browser tricks would spend it: a
// cross-site form post (a "simple" request, sent without a preflight), and
// DNS rebinding (a page whose name is made to resolve to 127.0.0.1, so its
// requests carry a foreign Host and are same-origin to the page). So the
// local server answers only its own address and loopback names, and only
// same-origin requests unless FACEID_ALLOWED_ORIGINS lists the origin.
//
// This guards the local server alone. A deployed function is public by
// design and authenticates callers by signature (drop-in mode), which a
// browser does not add on its own; its Host is the platform's, and its
// CORS is the platform's to configure (Function URL, API Gateway).

// corsHeaders are the request headers a listed origin's pages may send:
// the API's own and the gateway signatures'.
const corsHeaders = "Authorization, Content-Type, Date, Source, X-Date, X-Source, Idempotency-Key, Request-Id"

// browserGuard wraps the handler with the Host and Origin checks.
type browserGuard struct {
	next http.Handler
	log  *slog.Logger
	// own are the addresses the server answers to besides loopback: its
	// listen address, or every interface's when it listens on all.
	own     map[netip.Addr]bool
	hosts   map[string]bool // FACEID_ALLOWED_HOSTS
	origins map[string]bool // FACEID_ALLOWED_ORIGINS, normalised
}

// newBrowserGuard builds the guard for a server listening on listen.
func newBrowserGuard(next http.Handler, log *slog.Logger, listen net.Addr, c serverConfig) (*browserGuard, error) {
	g := &browserGuard{next: next, log: log, own: map[netip.Addr]bool{}, hosts: map[string]bool{}, origins: map[string]bool{}}
	if ap, err := netip.ParseAddrPort(listen.String()); err == nil {
		ip := ap.Addr().Unmap()
		if ip.IsUnspecified() {
			// Listening on every interface: each interface's address is
			// the server's own.
			addrs, _ := net.InterfaceAddrs()
			for _, a := range addrs {
				if p, err := netip.ParsePrefix(a.String()); err == nil {
					g.own[p.Addr().Unmap()] = true
				}
			}
		}
		g.own[ip] = true
	}
	for _, h := range splitList(c.AllowedHosts) {
		h = strings.TrimSuffix(strings.ToLower(h), ".")
		if h == "" || strings.ContainsAny(h, ":/ ") {
			return nil, &core.ConfigError{Key: core.EnvPrefix + "_ALLOWED_HOSTS", Reason: "each entry is a host name without port or scheme"}
		}
		g.hosts[h] = true
	}
	for _, o := range splitList(c.AllowedOrigins) {
		norm, ok := normalizeOrigin(o)
		if !ok {
			return nil, &core.ConfigError{Key: core.EnvPrefix + "_ALLOWED_ORIGINS",
				Reason: fmt.Sprintf("%q is not an origin (scheme://host[:port], no path; not null or *)", o)}
		}
		g.origins[norm] = true
	}
	return g, nil
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// normalizeOrigin reads an origin as a browser serialises it: lower-case
// scheme and host, the default port left out.
func normalizeOrigin(s string) (string, bool) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return "", false
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "", false
		}
		host += ":" + port
	}
	return u.Scheme + "://" + host, true
}

func (g *browserGuard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !g.hostAllowed(r.Host) {
		g.refuse(w, r, http.StatusNotFound, "There is no api match host["+r.Host+"]",
			"foreign Host (DNS rebinding?); list the name in "+core.EnvPrefix+"_ALLOWED_HOSTS to serve it")
		return
	}
	w.Header().Add("Vary", "Origin")
	origin := r.Header.Get("Origin")
	if origin == "" {
		// Browsers send Origin with every request that can change
		// anything; a page's request without one is at most a plain GET.
		if site := r.Header.Get("Sec-Fetch-Site"); (site == "cross-site" || site == "same-site") &&
			r.Method != http.MethodGet && r.Method != http.MethodHead {
			g.refuse(w, r, http.StatusForbidden, msgCrossOrigin, "cross-site request without Origin")
			return
		}
		g.next.ServeHTTP(w, r)
		return
	}
	if norm, ok := normalizeOrigin(origin); ok && norm == "http://"+strings.ToLower(r.Host) {
		g.next.ServeHTTP(w, r) // same origin
		return
	}
	norm, _ := normalizeOrigin(origin)
	if !g.origins[norm] {
		g.refuse(w, r, http.StatusForbidden, msgCrossOrigin, "cross-origin request from an origin not in "+core.EnvPrefix+"_ALLOWED_ORIGINS")
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
		h.Set("Access-Control-Allow-Methods", "GET, POST")
		h.Set("Access-Control-Allow-Headers", corsHeaders)
		h.Set("Access-Control-Max-Age", "600")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	h.Set("Access-Control-Expose-Headers", "X-Request-Id, X-Api-RequestId, Idempotent-Replayed, Retry-After")
	g.next.ServeHTTP(w, r)
}

const msgCrossOrigin = "cross-origin request refused: the origin is not in " + core.EnvPrefix + "_ALLOWED_ORIGINS"

// hostAllowed reports whether a Host header names this server: a loopback
// name or address, its own address, or a listed name. A rebinding page's
// requests carry the page's own name, which is none of these.
func (g *browserGuard) hostAllowed(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || g.hosts[host] {
		return true
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || ip.Zone() != "" {
		return false
	}
	ip = ip.Unmap()
	return ip.IsLoopback() || g.own[ip]
}

// refuse answers as the gateway does, {"message": …}, and logs why.
func (g *browserGuard) refuse(w http.ResponseWriter, r *http.Request, status int, msg, why string) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(struct {
		Message string `json:"message"`
	}{msg})
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
	// The Host and Origin are the caller's, not personal data; bounded
	// by the server's header limit. The path may quote a result key or
	// anything a page put there: masked as an object key is.
	g.log.Warn("request refused", "status", status, "reason", why, "host", r.Host,
		"origin", r.Header.Get("Origin"), "path", mask.Key(r.URL.Path))
}
