package normalize

import (
	"github.com/faceid-verify/faceid/core/photo"
	"github.com/faceid-verify/faceid/core/photo/decode"
)

// Options say when and how Normalize rewrites a photo. A zero or negative
// number takes its default, so a forgotten setting never disables a limit.
type Options struct {
	// Enabled turns normalisation on; when off, every photo photo.Sniff
	// accepts passes unchanged.
	Enabled bool
	// MaxBytes is the upstream's size limit (3 MB): a larger photo is
	// re-encoded, and no output is ever larger.
	MaxBytes int
	// MaxSide bounds the longer side of a rewritten photo, and a photo whose
	// longer side exceeds it is rewritten. At most 65535, JPEG's limit.
	MaxSide int
	// TargetSide bounds the longer side of a rewritten photo further,
	// whatever MaxSide allows: a rewrite holds its output as RGBA, 4 bytes
	// a pixel, so at the upstream's 8000 a 40-million-pixel photo would
	// need 160 MB for it alone, too much for a small function. The default,
	// 2048, keeps it under 17 MB and still gives a face several times the
	// pixels a comparison works from. Never above MaxSide.
	TargetSide int
	// Quality is the first JPEG quality tried; lower ones follow if the
	// result is too large.
	Quality int
	// MaxPixels bounds width×height of any photo decoded here, against
	// decompression bombs. The default, 40 million, is photo.Limits' own.
	// Memory is Budget's to bound: a photo is decoded only if what its
	// header says the decode and the rewrite take fits.
	MaxPixels int
	// Budget is the process's decode memory (decode.Budget), shared by
	// every rewrite and integrity check; nil gives each rewrite
	// decode.DefaultSize of its own.
	Budget *decode.Budget
	// ApplyOrientation rewrites a JPEG whose EXIF orientation is not 1 into
	// the upright photo. When off, orientation alone triggers nothing, but
	// a photo rewritten for its size is still turned upright: re-encoding
	// drops the EXIF tag, and with it the only record of the rotation.
	ApplyOrientation bool
}

const maxJPEGSide = 65535 // a JPEG frame header holds 16-bit sizes

// DefaultOptions enables everything with the upstream's limits.
func DefaultOptions() Options {
	return Options{
		Enabled:          true,
		MaxBytes:         photo.DefaultLimits().MaxBytes,
		MaxSide:          2048,
		TargetSide:       2048,
		Quality:          90,
		MaxPixels:        photo.DefaultLimits().MaxPixels,
		ApplyOrientation: true,
	}
}

// withDefaults fills unset numbers from DefaultOptions and clamps the rest
// into their valid ranges.
func (o Options) withDefaults() Options {
	d := DefaultOptions()
	if o.MaxBytes <= 0 {
		o.MaxBytes = d.MaxBytes
	}
	if o.MaxSide <= 0 {
		o.MaxSide = d.MaxSide
	}
	o.MaxSide = min(o.MaxSide, maxJPEGSide)
	if o.TargetSide <= 0 {
		o.TargetSide = d.TargetSide
	}
	o.TargetSide = min(o.TargetSide, o.MaxSide)
	if o.Quality <= 0 {
		o.Quality = d.Quality
	}
	o.Quality = min(o.Quality, 100)
	if o.MaxPixels <= 0 {
		o.MaxPixels = d.MaxPixels
	}
	return o
}
