package photo

import (
	"bytes"
	"encoding/binary"
	"iter"
)

// sniffJPEG walks the marker segments after SOI up to the first frame header
// (SOFn), which holds the dimensions. Segments are skipped by their length,
// so a large EXIF block costs nothing; the scan never reaches entropy-coded
// data because every JPEG must have its frame header before its first scan.
func sniffJPEG(b []byte) (Info, error) {
	info := Info{Format: JPEG}
	for i := 2; ; { // past SOI (FF D8)
		m, seg, next, end := jpegSegment(b, i)
		switch end {
		case segNoMarker:
			return info, errCorrupt(JPEG, "no frame header")
		case segBadLength:
			return info, errCorrupt(JPEG, "segment length below 2")
		case segPastEnd:
			return info, errCorrupt(JPEG, "segment runs past the end of the data")
		}
		switch {
		case m == 0xD8, m == 0xD9, m == 0xDA:
			return info, errCorrupt(JPEG, "SOI, EOI or SOS before the frame header")
		case seg != nil && isSOF(m):
			return frameHeader(seg, m)
		}
		i = next
	}
}

// segEnd says why jpegSegment could not read a segment.
type segEnd int

const (
	segOK        segEnd = iota
	segNoMarker         // the data ends before a marker or its length field
	segBadLength        // a length below 2, which counts its own two bytes
	segPastEnd          // the segment runs past the end of the data
)

// jpegSegment reads the first marker at or after b[i] and its segment.
// Junk bytes before the marker and fill bytes after its 0xFF are skipped,
// as libjpeg and Go's decoder skip them, so a few stray bytes do not make
// a photo they decode unreadable. seg is the segment, its length field
// included, or nil for a marker without one: a stuffed zero, TEM, RSTn,
// SOI, and SOS and EOI, at which every walker stops. next is where the
// search for the following marker starts. Sniff, ReadHead and the EXIF
// reader all walk with it, so ReadHead's idea of where the header ends is
// theirs.
func jpegSegment(b []byte, i int) (m byte, seg []byte, next int, end segEnd) {
	j := bytes.IndexByte(b[i:], 0xFF)
	if j < 0 {
		return 0, nil, 0, segNoMarker
	}
	i += j + 1
	for i < len(b) && b[i] == 0xFF {
		i++
	}
	if i >= len(b) {
		return 0, nil, 0, segNoMarker
	}
	m = b[i]
	i++
	if m == 0x00 || m == 0x01 || m >= 0xD0 && m <= 0xDA {
		return m, nil, i, segOK
	}
	if len(b)-i < 2 {
		return m, nil, 0, segNoMarker
	}
	n := int(binary.BigEndian.Uint16(b[i:])) // counts its own two bytes
	if n < 2 {
		return m, nil, 0, segBadLength
	}
	if len(b)-i < n {
		return m, nil, 0, segPastEnd
	}
	return m, b[i : i+n], i + n, segOK
}

// JPEGSegments yields the marker and segment (length field included) of
// each marker segment of the JPEG b after SOI, up to its first scan or its
// end, walked as Sniff walks them. It stops early, and silently, at
// anything malformed, and yields nothing if b does not start with SOI.
func JPEGSegments(b []byte) iter.Seq2[byte, []byte] {
	return func(yield func(byte, []byte) bool) {
		if len(b) < 2 || b[0] != 0xFF || b[1] != 0xD8 {
			return
		}
		for i := 2; ; {
			m, seg, next, end := jpegSegment(b, i)
			if end != segOK || m == 0xD9 || m == 0xDA {
				return
			}
			if seg != nil && !yield(m, seg) {
				return
			}
			i = next
		}
	}
}

// isSOF reports whether m is one of the 13 frame-header markers; C4 (DHT),
// C8 (reserved) and CC (DAC) share the range but are not frames.
func isSOF(m byte) bool {
	return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC
}

// frameHeader parses a SOFn segment, seg starting at its length field.
func frameHeader(seg []byte, m byte) (Info, error) {
	info := Info{Format: JPEG}
	if len(seg) < 8 {
		return info, errCorrupt(JPEG, "short frame header")
	}
	precision := seg[2]
	info.Height = int(binary.BigEndian.Uint16(seg[3:]))
	info.Width = int(binary.BigEndian.Uint16(seg[5:]))
	comps := int(seg[7])
	if len(seg) < 8+3*comps {
		return info, errCorrupt(JPEG, "short frame header")
	}
	if comps != 1 && comps != 3 && comps != 4 { // grey, YCbCr/RGB, CMYK/YCCK
		return info, errCorrupt(JPEG, "unsupported number of components")
	}
	// Cameras and phones write only baseline (C0), extended (C1) and
	// progressive (C2) 8-bit JPEG. Browsers and Go's decoder reject the rest,
	// so the upstream most likely does too; reject them before paying.
	switch m {
	case 0xC5, 0xC6, 0xC7, 0xCD, 0xCE, 0xCF:
		return info, errJPEGVariant("分层JPEG", "hierarchical JPEG")
	case 0xC3, 0xCB:
		return info, errJPEGVariant("无损JPEG", "lossless JPEG")
	case 0xC9, 0xCA:
		return info, errJPEGVariant("算术编码JPEG", "arithmetic-coded JPEG")
	}
	if precision != 8 {
		return info, errJPEGVariant("非8位JPEG", "JPEG with other than 8-bit samples")
	}
	return info, nil
}
