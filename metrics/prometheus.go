package metrics

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
)

// contentType is the Prometheus text exposition format, version 0.0.4.
const contentType = "text/plain; version=0.0.4; charset=utf-8"

// WritePrometheus writes all metrics in the Prometheus text format 0.0.4,
// families in a fixed order and label values sorted, so equal counters give
// equal bytes. Money is in yuan: Prometheus expects base units, and the
// fen-exact sums are in Snapshot.
func (r *Registry) WritePrometheus(w io.Writer) error {
	_, err := w.Write(r.exposition())
	return err
}

// exposition is what WritePrometheus writes, built in memory in one piece.
// The library writes the samples; the HELP and TYPE lines are written here
// because it has no help texts.
func (r *Registry) exposition() []byte {
	var b bytes.Buffer
	b.Grow(4096)
	for _, f := range r.families {
		// Help texts are constants without backslashes or newlines, so
		// they need no escaping.
		b.WriteString("# HELP " + f.name + " " + f.help + "\n# TYPE " + f.name + " " + f.typ + "\n")
		f.set.WritePrometheus(&b)
	}
	return b.Bytes()
}

// Handler serves WritePrometheus for GET and HEAD (e.g. at /metrics). The
// body is built before the header is sent, so its length is known.
func (r *Registry) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.Method != http.MethodGet && req.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body := r.exposition()
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		if req.Method == http.MethodGet {
			_, _ = w.Write(body) // the client went away; nothing to do
		}
	})
}
