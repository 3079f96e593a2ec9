package sandbox

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
)

// maxControlBody bounds a control-plane request: a fault is a few bytes.
const maxControlBody = 64 << 10

// serveControl is the emulator's control plane under /_sandbox/. It needs
// no signature: it is a test harness, not part of the emulated API, and the
// standalone binary listens on loopback by default.
//
//	GET    /_sandbox/stats   counters as JSON
//	DELETE /_sandbox/stats   reset counters (and rate/quota usage)
//	GET    /_sandbox/faults  queued faults
//	POST   /_sandbox/faults  queue one fault: {"kind":"status","status":502,"times":1}
//	DELETE /_sandbox/faults  clear faults
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case controlPrefix + "stats":
		switch r.Method {
		case http.MethodGet:
		case http.MethodDelete:
			s.ResetStats()
		default:
			writeGatewayError(w, http.StatusMethodNotAllowed, msgMethodNotAllowed)
			return
		}
		writeBody(w, http.StatusOK, marshal(s.Stats()))
	case controlPrefix + "faults":
		switch r.Method {
		case http.MethodGet:
		case http.MethodPost:
			if err := s.injectFromBody(w, r); err != nil {
				writeGatewayError(w, http.StatusBadRequest, err.Error())
				return
			}
		case http.MethodDelete:
			s.ClearFaults()
		default:
			writeGatewayError(w, http.StatusMethodNotAllowed, msgMethodNotAllowed)
			return
		}
		writeBody(w, http.StatusOK, marshal(struct {
			Faults []Fault `json:"faults"`
		}{s.Faults()}))
	default:
		writeGatewayError(w, http.StatusNotFound, "no sandbox control endpoint "+r.URL.Path)
	}
}

func (s *Server) injectFromBody(w http.ResponseWriter, r *http.Request) error {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxControlBody))
	if err != nil {
		return errors.New("cannot read the fault: " + err.Error())
	}
	var f Fault
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	return s.InjectFault(f)
}
