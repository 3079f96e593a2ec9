// Package httpbody reads request bodies whole, as the function's handler
// and the sandbox's gateway both do.
package httpbody

import (
	"io"
	"net/http"
	"strings"
)

// ReadString reads r's body, at most max bytes, into one string sized
// once from the Content-Length when there is one: a photo-sized body
// grown by doubling costs several copies and page faults. w is as for
// http.MaxBytesReader; over max the error is a *http.MaxBytesError.
func ReadString(w http.ResponseWriter, r *http.Request, max int64) (string, error) {
	var b strings.Builder
	if r.ContentLength > 0 && r.ContentLength <= max {
		b.Grow(int(r.ContentLength))
	}
	_, err := io.Copy(&b, http.MaxBytesReader(w, r.Body, max))
	return b.String(), err
}
