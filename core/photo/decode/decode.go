package decode

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"strings"

	"github.com/faceid-verify/faceid/core/photo"
	"golang.org/x/image/bmp"
)

// Check decodes the whole photo img, as the upstream will have to, within
// b, and reports the damage the header checks cannot see: data that ends
// before the image does ("truncated") or does not decode ("corrupt"). A
// variant Go's decoders cannot read (a rare JPEG sampling, a compressed
// BMP) passes: it is not known to be damaged, and the upstream may read it.
// A photo needing more than the whole budget is refused ("dimensions").
func Check(ctx context.Context, img []byte, b *Budget) error {
	est, err := EstimateOf(img)
	if err != nil {
		return err
	}
	return check(ctx, bytes.NewReader(img), est, b)
}

// CheckBase64 is Check for a photo given as canonical standard base64
// text, whose decoded header is head (photo.ReadHead): the text is decoded
// as the image is, never held decoded whole, and the decoders stop at the
// image's end, so bytes after it are not decoded at all.
func CheckBase64(ctx context.Context, head []byte, text string, b *Budget) error {
	est, err := EstimateOf(head)
	if err != nil {
		return err
	}
	return check(ctx, base64.NewDecoder(base64.StdEncoding, strings.NewReader(text)), est, b)
}

func check(ctx context.Context, r io.Reader, est Estimate, b *Budget) error {
	release, err := reserve(ctx, est, 0, b)
	if err != nil {
		return err
	}
	defer release()
	_, err = decodeFrom(r, est.Format)
	if err == nil || unsupported(err) {
		return nil
	}
	return damaged(est.Format, err)
}

// Image decodes img for a rewrite, holding its estimate plus extra bytes
// (what the rewrite allocates besides) of b until release is called, and
// refusing, before decoding, more than maxPixels pixels. Unlike Check it
// fails on a variant the decoders cannot read ("unsupported_format"): there
// would be nothing to rewrite.
func Image(ctx context.Context, img []byte, extra int64, maxPixels int, b *Budget) (m image.Image, release func(), err error) {
	est, err := EstimateOf(img)
	if err != nil {
		return nil, nil, err
	}
	return decodeImage(ctx, bytes.NewReader(img), est, extra, maxPixels, b)
}

// ImageBase64 is Image for a photo given as canonical standard base64
// text whose decoded header is head (photo.ReadHead): the text is decoded
// as the image is, never held decoded whole.
func ImageBase64(ctx context.Context, head []byte, text string, extra int64, maxPixels int, b *Budget) (m image.Image, release func(), err error) {
	est, err := EstimateOf(head)
	if err != nil {
		return nil, nil, err
	}
	return decodeImage(ctx, base64.NewDecoder(base64.StdEncoding, strings.NewReader(text)), est, extra, maxPixels, b)
}

func decodeImage(ctx context.Context, r io.Reader, est Estimate, extra int64, maxPixels int, b *Budget) (m image.Image, release func(), err error) {
	if px := int64(est.Width) * int64(est.Height); px > int64(maxPixels) {
		return nil, nil, errPixels(est.Width, est.Height, maxPixels)
	}
	if release, err = reserve(ctx, est, extra, b); err != nil {
		return nil, nil, err
	}
	m, err = decodeFrom(r, est.Format)
	if err == nil && m.Bounds().Empty() {
		err = errors.New("no pixels")
	}
	if err != nil {
		release()
		if unsupported(err) {
			return nil, nil, errVariant(est.Format, err)
		}
		return nil, nil, damaged(est.Format, err)
	}
	return m, release, nil
}

// reserve holds est.Bytes+extra of b, refusing a photo that needs more
// than the whole budget with the number of its pixels it could have had.
func reserve(ctx context.Context, est Estimate, extra int64, b *Budget) (func(), error) {
	need, size := est.Bytes+extra, b.Size()
	if need > size {
		px := int64(est.Width) * int64(est.Height)
		allowed := size * px / need / 10000 * 10000 // in whole 万, as the message states it
		return nil, errPixels(est.Width, est.Height, int(allowed))
	}
	return b.Reserve(ctx, need)
}

// decodeFrom decodes an image of format f from r. A JPEG passes through
// jpegGuard, so that it cannot allocate more than its header said; the
// other decoders read in small pieces, so they get a buffer.
func decodeFrom(r io.Reader, f photo.Format) (image.Image, error) {
	switch f {
	case photo.JPEG:
		return jpeg.Decode(&jpegGuard{r: r})
	case photo.PNG:
		return png.Decode(bufio.NewReader(r))
	case photo.BMP:
		return bmp.Decode(bufio.NewReader(r))
	}
	return nil, fmt.Errorf("decode: cannot decode %s", f) // photo.Sniff accepts nothing else
}

// unsupported reports a variant the decoder does not implement, as
// opposed to data that is wrong.
func unsupported(err error) bool {
	var je jpeg.UnsupportedError
	var pe png.UnsupportedError
	return errors.As(err, &je) || errors.As(err, &pe) || errors.Is(err, bmp.ErrUnsupported)
}

// truncated reports data that ended before the image did. image/jpeg
// reports a scan cut short as "short Huffman data", image/png pixel data
// that stops early as "not enough pixel data".
func truncated(err error) bool {
	var je jpeg.FormatError
	var pe png.FormatError
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.As(err, &je) && je == "short Huffman data" ||
		errors.As(err, &pe) && pe == "not enough pixel data"
}

func damaged(f photo.Format, err error) error {
	if truncated(err) {
		return errTruncated(f)
	}
	return errCorrupt(f, err)
}
