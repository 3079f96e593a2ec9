// Package normalize rewrites, before the paid call, a photo the upstream
// would reject or compare poorly: one over its size limit (incorrect 108,
// ¥1 wasted) or one stored sideways with an EXIF orientation tag. Such a
// photo comes out as an upright JPEG within the limits, without EXIF.
//
// Most photos need nothing, and for them Normalize reads only headers —
// the format header via photo.Sniff and the EXIF orientation tag — and
// returns the input itself without allocating. Pixels are decoded only
// when a transform is needed (decode.Image), never for a photo whose
// header exceeds Options.MaxPixels, whatever the caller checked before,
// and only within the process's decode memory (Options.Budget).
//
// Typical use, after photo.Check:
//
//	out, info, changed, err := normalize.Normalize(ctx, img, normalize.DefaultOptions())
//
// Errors are *invalid.Error for the field "image": those of photo.Sniff,
// and "too_large" (no encoding fits MaxBytes), "dimensions" (too many
// pixels to decode), "truncated", "corrupt" or "unsupported_format" (the
// pixel data cannot be decoded); or *decode.BusyError when the decode
// memory stayed taken longer than the caller could wait.
package normalize
