package normalize

import (
	"image"
	"image/color"
)

// readRow writes source row y of m into line as opaque RGB, 3 bytes a
// pixel. Transparency is composited onto white here, before any averaging,
// because a JPEG has no alpha and a transparent background read as black
// would make a dark halo around the face. CMYK is converted with the same
// formula as color.CMYKToRGB (no ICC profile is available).
//
// The types Go's JPEG, PNG and BMP decoders return have direct paths; any
// other goes through RGBA64At or At.
func readRow(m image.Image, y int, line []uint8) {
	b := m.Bounds()
	w := b.Dx()
	switch m := m.(type) {
	case *image.YCbCr:
		for x := range w {
			yi, ci := m.YOffset(b.Min.X+x, y), m.COffset(b.Min.X+x, y)
			line[3*x], line[3*x+1], line[3*x+2] = color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
		}
	case *image.Gray:
		row := m.Pix[m.PixOffset(b.Min.X, y):][:w]
		for x, v := range row {
			line[3*x], line[3*x+1], line[3*x+2] = v, v, v
		}
	case *image.RGBA:
		row := m.Pix[m.PixOffset(b.Min.X, y):][:4*w]
		for x := range w {
			p := row[4*x : 4*x+4]
			line[3*x], line[3*x+1], line[3*x+2] = overWhitePre(p[0], p[3]), overWhitePre(p[1], p[3]), overWhitePre(p[2], p[3])
		}
	case *image.NRGBA:
		row := m.Pix[m.PixOffset(b.Min.X, y):][:4*w]
		for x := range w {
			p := row[4*x : 4*x+4]
			line[3*x], line[3*x+1], line[3*x+2] = overWhite8(p[0], p[3]), overWhite8(p[1], p[3]), overWhite8(p[2], p[3])
		}
	case *image.CMYK:
		row := m.Pix[m.PixOffset(b.Min.X, y):][:4*w]
		for x := range w {
			p := row[4*x : 4*x+4]
			line[3*x], line[3*x+1], line[3*x+2] = color.CMYKToRGB(p[0], p[1], p[2], p[3])
		}
	case image.RGBA64Image: // 16-bit PNG, paletted: no boxing per pixel
		for x := range w {
			c := m.RGBA64At(b.Min.X+x, y)
			line[3*x], line[3*x+1], line[3*x+2] = over16(c.R, c.A), over16(c.G, c.A), over16(c.B, c.A)
		}
	default:
		for x := range w {
			r, g, bl, a := m.At(b.Min.X+x, y).RGBA()
			line[3*x], line[3*x+1], line[3*x+2] = over16(uint16(r), uint16(a)), over16(uint16(g), uint16(a)), over16(uint16(bl), uint16(a))
		}
	}
}

// overWhite8 composites a non-premultiplied 8-bit channel onto white.
func overWhite8(c, a uint8) uint8 {
	return uint8((uint32(c)*uint32(a) + 255*(255-uint32(a)) + 127) / 255)
}

// overWhitePre composites a premultiplied 8-bit channel onto white,
// clamped because nothing forces c <= a in a hand-made image.
func overWhitePre(c, a uint8) uint8 {
	return uint8(min(uint32(c)+255-uint32(a), 255))
}

// over16 composites a premultiplied 16-bit channel onto white, to 8 bits.
func over16(c, a uint16) uint8 {
	return uint8(min(uint32(c)+0xFFFF-uint32(a), 0xFFFF) >> 8)
}
