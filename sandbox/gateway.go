package sandbox

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/faceid-verify/faceid/core/hmacauth"
)

// Gateway messages beyond those of hmacauth (gateway-auth.md §1b, §5).
const (
	msgMethodNotAllowed = "Method Not Allowed."
	msgRateLimited      = "API rate limit exceeded."
	msgQuotaExceeded    = "API quota exceeded."
	// msgTooLarge is an assumption: the gateway's body-size answer is not
	// documented; this is nginx's status text in the gateway's style.
	msgTooLarge = "Request Entity Too Large."
)

// serveAPI is one call of the face_id_card API: gateway g's checks, then
// any injected fault, then the seller.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, rid string, g hmacauth.Gateway) {
	s.received.Add(1)
	ev := &event{rid: rid, method: r.Method, path: r.URL.Path, gateway: g.String(), start: time.Now()}
	defer s.logEvent(r.Context(), ev)

	gatewayError := func(status int, msg string) {
		ev.status, ev.message = status, msg
		writeGatewayError(w, status, msg)
	}
	if r.Method != http.MethodPost {
		gatewayError(http.StatusMethodNotAllowed, msgMethodNotAllowed)
		return
	}
	// A declared oversize body is refused before authentication, as a
	// front proxy does, without reading it.
	if r.ContentLength > s.maxBody {
		gatewayError(http.StatusRequestEntityTooLarge, msgTooLarge)
		return
	}
	keyID, err := s.verifier.VerifyFor(r, g)
	if err != nil {
		f := &hmacauth.Failure{Status: http.StatusForbidden, Message: hmacauth.MsgUnknownKey}
		errors.As(err, &f)
		gatewayError(f.Status, f.Message)
		return
	}
	ev.key = keyID
	if msg := s.limits.admit(keyID, s.now()); msg != "" {
		gatewayError(http.StatusTooManyRequests, msg)
		return
	}
	s.authenticated.Add(1)

	// The body is read whole, into a string sized by Content-Length when
	// there is one, and parsed once it is all there (parseBody).
	var body strings.Builder
	body.Grow(int(min(max(r.ContentLength, 0), s.maxBody)))
	if _, err := io.Copy(&body, http.MaxBytesReader(w, r.Body, s.maxBody)); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			gatewayError(http.StatusRequestEntityTooLarge, msgTooLarge)
			return
		}
		ev.note = "client went away while sending the body"
		return
	}

	fault, faulted := s.faults.take()
	if faulted {
		ev.fault = fault.Kind
		if !fault.afterSeller() && !s.beforeSeller(w, r, fault, ev) {
			return
		}
	}

	env := s.decide(r.Context(), r.Header.Get("Content-Type"), body.String())
	ev.code, ev.idcard = env.Code, env.idcard
	if v, ok := env.Data.(verdict); ok {
		ev.incorrect = v.Incorrect
	}
	payload := marshal(env)
	// The seller charges for every answer with code 200, whatever the
	// comparison found, and before the client has read a byte of it.
	if env.Code == codeOK {
		s.billable.Add(1)
		ev.billable = true
	}
	if faulted && fault.afterSeller() {
		s.afterSeller(w, r, fault, payload, ev)
		return
	}
	ev.status = http.StatusOK
	writeBody(w, http.StatusOK, payload)
}
