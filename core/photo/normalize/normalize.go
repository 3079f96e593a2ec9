package normalize

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"math"

	"github.com/faceid-verify/faceid/core/photo"
	"golang.org/x/image/bmp"
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
// the decoder's own header reports at most MaxPixels pixels. The result is
// reduced to fit TargetSide, keeping the aspect ratio; if it is still too
// large, lower qualities and then smaller sizes are tried, a bounded number
// of times, before the "too_large" error.
//
// Errors from photo.Sniff are returned whatever the options, so a photo is
// never passed on that Sniff would refuse; Sniff is also why no photo.Info
// is taken from the caller, whose figures could be wrong. Without a
// rewrite, damage past the header goes unnoticed: finding it would mean
// decoding every photo.
func Normalize(img []byte, opt Options) (out []byte, info photo.Info, changed bool, err error) {
	info, err = photo.Sniff(img)
	if err != nil {
		return nil, info, false, err
	}
	if !Needed(img, len(img), info, opt) {
		return img, info, false, nil
	}
	opt = opt.withDefaults()
	o := 1
	if info.Format == photo.JPEG {
		o = Orientation(img)
	}
	src, err := decode(img, info.Format, opt.MaxPixels)
	if err != nil {
		return nil, info, false, err
	}
	out, rect, err := encodeWithin(src, o, opt)
	if err != nil {
		return nil, info, false, err
	}
	return out, photo.Info{Format: photo.JPEG, Width: rect.Dx(), Height: rect.Dy()}, true, nil
}

// Needed reports whether Normalize would rewrite a photo of size bytes
// whose header is in head (as photo.ReadHead returns it) and which
// photo.Sniff described as info. It reads only the header.
func Needed(head []byte, size int, info photo.Info, opt Options) bool {
	if !opt.Enabled {
		return false
	}
	opt = opt.withDefaults()
	o := 1
	if info.Format == photo.JPEG {
		o = Orientation(head)
	}
	return size > opt.MaxBytes || max(info.Width, info.Height) > opt.MaxSide ||
		(o != 1 && opt.ApplyOrientation)
}

// decode decodes img after checking, with the decoder's own header reader,
// that it has at most maxPixels pixels: photo.Sniff read the same header,
// but the decoder's reading is what it will allocate for.
func decode(img []byte, f photo.Format, maxPixels int) (image.Image, error) {
	var (
		config func(io.Reader) (image.Config, error)
		dec    func(io.Reader) (image.Image, error)
	)
	switch f {
	case photo.JPEG:
		config, dec = jpeg.DecodeConfig, jpeg.Decode
	case photo.PNG:
		config, dec = png.DecodeConfig, png.Decode
	case photo.BMP:
		config, dec = bmp.DecodeConfig, bmp.Decode
	default: // photo.Sniff accepts nothing else
		return nil, fmt.Errorf("normalize: cannot decode %s", f)
	}
	cfg, err := config(bytes.NewReader(img))
	if err != nil {
		return nil, errDecode(f, err)
	}
	pixels := int64(cfg.Width) * int64(cfg.Height) // int64: no overflow on 32-bit
	if pixels > int64(maxPixels) {
		return nil, errPixels(cfg.Width, cfg.Height, maxPixels)
	}
	if f == photo.JPEG {
		budget := int64(maxPixels) * budgetPerPixel
		if n, ok := jpegDecodeBytes(img, cfg.Width, cfg.Height); ok && n > budget {
			// The bound this photo's kind of JPEG gets, in whole 万.
			allowed := budget * pixels / n / 10000 * 10000
			return nil, errPixels(cfg.Width, cfg.Height, int(allowed))
		}
	}
	m, err := dec(bytes.NewReader(img))
	if err != nil {
		return nil, errDecode(f, err)
	}
	if m.Bounds().Empty() {
		return nil, errDecode(f, fmt.Errorf("no pixels"))
	}
	return m, nil
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
