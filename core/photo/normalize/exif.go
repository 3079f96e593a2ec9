package normalize

import (
	"encoding/binary"

	"github.com/faceid-verify/faceid/core/photo"
)

// orientation returns the EXIF orientation of a JPEG, 1–8 as in the TIFF
// spec (1 upright, 6 to be turned 90° clockwise, ...), read from IFD0 of
// the first APP1 "Exif" segment without decoding anything and without
// allocating. Anything else — not a JPEG, no EXIF, a truncated or
// malformed block, a value out of range — gives 1: a photo left as it is
// costs nothing, a wrong rotation costs a failed comparison.
func orientation(jpeg []byte) int {
	tiff, ok := exifTIFF(jpeg)
	if !ok {
		return 1
	}
	return tiffOrientation(tiff)
}

const markerAPP1 = 0xE1

const exifHeader = "Exif\x00\x00"

// exifTIFF returns the TIFF data of b's first Exif APP1 segment. Segments
// are skipped by their length, so only marker headers are read; the search
// ends at the first scan, after which no metadata follows.
func exifTIFF(b []byte) ([]byte, bool) {
	for m, seg := range photo.JPEGSegments(b) {
		if data := seg[2:]; m == markerAPP1 && len(data) >= len(exifHeader) && string(data[:len(exifHeader)]) == exifHeader {
			return data[len(exifHeader):], true
		}
	}
	return nil, false
}

const (
	tagOrientation = 0x0112
	typeShort      = 3
	typeLong       = 4
	ifdEntrySize   = 12
)

// tiffOrientation reads tag 0x0112 from IFD0 of a TIFF header. Only IFD0
// is read and no offset is followed beyond it, so link loops cannot occur.
// An IFD whose entries run past the data is rejected whole rather than
// read in part.
func tiffOrientation(t []byte) int {
	if len(t) < 8 {
		return 1
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 1
	}
	if bo.Uint16(t[2:]) != 42 {
		return 1
	}
	off := uint64(bo.Uint32(t[4:])) // uint64: no overflow on 32-bit ints
	if off < 8 || off+2 > uint64(len(t)) {
		return 1 // IFD0 inside the header or past the end
	}
	n := uint64(bo.Uint16(t[off:]))
	if off+2+n*ifdEntrySize > uint64(len(t)) {
		return 1
	}
	entries := t[off+2 : off+2+n*ifdEntrySize]
	for e := entries; len(e) >= ifdEntrySize; e = e[ifdEntrySize:] {
		if bo.Uint16(e) != tagOrientation {
			continue
		}
		if bo.Uint32(e[4:]) != 1 {
			return 1 // one value expected
		}
		var v uint32
		switch bo.Uint16(e[2:]) {
		case typeShort: // the spec's type, left-justified in the value field
			v = uint32(bo.Uint16(e[8:]))
		case typeLong: // written by some tools; readers accept it
			v = bo.Uint32(e[8:])
		default:
			return 1
		}
		if v < 1 || v > 8 {
			return 1
		}
		return int(v)
	}
	return 1
}
