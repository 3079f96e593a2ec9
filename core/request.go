package core

import (
	"context"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/faceid-verify/faceid/core/idcard"
	"github.com/faceid-verify/faceid/core/invalid"
	"github.com/faceid-verify/faceid/core/personname"
	"github.com/faceid-verify/faceid/core/photo"
	"github.com/faceid-verify/faceid/core/photo/decode"
	"github.com/faceid-verify/faceid/core/photo/normalize"
)

// Request is one verification: a name, an ID number and exactly one photo
// source — raw bytes, base64 text, or a URL the upstream fetches itself.
type Request struct {
	Name   string
	IDCard string
	// Image is the photo's bytes (e.g. read from object storage).
	Image []byte
	// ImageBase64 is the photo as base64 (standard or URL-safe, padded or
	// not, optionally a data: URI, whitespace ignored).
	ImageBase64 string
	URL         string
}

// Checked is a Request that passed every local check, normalised.
type Checked struct {
	Name  string
	ID    idcard.Number
	Image []byte
	Info  photo.Info
	URL   string

	// text is the request's own base64 of Image when it was exactly the
	// canonical standard encoding, so the body can send it as it is
	// instead of encoding Image again. It holds only while Image is still
	// the slice it was decoded into (textOf): a caller that swaps the
	// photo gets the new one encoded. Verify, which never shows its
	// Checked, does not decode such text at all: Image stays nil and the
	// text alone is sent (textOnly).
	text     string
	textOf   *byte
	textOnly bool
	// escapes counts text's '+', '/' and '='.
	escapes int
}

// imageText returns the base64 text to send for Image, if the request's
// own can be sent as it is, and how many of its characters need escaping.
func (c Checked) imageText() (string, int, bool) {
	if c.textOnly && c.Image == nil {
		return c.text, c.escapes, true
	}
	if c.text == "" || len(c.Image) == 0 || &c.Image[0] != c.textOf ||
		len(c.text) != photo.EncodedLen(len(c.Image)) {
		return "", 0, false
	}
	return c.text, c.escapes, true
}

// Limits are the local checks' bounds.
type Limits struct {
	Photo        photo.Limits
	MaxURLLength int
	// Normalize applies EXIF orientation and shrinks photos over the
	// upstream's limits instead of refusing them.
	Normalize bool
	// MaxInputBytes bounds a photo before normalisation.
	MaxInputBytes int
	// AllowLoopbackURL lets photo URLs name this machine, for a sandbox
	// upstream that fetches them from loopback (never the real seller).
	AllowLoopbackURL bool
	// Decode is the process's decode memory, shared by every photo's
	// integrity check and rewrite (Client.Limits sets the client's); nil
	// gives each photo decode.DefaultSize of its own.
	Decode *decode.Budget
}

// Limits derives the validation bounds from the config, without a shared
// decode budget: Client.Limits is the same with the client's.
func (c Config) Limits() Limits {
	return Limits{
		Photo: photo.Limits{
			MaxBytes:  c.MaxImageBytes,
			MaxSide:   c.MaxImageSide,
			MaxPixels: c.MaxImagePixels,
			MinSide:   c.MinImageSide,
		},
		MaxURLLength:  c.MaxURLLength,
		Normalize:     c.ImageNormalize != "off",
		MaxInputBytes: c.MaxInputBytes,
		// Validate allows it only with a loopback endpoint.
		AllowLoopbackURL: c.AllowLoopbackPhotoURLs,
	}
}

// Validate runs every local check a paid call could fail on. It returns a
// *ValidationError for the first field that fails, in the order the seller
// reports them: idcard, name, then the photo, whose header is checked
// before the whole photo is decoded (decode.Check) to find damage the
// header does not show. Decoding waits for its share of lim.Decode while
// ctx lasts: a *BusyError if it did not get it.
func (r Request) Validate(ctx context.Context, lim Limits, now time.Time) (Checked, error) {
	return r.validate(ctx, lim, now, nil, false)
}

// ValidatePerson runs the checks of Validate on the ID number and the
// name, in the same order, and ignores the photo: for callers that learn
// the photo later (a presigned upload) but must refuse a person Validate
// would refuse before anything is uploaded.
func (r Request) ValidatePerson(now time.Time) (Checked, error) {
	var c Checked
	id, err := idcard.Parse(r.IDCard, now)
	if err != nil {
		return c, err
	}
	c.ID = id
	c.Name, err = personname.Normalize(r.Name)
	return c, err
}

