package photo

import (
	"bytes"
	"encoding/binary"
)

// sniffJPEG walks the marker segments after SOI up to the first frame header
// (SOFn), which holds the dimensions. Segments are skipped by their length,
// so a large EXIF block costs nothing; the scan never reaches entropy-coded
// data because every JPEG must have its frame header before its first scan.
func sniffJPEG(b []byte) (Info, error) {
	info := Info{Format: JPEG}
	i := 2 // past SOI (FF D8)
	for {
		// libjpeg and Go skip junk bytes before a marker instead of failing,
		// so a few stray bytes must not make us reject a photo they decode.
		j := bytes.IndexByte(b[i:], 0xFF)
		if j < 0 {
			return info, errCorrupt(JPEG, "no frame header")
		}
		i += j + 1
		for i < len(b) && b[i] == 0xFF { // fill bytes may pad any marker
			i++
		}
		if i >= len(b) {
			return info, errCorrupt(JPEG, "no frame header")
		}
		m := b[i]
		i++
		switch {
		case m == 0x00:
			continue // a stuffed zero: junk outside entropy-coded data
		case m == 0x01, m >= 0xD0 && m <= 0xD7:
			continue // TEM and RSTn stand alone, with no length
		case m == 0xD8, m == 0xD9, m == 0xDA:
			return info, errCorrupt(JPEG, "SOI, EOI or SOS before the frame header")
		}
		if len(b)-i < 2 {
			return info, errCorrupt(JPEG, "no frame header")
		}
		n := int(binary.BigEndian.Uint16(b[i:])) // counts its own two bytes
		if n < 2 {
			return info, errCorrupt(JPEG, "segment length below 2")
		}
		if len(b)-i < n {
			return info, errCorrupt(JPEG, "segment runs past the end of the data")
		}
		if isSOF(m) {
			return frameHeader(b[i:i+n], m)
		}
		i += n
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
