package photo

import (
	"bytes"
	"encoding/binary"
	"strings"
)

// Format is an image file format, identified by its magic bytes.
type Format string

// Formats the upstream accepts.
const (
	JPEG Format = "jpeg"
	PNG  Format = "png"
	BMP  Format = "bmp"
)

// Formats recognised only so the rejection can name them: "WebP is not
// supported" tells a client what to fix, "unknown format" does not.
const (
	GIF     Format = "gif"
	WebP    Format = "webp"
	TIFF    Format = "tiff"
	HEIC    Format = "heic" // HEIF holding HEVC images, as iPhones save them
	HEIF    Format = "heif" // HEIF with no more specific brand
	AVIF    Format = "avif"
	Unknown Format = "unknown"
)

// Accepted reports whether the upstream takes photos in this format.
func (f Format) Accepted() bool {
	return f == JPEG || f == PNG || f == BMP
}

// name is the format as people write it, for messages.
func (f Format) name() string {
	switch f {
	case JPEG, PNG, BMP, GIF, TIFF, HEIC, HEIF, AVIF:
		return strings.ToUpper(string(f))
	case WebP:
		return "WebP"
	}
	return "unknown"
}

// identify classifies b by its leading bytes alone. The prefixes are short
// on purpose: "\x89PNG" with a damaged rest of the signature is reported as
// a corrupt PNG, which is more useful than "unknown format".
func identify(b []byte) Format {
	switch {
	case len(b) >= 2 && b[0] == 0xFF && b[1] == 0xD8:
		return JPEG
	case bytes.HasPrefix(b, []byte("\x89PNG")):
		return PNG
	case bytes.HasPrefix(b, []byte("BM")):
		return BMP
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return GIF
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP":
		return WebP
	case bytes.HasPrefix(b, []byte("II*\x00")), bytes.HasPrefix(b, []byte("MM\x00*")),
		bytes.HasPrefix(b, []byte("II+\x00")), bytes.HasPrefix(b, []byte("MM\x00+")): // TIFF, BigTIFF
		return TIFF
	case len(b) >= 12 && string(b[4:8]) == "ftyp":
		return isoBrand(b)
	}
	return Unknown
}

// isoBrand tells HEIC, AVIF and other HEIF files apart by the brands of the
// leading ftyp box (ISO/IEC 23008-12). Phones often write the generic
// "mif1" as the major brand and the specific one among the compatible
// brands, so all of them are read. Other ISO-BMFF files (MP4, MOV) are
// Unknown.
func isoBrand(b []byte) Format {
	end := int(min(binary.BigEndian.Uint32(b), 256, uint32(len(b))))
	f := Unknown
	for i := 8; i+4 <= end; i += 4 {
		if i == 12 {
			continue // minor_version, not a brand
		}
		switch string(b[i : i+4]) {
		case "avif", "avis":
			return AVIF // AVIF files also carry mif1, so AVIF wins outright
		case "heic", "heix", "heim", "heis", "hevc", "hevx", "hevm", "hevs":
			f = HEIC
		case "mif1", "msf1":
			if f == Unknown {
				f = HEIF
			}
		}
	}
	return f
}

// looksBase64Image reports whether b starts like the base64 text of a JPEG,
// PNG or a data: URI, i.e. the client base64-encoded the photo twice.
func looksBase64Image(b []byte) bool {
	return bytes.HasPrefix(b, []byte("/9j/")) || bytes.HasPrefix(b, []byte("iVBORw0KGgo")) ||
		len(b) >= 5 && strings.EqualFold(string(b[:5]), "data:")
}
