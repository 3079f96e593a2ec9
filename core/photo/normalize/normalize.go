package normalize

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"math"

	"github.com/faceid-verify/faceid/core/photo"
	"github.com/faceid-verify/faceid/core/photo/decode"
)

// maxShrinks bounds the smaller sizes tried after the quality steps (see
// lowerQuality), so a photo costs at most 4+4 encodings.
const maxShrinks = 4

// Normalize returns img itself (changed false) when the upstream can take
// it as it is, and otherwise an upright JPEG re-encoding of it within
// opt.MaxBytes and opt.TargetSide (changed true). info describes the
// returned photo.
//
// A photo is rewritten when it is larger than MaxBytes, when its longer
// side exceeds MaxSide, or when it is a JPEG with an EXIF orientation
// other than 1 and ApplyOrientation is set. Decoding then happens only if
// the header reports at most MaxPixels pixels, and only once the decode
// and the rewrite fit in opt.Budget, waiting while ctx lasts for others to
// finish (decode.Image); a rewritten photo has thus been decoded whole, and
// needs no decode.Check. The result is
// reduced to fit TargetSide, keeping the aspect ratio; if it is still too
// large, lower qualities and then smaller sizes are tried, a bounded number
// of times, before the "too_large" error.
//
// Errors from photo.Sniff are returned whatever the options, so a photo is
// never passed on that Sniff would refuse; Sniff is also why no photo.Info
// is taken from the caller, whose figures could be wrong. Without a
// rewrite nothing is decoded: damage past the header is decode.Check's to
// find.
func Normalize(ctx context.Context, img []byte, opt Options) (out []byte, info photo.Info, changed bool, err error) {
	info, err = photo.Sniff(img)
	if err != nil {
		return nil, info, false, err
	}
	if !needed(img, len(img), info, opt) {
		return img, info, false, nil
	}
	return rewrite(img, info, opt, func(extra int64, o Options) (image.Image, func(), error) {
		return decode.Image(ctx, img, extra, o.MaxPixels, o.Budget)
	})
}

// NormalizeBase64 is Normalize for a photo given as canonical standard
// base64 text, of which head is the decoded header and size the decoded
// size (photo.ReadHead): a rewrite decodes the image from the text as it
// reads it, so the photo is never held decoded whole. Without a rewrite
// out is nil and changed false: the caller sends the text.
func NormalizeBase64(ctx context.Context, head []byte, size int, text string, opt Options) (out []byte, info photo.Info, changed bool, err error) {
	info, err = photo.Sniff(head)
	if err != nil {
		return nil, info, false, err
	}
	if !needed(head, size, info, opt) {
		return nil, info, false, nil
	}
	return rewrite(head, info, opt, func(extra int64, o Options) (image.Image, func(), error) {
		return decode.ImageBase64(ctx, head, text, extra, o.MaxPixels, o.Budget)
	})
}

// rewrite decodes the photo whose header is head with dec, within the
// decode budget, and encodes it upright within the limits.
func rewrite(head []byte, info photo.Info, opt Options,
	dec func(extra int64, o Options) (image.Image, func(), error)) ([]byte, photo.Info, bool, error) {
	opt = opt.withDefaults()
	o := 1
	if info.Format == photo.JPEG {
		o = orientation(head)
	}
	src, release, err := dec(rewriteBytes(info.Width, info.Height, opt), opt)
	if err != nil {
		return nil, info, false, err
	}
	defer release()
	out, rect, err := encodeWithin(src, o, opt)
	if err != nil {
		return nil, info, false, err
	}
	return out, photo.Info{Format: photo.JPEG, Width: rect.Dx(), Height: rect.Dy()}, true, nil
}

// needed reports whether Normalize would rewrite a photo of size bytes
// whose header is in head (as photo.ReadHead returns it) and which
// photo.Sniff described as info. It reads only the header.
func needed(head []byte, size int, info photo.Info, opt Options) bool {
	if !opt.Enabled {
		return false
	}
	opt = opt.withDefaults()
	o := 1
	if info.Format == photo.JPEG {
		o = orientation(head)
	}
	return size > opt.MaxBytes || max(info.Width, info.Height) > opt.MaxSide ||
		(o != 1 && opt.ApplyOrientation)
}

