// Package decode decodes whole photos within a memory budget: to prove,
// before a paid call, that a photo is intact (Check, CheckBase64), and to
// give a rewrite its pixels (Image).
//
// core/photo reads headers only, so a JPEG cut after its header, a PNG
// whose data was overwritten with zeros, or the first kilobytes of a photo
// pass its checks and would cost ¥1 for an answer of "invalid image". Only
// decoding every byte finds that damage. Go's own decoders (image/jpeg,
// image/png, x/image/bmp) do it; nothing here parses pixel data itself.
//
// Decoding allocates what the image needs, which the header alone tells:
// Estimate reads it (bit depth, channels, interlacing, chroma sampling,
// progressive coding) and gives what the decoder will allocate. A Budget,
// one per process, holds decodes back until that much is free, so that
// concurrent decodes never sum past the memory the process was given; a
// photo that needs more than the whole budget is refused as too large to
// decode.
//
// Errors are *invalid.Error for the field "image" — "truncated" (the data
// ends before the image does), "corrupt" (it does not decode),
// "dimensions" (too many pixels for the budget), "unsupported_format" (a
// rewrite needs a variant the decoders cannot read) — or *BusyError when
// the budget stayed full for longer than the caller could wait.
package decode
