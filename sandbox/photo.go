package sandbox

import (
	"bytes"
	"context"
	"encoding/base64"
	"image"
	_ "image/jpeg" // the seller accepts JPEG …
	_ "image/png"  // … and PNG photos
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/faceid-verify/faceid/core/codes"
	"github.com/faceid-verify/faceid/core/photo"
)

// fetchTimeout bounds a loopback photo download, as the seller's own
// download would be bounded.
const fetchTimeout = 3 * time.Second

// photoProblem returns the incorrect code for a bad photo, or 0.
func (s *Server) photoProblem(ctx context.Context, req sellerRequest) int {
	if req.Image != "" {
		// Canonical text needs only its header decoded: the header
		// decoders read a prefix, so one that succeeds on the head answers
		// as on the whole photo; anything else is decoded whole. Its size
		// was refused already: base64DecodedLen is exact for it.
		if h, ok := photo.ReadHead(nil, req.Image); ok && headerOK(h.Bytes) {
			return 0
		}
		b, ok := decodeBase64(req.Image)
		if !ok {
			return codes.InvalidImage
		}
		return checkPhoto(b, s.maxImage)
	}
	return s.checkPhotoURL(ctx, req.URL)
}

// decodeBase64 accepts the standard and URL-safe alphabets, padded or not.
// Line breaks are ignored (Go's decoder skips \r and \n); anything else,
// such as a data: URI prefix or a '+' turned into ' ' by careless form
// encoding, is not repaired: the sandbox is strict where the seller's
// leniency is unknown, so a client bug shows up here first.
func decodeBase64(s string) ([]byte, bool) {
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
	} {
		if b, err := enc.DecodeString(s); err == nil && len(b) > 0 {
			return b, true
		}
	}
	return nil, false
}

// base64DecodedLen estimates the decoded size without decoding, so an
// oversize photo is refused before any work.
func base64DecodedLen(s string) int {
	n := len(s) - strings.Count(s, "\n") - strings.Count(s, "\r")
	n -= strings.Count(s[max(0, len(s)-2):], "=")
	return n * 3 / 4
}

// checkPhoto checks a photo's bytes: over the limit → 108; not a JPEG or
// PNG whose header decodes → 112. Only the header is decoded: the seller's
// face checks are not emulated.
func checkPhoto(b []byte, maxBytes int) int {
	if len(b) > maxBytes {
		return codes.ImageTooLarge
	}
	if !headerOK(b) {
		return codes.InvalidImage
	}
	return 0
}

// headerOK reports whether b starts with a JPEG or PNG header that decodes.
func headerOK(b []byte) bool {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	// The format check keeps the answer stable even if the binary links in
	// other decoders (image formats register globally).
	return err == nil && (format == "jpeg" || format == "png") && cfg.Width > 0 && cfg.Height > 0
}

// checkPhotoURL checks a photo given by URL. Only loopback hosts are
// fetched: the sandbox is offline, so any other host is answered as if the
// seller had downloaded a good photo there.
func (s *Server) checkPhotoURL(ctx context.Context, raw string) int {
	u, err := url.Parse(raw)
	if err != nil {
		return codes.InvalidImage
	}
	if !isLoopbackHost(u.Hostname()) {
		return 0
	}
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return codes.InvalidImage
	}
	resp, err := s.fetch.Do(req)
	if err != nil {
		return codes.InvalidImage
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return codes.InvalidImage
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, int64(s.maxImage)+1))
	if err != nil {
		return codes.InvalidImage
	}
	return checkPhoto(b, s.maxImage)
}
