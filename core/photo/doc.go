// Package photo rejects, locally and cheaply, the photos the paid
// face–ID-card API would reject anyway: every call costs ¥1, so an empty,
// oversized, undecodable, wrongly formatted or absurdly sized photo should
// never leave the process.
//
// The checks read only headers — magic bytes, the JPEG frame header, the PNG
// IHDR chunk, the BMP info header — and never decode pixel data. That keeps a
// check's cost independent of the pixel count (photos of several MB sit on a
// hot path) and makes decompression bombs harmless: a 100000×100000 PNG is
// rejected from its first 33 bytes. Damage past the header (a file cut
// short, data overwritten) is core/photo/decode's to find, by decoding the
// whole photo once these checks have passed.
//
// Typical use:
//
//	img, _, err := photo.DecodeBase64Into(nil, s, lim.MaxBytes) // if the photo came as base64
//	info, err := photo.Check(img, lim)
//
// Every error is an *invalid.Error for the field "image" with one of these
// reasons:
//
//	missing             no photo data
//	too_large           more than Limits.MaxBytes once decoded
//	base64              not valid base64
//	unsupported_format  not JPEG, PNG or BMP (the message names the format)
//	corrupt             a truncated or malformed header
//	dimensions          zero, too small, too large or too many pixels
//
// Errors never contain the photo's bytes or base64 text: error strings end
// up in logs and photos are personal data.
//
// Width and height are as stored; EXIF orientation is ignored because every
// limit here is symmetric in the two sides.
package photo
