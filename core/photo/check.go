package photo

// Limits bound the photos Check accepts. A zero or negative field takes its
// default, so a forgotten setting can never switch a protection off.
type Limits struct {
	// MaxBytes caps the decoded file size: the upstream's own limit is 3 MB.
	MaxBytes int
	// MaxSide caps the longer side in pixels. Only full-resolution shots
	// from 100-MP phone sensors exceed 8000, and those are far over MaxBytes
	// anyway; a small file claiming more is a panorama strip or a bomb.
	MaxSide int
	// MaxPixels caps width×height. A real photo small enough for MaxBytes
	// has far fewer (a 12-MP phone photo is often 3–5 MB), while bombs
	// with both sides within MaxSide are refused: 7000×7000 would take
	// ~200 MB of memory to decode.
	MaxPixels int
	// MinSide is the smallest allowed shorter side. At 32 pixels there is no
	// usable face in any photo, yet nothing a camera or a crop of an ID
	// photo (the chip photo itself is 102×126) produces falls below it, so
	// it rejects only icons, tracking pixels and placeholders. (The
	// MIN_IMAGE_SIDE default in core's config is the same 32.)
	MinSide int
}

// DefaultLimits returns the limits the upstream implies.
func DefaultLimits() Limits {
	return Limits{
		MaxBytes:  3 * 1024 * 1024,
		MaxSide:   8000,
		MaxPixels: 40_000_000,
		MinSide:   32,
	}
}

// withDefaults fills unset fields from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxSide <= 0 {
		l.MaxSide = d.MaxSide
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = d.MaxPixels
	}
	if l.MinSide <= 0 {
		l.MinSide = d.MinSide
	}
	return l
}

// Check accepts b if it is a JPEG, PNG or BMP within lim, judging from its
// size and header alone: its cost does not depend on the pixel count, and a
// decompression bomb is refused before anything is allocated for it.
//
// Errors are *invalid.Error with reason "missing", "too_large",
// "unsupported_format", "corrupt" or "dimensions"; the returned Info is
// filled in as far as the header was read.
func Check(b []byte, lim Limits) (Info, error) {
	return CheckSized(b, len(b), lim)
}

// CheckSized is Check for a photo of size bytes of which b holds at least
// the header, as ReadHead returns it.
func CheckSized(b []byte, size int, lim Limits) (Info, error) {
	lim = lim.withDefaults()
	if size == 0 || len(b) == 0 {
		return Info{}, errMissing()
	}
	if size > lim.MaxBytes {
		// Before sniffing: the size alone decides, and the message is the
		// same whatever the format.
		return Info{}, errTooLarge(lim.MaxBytes)
	}
	info, err := Sniff(b)
	if err != nil {
		return info, err
	}
	w, h := info.Width, info.Height
	switch {
	case max(w, h) > lim.MaxSide:
		return info, errMaxSide(w, h, lim.MaxSide)
	case int64(w)*int64(h) > int64(lim.MaxPixels): // int64: 32-bit int would overflow
		return info, errMaxPixels(w, h, lim.MaxPixels)
	case min(w, h) < lim.MinSide:
		return info, errMinSide(w, h, lim.MinSide)
	}
	return info, nil
}
