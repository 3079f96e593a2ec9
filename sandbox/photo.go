package sandbox

import (
	"bytes"
	"context"
	"encoding/base64"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// fetchTimeout bounds a loopback photo download, as the seller's own
// download would be bounded.
const fetchTimeout = 3 * time.Second

// photoProblem returns the incorrect code for a bad photo, or 0.
func (s *Server) photoProblem(ctx context.Context, req sellerRequest) int {
	if req.Image != "" {
		b, ok := decodeBase64(req.Image)
		if !ok {
			return incInvalidImage
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
// PNG that decodes whole → 112. The seller documents 112 for an invalid
// image; a file cut short or overwritten with zeros is one, header or no
// header. Its face checks are not emulated.
func checkPhoto(b []byte, maxBytes int) int {
	if len(b) > maxBytes {
		return incImageTooLarge
	}
	if !decodes(b) {
		return incInvalidImage
	}
	return 0
}

// maxDecodePixels bounds what the sandbox decodes (an assumption: the
// seller's own bound is not documented). At 8 bytes a pixel, the most a
// 16-bit PNG takes, 40 million pixels are 320 MB; a header claiming more is
// answered 112 without decoding, so a bomb cannot take the sandbox down.
const maxDecodePixels = 40_000_000

// decodes reports whether b is a JPEG or PNG that the standard library's
// decoders read to its end. It shares no code with the function's own
// checks (core/photo, core/photo/decode), so that the tests' witness is
// independent of what it witnesses.
func decodes(b []byte) bool {
	var (
		config func(io.Reader) (image.Config, error)
		decode func(io.Reader) (image.Image, error)
	)
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8}):
		config, decode = jpeg.DecodeConfig, jpeg.Decode
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		config, decode = png.DecodeConfig, png.Decode
	default:
		return false
	}
	cfg, err := config(bytes.NewReader(b))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxDecodePixels {
		return false
	}
	_, err = decode(bytes.NewReader(b))
	return err == nil
}

// checkPhotoURL checks a photo given by URL. Only loopback hosts are
// fetched: the sandbox is offline, so any other host is answered as if the
// seller had downloaded a good photo there.
func (s *Server) checkPhotoURL(ctx context.Context, raw string) int {
	u, err := url.Parse(raw)
	if err != nil {
		return incInvalidImage
	}
	if !isLoopbackHost(u.Hostname()) {
		return 0
	}
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return incInvalidImage
	}
	resp, err := s.fetch.Do(req)
	if err != nil {
		return incInvalidImage
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return incInvalidImage
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, int64(s.maxImage)+1))
	if err != nil {
		return incInvalidImage
	}
	return checkPhoto(b, s.maxImage)
}
