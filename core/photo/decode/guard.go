package decode

import (
	"bytes"
	"errors"
	"io"
)

// errLateAdobe stops a JPEG with an Adobe APP14 segment after its first
// scan. image/jpeg reads APP14 wherever it comes, and one that says "RGB"
// makes it convert the whole image at the end, four more bytes a pixel
// than Estimate allowed from the header. Encoders write APP14 before the
// frame; only a crafted file has one later.
var errLateAdobe = errors.New("Adobe APP14 segment after the first scan")

// jpegGuard passes a JPEG through to the decoder and fails the read that
// would hand it an APP14 marker after the first SOS. It tracks markers as
// image/jpeg does: segments skipped by their length; in entropy-coded
// data, 0xFF followed by 0x00 (stuffing), a restart marker or another
// 0xFF (fill) is not a marker; bytes between segments are ignored. After
// EOI it passes everything, as the decoder stops reading there.
type jpegGuard struct {
	r       io.Reader
	st      guardState
	length  int // the segment length being read
	skip    int // segment bytes left to pass
	scanned bool
	err     error
}

type guardState int

const (
	gSearch guardState = iota // looking for 0xFF
	gMarker                   // after 0xFF: the marker code
	gLenHi                    // the segment length's first byte
	gLenLo                    // its second
	gSkip                     // inside a segment
	gDone                     // after EOI
)

func (g *jpegGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	if g.err = g.scan(p[:n]); g.err != nil {
		return 0, g.err
	}
	return n, err
}

// scan advances the marker state over b.
func (g *jpegGuard) scan(b []byte) error {
	for i := 0; i < len(b); {
		switch g.st {
		case gDone:
			return nil
		case gSearch:
			j := bytes.IndexByte(b[i:], 0xFF)
			if j < 0 {
				return nil
			}
			i += j + 1
			g.st = gMarker
		case gMarker:
			m := b[i]
			i++
			switch {
			case m == 0xFF: // fill byte: the marker follows
			case m == 0xD9:
				g.st = gDone
			case m == 0x00, m == 0x01, m >= 0xD0 && m <= 0xD8: // stuffing, TEM, RSTn, SOI: no length
				g.st = gSearch
			case m == 0xEE && g.scanned:
				return errLateAdobe
			default:
				if m == 0xDA {
					g.scanned = true // its header has a length; entropy data follows it
				}
				g.st = gLenHi
			}
		case gLenHi:
			g.length = int(b[i]) << 8
			i++
			g.st = gLenLo
		case gLenLo:
			g.length |= int(b[i])
			i++
			g.skip, g.st = g.length-2, gSkip
			if g.skip <= 0 {
				g.st = gSearch
			}
		case gSkip:
			k := min(g.skip, len(b)-i)
			i += k
			if g.skip -= k; g.skip == 0 {
				g.st = gSearch
			}
		}
	}
	return nil
}
