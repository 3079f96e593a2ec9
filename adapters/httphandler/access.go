package httphandler

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/faceid-verify/faceid/core/hmacauth"
)

// Drop-in authentication. The gateway answers an unknown SecretId with
// its own message ("HMAC signature cannot be verified"), which tells a
// prober which ids exist; the sandbox keeps that, as the gateway documents
// it. The function does not: an unknown id is checked against a decoy key
// no caller can know, so it costs the same work and fails with the same
// status and message as a wrong signature.

// newDropInVerifier checks signatures against keys, with a fresh decoy
// for every id not among them.
func newDropInVerifier(keys map[string]string, now func() time.Time, lenientDate bool) *hmacauth.Verifier {
	var b [32]byte
	rand.Read(b[:])
	decoy := base64.RawStdEncoding.EncodeToString(b[:])
	return &hmacauth.Verifier{
		Lookup: func(id string) (string, bool) {
			if k, ok := keys[id]; ok {
				return k, true
			}
			return decoy, true
		},
		Now: now,
		// Every scheme's date within the window, unless the gateway's
		// leniency for Date is asked for (replay.go).
		StrictDate: !lenientDate,
	}
}

// authenticate checks r's drop-in signature, if drop-in mode is on, and
// returns it (its ID is the caller's SecretId). On failure it has answered
// as the gateway does and returns false.
func (h *Handler) authenticate(w http.ResponseWriter, r *http.Request, log *slog.Logger, start time.Time) (hmacauth.Signed, bool) {
	if h.verifier == nil {
		return hmacauth.Signed{}, true
	}
	s, err := h.verifier.Check(r, hmacauth.AnyGateway)
	if _, known := h.opts.ClientKeys[s.ID]; err == nil && !known {
		err = &hmacauth.Failure{Status: http.StatusForbidden, Message: hmacauth.MsgSignatureMismatch}
	}
	if err != nil {
		var f *hmacauth.Failure
		if !errors.As(err, &f) {
			f = &hmacauth.Failure{Status: http.StatusForbidden, Message: hmacauth.MsgSignatureMismatch}
		}
		writeGateway(w, f.Status, f.Message)
		log.WarnContext(r.Context(), "inbound signature rejected", "status", f.Status, "reason", f.Message,
			"latency_ms", msSince(start))
		return hmacauth.Signed{}, false
	}
	return s, true
}

// signed serves next only to signed callers in drop-in mode (/metrics:
// what was spent and refused is the operator's business).
func (h *Handler) signed(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		log := h.opts.Logger.With("request_id", requestID(r.Context()), "path", r.URL.Path)
		if _, ok := h.authenticate(w, r, log, time.Now()); ok {
			next.ServeHTTP(w, r)
		}
	})
}