// rewriteBytes bounds what a rewrite of a w×h photo allocates besides the
// decoded image: the RGBA at the target size, the encoder's output buffer
// (grown by doubling: at most twice the output, itself under 1 byte a
// pixel at quality 90 even for noise, under 2 above), and the row buffers
// and weights of resample.
func rewriteBytes(w, h int, opt Options) int64 {
	opt = opt.withDefaults()
	tw, th := fitSide(w, h, opt.TargetSide)
	px := int64(tw) * int64(th)
	enc := 2 * px
	if opt.Quality > 90 {
		enc = 4 * px
	}
	rows := 36*int64(tw+th) + 4*int64(w+h) + 3*int64(w) + 24*int64(tw)
	return 4*px + enc + rows + 64<<10
}

// encodeWithin encodes src upright as a JPEG of at most opt.MaxBytes and
// returns it with its bounds. Lower qualities are tried before smaller
// sizes: each costs only an encoding and keeps the resolution the
// comparison works from.
func encodeWithin(src image.Image, o int, opt Options) ([]byte, image.Rectangle, error) {
	w, h := fitSide(src.Bounds().Dx(), src.Bounds().Dy(), opt.TargetSide)
	rgba := resample(src, w, h, o)
	var buf bytes.Buffer
	q := opt.Quality
	for {
		if err := encodeJPEG(&buf, rgba, q); err != nil {
			return nil, image.Rectangle{}, err
		}
		if buf.Len() <= opt.MaxBytes {
			return buf.Bytes(), rgba.Rect, nil
		}
		next := lowerQuality(q)
		if next == q {
			break
		}
		q = next
	}
	minSide := photo.DefaultLimits().MinSide // smaller, photo.Check would refuse it
	for range maxShrinks {
		// Size goes roughly with the pixel count: aim 5% under the limit,
		// shrinking by at least 10% and at most half per step.
		f := min(max(math.Sqrt(float64(opt.MaxBytes)/float64(buf.Len()))*0.95, 0.5), 0.9)
		w, h = int(float64(w)*f), int(float64(h)*f)
		if min(w, h) < minSide {
			break
		}
		rgba = resample(src, w, h, o)
		if err := encodeJPEG(&buf, rgba, q); err != nil {
			return nil, image.Rectangle{}, err
		}
		if buf.Len() <= opt.MaxBytes {
			return buf.Bytes(), rgba.Rect, nil
		}
	}
	return nil, image.Rectangle{}, errTooLarge(opt.MaxBytes)
}

// lowerQuality is the next quality to try after q: 85, 75, 65, then q
// itself, meaning none. Below 65 JPEG artefacts blur facial detail, so a
// smaller image is then the better trade.
func lowerQuality(q int) int {
	switch {
	case q > 85:
		return 85
	case q > 75:
		return 75
	case q > 65:
		return 65
	}
	return q
}

// fitSide scales w×h down, keeping the aspect ratio, until the longer side
// is at most maxSide; neither side drops below 1.
func fitSide(w, h, maxSide int) (int, int) {
	long := max(w, h)
	if long <= maxSide {
		return w, h
	}
	scale := func(n int) int { // int64: n·maxSide overflows a 32-bit int
		return max(int((int64(n)*int64(maxSide)+int64(long)/2)/int64(long)), 1)
	}
	return scale(w), scale(h)
}

func encodeJPEG(buf *bytes.Buffer, m image.Image, quality int) error {
	buf.Reset()
	if err := jpeg.Encode(buf, m, &jpeg.Options{Quality: quality}); err != nil {
		return fmt.Errorf("normalize: encoding JPEG: %w", err) // our bug: dimensions are capped
	}
	return nil
}
