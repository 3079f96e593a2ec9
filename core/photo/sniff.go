package photo

import (
	"encoding/binary"
	"hash/crc32"
	"math"
)

// Info is what a photo's header says about it.
type Info struct {
	Format Format
	// Width and Height are in pixels, as stored (before EXIF rotation).
	Width, Height int
}

// Sniff identifies b's format from its magic bytes and reads the dimensions
// from the header alone; pixel data is never touched.
//
// A nil error means an accepted format (JPEG, PNG, BMP) with a well-formed
// header and positive dimensions. Otherwise the error is an *invalid.Error:
// "missing" for empty input; "unsupported_format" for any other format
// (Info.Format still names it) and for JPEG codings that few decoders read
// (12-bit, lossless, arithmetic, hierarchical); "corrupt" for a truncated
// or malformed header; "dimensions" for a zero width or height.
func Sniff(b []byte) (Info, error) {
	if len(b) == 0 {
		return Info{}, errMissing()
	}
	var (
		info Info
		err  error
	)
	switch f := identify(b); f {
	case JPEG:
		info, err = sniffJPEG(b)
	case PNG:
		info, err = sniffPNG(b)
	case BMP:
		info, err = sniffBMP(b)
	case Unknown:
		if looksBase64Image(b) {
			return Info{Format: f}, errDoubleBase64()
		}
		return Info{Format: f}, errUnsupported(f)
	default:
		return Info{Format: f}, errUnsupported(f)
	}
	if err != nil {
		return info, err
	}
	if info.Width <= 0 || info.Height <= 0 {
		// e.g. a JPEG leaving its height to a DNL marker, which libjpeg and
		// Go both refuse.
		return info, errZeroSize(info.Width, info.Height)
	}
	return info, nil
}

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// sniffPNG reads the IHDR chunk, which the PNG spec requires to come first.
// Its CRC is verified because decoders reject a bad one.
func sniffPNG(b []byte) (Info, error) {
	info := Info{Format: PNG}
	if len(b) < len(pngSignature) || string(b[:8]) != string(pngSignature) {
		// The signature exists to catch text-mode transfers that rewrite
		// line endings; that is the usual way to damage it.
		return info, errCorrupt(PNG, "damaged signature")
	}
	const ihdrEnd = 8 + 8 + 13 + 4 // signature, length+type, data, CRC
	if len(b) < ihdrEnd {
		return info, errCorrupt(PNG, "truncated before the end of IHDR")
	}
	if binary.BigEndian.Uint32(b[8:]) != 13 || string(b[12:16]) != "IHDR" {
		return info, errCorrupt(PNG, "first chunk is not a 13-byte IHDR")
	}
	if crc32.ChecksumIEEE(b[12:29]) != binary.BigEndian.Uint32(b[29:]) {
		return info, errCorrupt(PNG, "IHDR checksum mismatch")
	}
	w, h := binary.BigEndian.Uint32(b[16:]), binary.BigEndian.Uint32(b[20:])
	if w > math.MaxInt32 || h > math.MaxInt32 {
		return info, errCorrupt(PNG, "dimension exceeds 2^31-1")
	}
	depth, color := b[24], b[25]
	if !pngDepthOK(color, depth) {
		return info, errCorrupt(PNG, "invalid bit depth or colour type")
	}
	if b[26] != 0 || b[27] != 0 || b[28] > 1 {
		return info, errCorrupt(PNG, "invalid compression, filter or interlace method")
	}
	info.Width, info.Height = int(w), int(h)
	return info, nil
}

// pngDepthOK holds the combinations allowed by the PNG spec, table 11.1.
func pngDepthOK(color, depth byte) bool {
	switch color {
	case 0: // greyscale
		return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16
	case 3: // palette
		return depth == 1 || depth == 2 || depth == 4 || depth == 8
	case 2, 4, 6: // RGB, grey+alpha, RGBA
		return depth == 8 || depth == 16
	}
	return false
}

// sniffBMP reads the 14-byte file header and the DIB header after it. The
// file header's size and offset fields are not checked: writers often get
// them wrong and decoders ignore them.
func sniffBMP(b []byte) (Info, error) {
	info := Info{Format: BMP}
	if len(b) < 18 {
		return info, errCorrupt(BMP, "truncated before the DIB header")
	}
	dib := binary.LittleEndian.Uint32(b[14:])
	var w, h int64
	var planes, bpp uint16
	switch dib {
	case 12: // BITMAPCOREHEADER (OS/2 1.x): unsigned 16-bit sizes
		if len(b) < 14+12 {
			return info, errCorrupt(BMP, "truncated DIB header")
		}
		w = int64(binary.LittleEndian.Uint16(b[18:]))
		h = int64(binary.LittleEndian.Uint16(b[20:]))
		planes = binary.LittleEndian.Uint16(b[22:])
		bpp = binary.LittleEndian.Uint16(b[24:])
	case 16, 40, 52, 56, 64, 108, 124: // OS/2 2.x, BITMAPINFOHEADER and its V2–V5 extensions
		if len(b) < 14+int(dib) {
			return info, errCorrupt(BMP, "truncated DIB header")
		}
		w = int64(int32(binary.LittleEndian.Uint32(b[18:])))
		h = int64(int32(binary.LittleEndian.Uint32(b[22:])))
		planes = binary.LittleEndian.Uint16(b[26:])
		bpp = binary.LittleEndian.Uint16(b[28:])
		if dib >= 40 && binary.LittleEndian.Uint32(b[30:]) > 6 {
			return info, errCorrupt(BMP, "unknown compression")
		}
	default:
		return info, errCorrupt(BMP, "unknown DIB header size")
	}
	if planes != 1 {
		return info, errCorrupt(BMP, "plane count is not 1")
	}
	switch bpp {
	case 1, 4, 8, 16, 24, 32:
	default:
		return info, errCorrupt(BMP, "invalid bits per pixel")
	}
	if w < 0 {
		return info, errCorrupt(BMP, "negative width")
	}
	if h < 0 {
		h = -h // negative height marks a top-down bitmap
	}
	if h > math.MaxInt32 {
		return info, errCorrupt(BMP, "height out of range") // only -2^31, whose negation overflows int32
	}
	info.Width, info.Height = int(w), int(h)
	return info, nil
}