// validate is Validate decoding a base64 photo into *scratch's storage
// when it is large enough, and otherwise leaving the larger buffer the
// decoder allocated in *scratch for the next call (Verify pools it). With
// headOnly, canonical text is decoded only as far as its header
// (checkHead), checked as it is decoded once more by the image decoder,
// and the Checked sends the text alone.
func (r Request) validate(ctx context.Context, lim Limits, now time.Time, scratch *[]byte, headOnly bool) (Checked, error) {
	c, err := r.ValidatePerson(now)
	if err != nil {
		return c, err
	}
	sources := 0
	for _, has := range []bool{len(r.Image) > 0, strings.TrimSpace(r.ImageBase64) != "", strings.TrimSpace(r.URL) != ""} {
		if has {
			sources++
		}
	}
	switch {
	case sources == 0:
		return c, invalid.New("image", "image_or_url_missing", "和图片url[url]必须二选一,不能都为空", "one of image or url is required")
	case sources > 1:
		return c, invalid.New("image", "image_and_url", "和图片url[url]只能二选一,不能同时提供", "send either image or url, not both")
	case strings.TrimSpace(r.URL) != "":
		c.URL, err = checkURL(r.URL, lim.MaxURLLength, lim.AllowLoopbackURL)
		return c, err
	}
	img, text := r.Image, ""
	if len(img) == 0 && headOnly {
		if c, done, err := r.checkHead(ctx, c, lim, scratch); done {
			return c, err
		}
	}
	if len(img) == 0 {
		var (
			canonical bool
			dst       []byte
		)
		if scratch != nil {
			dst = *scratch
		}
		if img, canonical, err = photo.DecodeBase64Into(dst, r.ImageBase64, lim.Intake()); err != nil {
			return c, err
		}
		if scratch != nil && cap(img) > cap(dst) {
			*scratch = img[:0]
		}
		if canonical {
			text = r.ImageBase64
		}
	}
	changed := false
	if lim.Normalize {
		// Header checks first at the intake size, so nothing is decoded that
		// the checks would refuse; then fix what the upstream would fail on.
		if _, err = photo.Check(img, lim.intakePhoto()); err != nil {
			return c, err
		}
		if img, _, changed, err = normalize.Normalize(ctx, img, lim.normalizeOptions()); err != nil {
			return c, err
		}
		if changed {
			text = ""
		}
	}
	if c.Info, err = photo.Check(img, lim.Photo); err != nil {
		return c, err
	}
	// A rewrite decoded the photo whole already, and its output is ours.
	if !changed {
		if err = decode.Check(ctx, img, lim.Decode); err != nil {
			return c, err
		}
	}
	c.Image = img
	if text != "" {
		c.text, c.textOf = text, &img[0]
		c.escapes = strings.Count(text, "+") + strings.Count(text, "/") + strings.Count(text[len(text)-2:], "=")
	}
	return c, nil
}

// checkHead runs the photo checks on canonical base64 text without
// holding more of it decoded than its header (photo.ReadHead), into
// *scratch's storage; the integrity check decodes the text as it decodes
// the image (decode.CheckBase64), and so does a rewrite
// (normalize.NormalizeBase64). done is false when the text is not
// canonical or is over the intake size: the caller then decodes it whole,
// as Validate does, so both refuse and accept exactly the same photos.
func (r Request) checkHead(ctx context.Context, c Checked, lim Limits, scratch *[]byte) (_ Checked, done bool, err error) {
	var dst []byte
	if scratch != nil {
		dst = *scratch
	}
	h, ok := photo.ReadHead(dst, r.ImageBase64)
	if !ok {
		return c, false, nil
	}
	if scratch != nil && cap(h.Bytes) > cap(dst) {
		*scratch = h.Bytes[:0]
	}
	if h.Size > lim.Intake() {
		return c, false, nil
	}
	if lim.Normalize {
		if _, err := photo.CheckSized(h.Bytes, h.Size, lim.intakePhoto()); err != nil {
			return c, true, err
		}
		// A rewrite decodes the text as it reads it: a photo waiting for
		// decode memory holds no decoded copy meanwhile.
		out, _, changed, err := normalize.NormalizeBase64(ctx, h.Bytes, h.Size, r.ImageBase64, lim.normalizeOptions())
		if err != nil {
			return c, true, err
		}
		if changed {
			c.Info, err = photo.Check(out, lim.Photo)
			c.Image = out
			return c, true, err
		}
	}
	if c.Info, err = photo.CheckSized(h.Bytes, h.Size, lim.Photo); err != nil {
		return c, true, err
	}
	if err = decode.CheckBase64(ctx, h.Bytes, r.ImageBase64, lim.Decode); err != nil {
		return c, true, err
	}
	c.text, c.textOnly, c.escapes = r.ImageBase64, true, h.Escapes
	return c, true, nil
}

// Intake is the largest photo accepted before normalisation.
func (l Limits) Intake() int { return max(l.MaxInputBytes, l.Photo.MaxBytes) }

// intakePhoto is the photo limits with the intake size, which the header
// checks use before normalising.
func (l Limits) intakePhoto() photo.Limits {
	p := l.Photo
	p.MaxBytes = l.Intake()
	return p
}

// normalizeOptions rewrites a photo only where the upstream would fail it:
// a sideways EXIF orientation, more bytes than its limit, or a side beyond
// the configured maximum.
func (l Limits) normalizeOptions() normalize.Options {
	o := normalize.DefaultOptions()
	o.MaxBytes, o.MaxSide, o.MaxPixels = l.Photo.MaxBytes, l.Photo.MaxSide, l.Photo.MaxPixels
	o.Budget = l.Decode
	return o
}

// checkURL accepts an absolute http(s) URL without credentials whose host
// the seller can reach (checkURLHost). The upstream fetches it, so anything
// else would be a paid call certain to fail.
func checkURL(raw string, max int, allowLoopback bool) (string, error) {
	s := strings.TrimSpace(raw)
	if len(s) > max {
		return "", invalid.New("url", "too_long", "长度超过限制", "URL too long")
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return "", invalid.New("url", "format", "格式错误", "URL contains spaces or control characters")
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "", invalid.New("url", "format", "格式错误", "not an absolute URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", invalid.New("url", "scheme", "仅支持http或https", "only http and https URLs are accepted")
	}
	if u.User != nil {
		return "", invalid.New("url", "userinfo", "不能包含用户名或密码", "URL must not contain credentials")
	}
	if err := checkURLHost(u, allowLoopback); err != nil {
		return "", err
	}
	return s, nil
}
