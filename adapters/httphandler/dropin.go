package httphandler

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"
)

// The drop-in surface: clients written for the upstream change only the
// host, so on the upstream's own paths the function answers as the
// upstream's gateway and seller do wherever those clients can tell.

// upstreamStages are the legacy gateway's release stages, the first
// segment of the product page's URL.
var upstreamStages = []string{"release", "test", "prepub"}

// servicePattern is the route of the Cloud Market API gateway's address
// form, /service-<id>/face_id_card/post; isServiceID checks the id.
const servicePattern = "POST /{service}/face_id_card/post"

// isServiceID reports whether seg is "service-" and 8 lower-case letters
// or digits, the form of the new gateway's service ids.
func isServiceID(seg string) bool {
	id, ok := strings.CutPrefix(seg, "service-")
	if !ok || len(id) != 8 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// isUpstreamPath reports whether path is one of the upstream's own paths,
// on either gateway.
func isUpstreamPath(path string) bool {
	seg, ok := strings.CutSuffix(strings.TrimPrefix(path, "/"), "/face_id_card/post")
	if !ok || strings.Contains(seg, "/") {
		return false
	}
	for _, s := range upstreamStages {
		if seg == s {
			return true
		}
	}
	return isServiceID(seg)
}

// upstreamStatus is the HTTP status of a on the upstream's paths. The
// seller answers every refusal of its own, bad input included, with HTTP
// 200 and the code in the body, and the product page's Java and Python
// samples read a body only on a 2xx: there, a local rejection and a seller
// refusal are a 200 as well. What a gateway refuses before the seller (a
// signature, a rate, a size) and what fails between the function and the
// upstream keep their statuses. It only presents on these paths the kind
// and status that core.Classify chose (a replayed answer carries them in
// its stored body); it classifies nothing itself.
func upstreamStatus(a answer) int {
	if a.body.Error == nil {
		return a.status
	}
	switch a.body.Error.Kind {
	case "seller":
		return http.StatusOK
	case "validation":
		if a.status == http.StatusRequestEntityTooLarge {
			return a.status
		}
		return http.StatusOK
	}
	return a.status
}

// forPath returns a with the status callers on r's path expect.
func forPath(r *http.Request, a answer) answer {
	if isUpstreamPath(r.URL.Path) {
		a.status = upstreamStatus(a)
	}
	return a
}

// Gateway messages for routes that do not exist, worded as the gateway
// words them (gateway-auth.md §1b) and as the sandbox answers them.
const msgMethodNotAllowed = "Method Not Allowed."

func msgNoRoute(path string) string { return "There is no api match uri[" + path + "]" }

// setRequestIDs puts the request id on the answer twice: as the function's
// own X-Request-Id and as the gateway's X-Api-RequestId, which clients of
// the upstream may log or quote. The latter is set without canonicalising,
// so it goes out spelt as the gateway spells it.
func setRequestIDs(h http.Header, rid string) {
	h.Set("X-Request-Id", rid)
	h["X-Api-RequestId"] = []string{rid}
}

// writeGateway answers as the gateway itself does: a flat {"message": …}
// body, byte for byte as the sandbox writes it. The gateway's JSON encoder
// escapes '/' as '\/' (gateway-auth.md §2 quotes `uri[\/api\/v1\/…]`); a
// '/' can only occur inside the string here, so a plain replacement is
// exact.
func writeGateway(w http.ResponseWriter, status int, msg string) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(struct {
		Message string `json:"message"`
	}{msg}) // a struct of one string always encodes
	b := bytes.ReplaceAll(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("/"), []byte(`\/`))
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b) // a caller that went away is not an error to report
}

// redirectType is the type of the handler net/http's mux picks when it
// would redirect instead of serving.
var redirectType = reflect.TypeOf(http.RedirectHandler("/", http.StatusMovedPermanently))

// route sends r to its handler, or answers an unknown path or method as
// the gateway does rather than with net/http's plain-text 404 and 405.
func (h *Handler) route(w http.ResponseWriter, r *http.Request) {
	handler, pattern := h.mux.Handler(r)
	// The mux answers an unclean path (//verify, /a/../verify) and
	// /results without its slash with a 301 to another path. The gateways
	// match the path as sent and redirect nothing; a client that followed
	// the redirect would turn a POST into a GET. Such a path is no api.
	if reflect.TypeOf(handler) == redirectType {
		writeGateway(w, http.StatusNotFound, msgNoRoute(r.URL.Path))
		return
	}
	// The service route's wildcard matches any first segment; only the
	// gateway's id form is an api.
	noAPI := pattern == servicePattern || pattern == ""
	if noAPI && isServiceShaped(r.URL.Path) && !isUpstreamPath(r.URL.Path) {
		writeGateway(w, http.StatusNotFound, msgNoRoute(r.URL.Path))
		return
	}
	if pattern != "" {
		h.mux.ServeHTTP(w, r)
		return
	}
	// The mux knows whether the path exists for another method: ask it
	// for the status and the Allow header, then answer in JSON.
	var probe statusProbe
	handler.ServeHTTP(&probe, r)
	if probe.status == http.StatusMethodNotAllowed && h.servedAsSent(r, probe.Header().Get("Allow")) {
		w.Header().Set("Allow", probe.Header().Get("Allow"))
		writeGateway(w, http.StatusMethodNotAllowed, msgMethodNotAllowed)
		return
	}
	writeGateway(w, http.StatusNotFound, msgNoRoute(r.URL.Path))
}

// servedAsSent reports whether r's path is served as sent for one of the
// methods the mux allows: it also allows those that would only redirect
// the path (GET for /results, for /results/{key...}), and such a path is
// no api whatever the method.
func (h *Handler) servedAsSent(r *http.Request, allow string) bool {
	for _, m := range strings.Split(allow, ",") {
		other := *r // the mux reads only the method, host and URL
		other.Method = strings.TrimSpace(m)
		if handler, pattern := h.mux.Handler(&other); pattern != "" && reflect.TypeOf(handler) != redirectType {
			return true
		}
	}
	return false
}

// isServiceShaped reports whether path is /<one segment>/face_id_card/post.
func isServiceShaped(path string) bool {
	seg, ok := strings.CutSuffix(strings.TrimPrefix(path, "/"), "/face_id_card/post")
	return ok && seg != "" && !strings.Contains(seg, "/")
}

// statusProbe records the status net/http's fallback handlers choose.
type statusProbe struct {
	header http.Header
	status int
}

func (p *statusProbe) Header() http.Header {
	if p.header == nil {
		p.header = http.Header{}
	}
	return p.header
}

func (p *statusProbe) WriteHeader(status int) {
	if p.status == 0 {
		p.status = status
	}
}

func (p *statusProbe) Write(b []byte) (int, error) {
	p.WriteHeader(http.StatusOK)
	return len(b), nil
}
