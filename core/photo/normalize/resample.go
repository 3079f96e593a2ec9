package normalize

import (
	"image"
	"math"
)

// resample returns src reduced to w×h by area averaging, composited onto
// white, as opaque RGB, and turned upright for EXIF orientation o — in one
// pass over src that reads each source row once.
//
// Area averaging weighs each source pixel by the part of the destination
// pixel it covers (OpenCV's INTER_AREA), so no ratio aliases. x/image/draw's
// kernels were measured instead: CatmullRom is sharper but its Scale
// allocates 32 bytes per destination column per source row (101 MB for the
// 1449×2173 test photo, ~200 MB for a 12-MP phone photo), too much for a
// function with a few hundred MB; ApproxBiLinear allocates nothing extra
// but skips source pixels when reducing by more than 2 and so aliases.
// This keeps two row buffers besides the output. At w×h equal to the
// source size it is an exact conversion and rotation.
func resample(src image.Image, w, h, o int) *image.RGBA {
	b := src.Bounds()
	hs, vs := areaSpans(b.Dx(), w), areaSpans(b.Dy(), h)
	dst := image.NewRGBA(orientedRect(w, h, o))
	line := make([]uint8, 3*b.Dx()) // one source row as RGB
	hrow := make([]float32, 3*w)    // that row reduced horizontally
	acc := make([]float32, 3*w)     // one destination row being summed
	have := -1                      // the source row held in hrow
	for y := range h {
		clear(acc)
		for k, wy := range vs.w[y] {
			if j := vs.first[y] + k; j != have {
				readRow(src, b.Min.Y+j, line)
				reduceRow(hrow, line, hs)
				have = j // rows only advance, and a shared one is reused
			}
			for i, v := range hrow {
				acc[i] += wy * v
			}
		}
		// Write the row where orientation o puts it: consecutive x land a
		// fixed distance apart in dst.Pix.
		x0, y0 := orientPoint(0, y, w, h, o)
		x1, y1 := orientPoint(1, y, w, h, o)
		p, step := dst.PixOffset(x0, y0), dst.PixOffset(x1, y1)-dst.PixOffset(x0, y0)
		for x := range w {
			dst.Pix[p] = to8(acc[3*x])
			dst.Pix[p+1] = to8(acc[3*x+1])
			dst.Pix[p+2] = to8(acc[3*x+2])
			dst.Pix[p+3] = 0xFF
			p += step
		}
	}
	return dst
}

func to8(v float32) uint8 {
	return uint8(min(max(v+0.5, 0), 255))
}

// orientedRect is the bounds of a w×h image once turned upright: the
// orientations from 5 on swap the sides.
func orientedRect(w, h, o int) image.Rectangle {
	if o >= 5 && o <= 8 {
		return image.Rect(0, 0, h, w)
	}
	return image.Rect(0, 0, w, h)
}

// orientPoint maps (x, y) of a stored w×h image to the upright image, per
// the TIFF/EXIF definition of orientations 1–8.
func orientPoint(x, y, w, h, o int) (int, int) {
	switch o {
	case 2: // mirrored horizontally
		return w - 1 - x, y
	case 3: // rotated 180°
		return w - 1 - x, h - 1 - y
	case 4: // mirrored vertically
		return x, h - 1 - y
	case 5: // transposed
		return y, x
	case 6: // needs 90° clockwise
		return h - 1 - y, x
	case 7: // transversed
		return h - 1 - y, w - 1 - x
	case 8: // needs 270° clockwise
		return y, w - 1 - x
	}
	return x, y
}

// spans holds, for each destination index, the source indices it averages:
// from first[i] on, with weights w[i] summing to 1.
type spans struct {
	first []int
	w     [][]float32
}

// areaSpans maps n source pixels onto m destination pixels (n >= m; for
// n < m it degrades to nearest neighbour, which is never asked for).
func areaSpans(n, m int) spans {
	s := float64(n) / float64(m)
	sp := spans{first: make([]int, m), w: make([][]float32, m)}
	all := make([]float32, 0, n+m) // the intervals tile [0, n): at most n+m-1 weights
	for i := range m {
		lo, hi := float64(i)*s, float64(i+1)*s
		j0, j1 := int(lo), min(int(math.Ceil(hi)), n)
		start := len(all)
		for j := j0; j < j1; j++ {
			cover := min(hi, float64(j+1)) - max(lo, float64(j))
			all = append(all, float32(max(cover, 0)/s))
		}
		sp.first[i], sp.w[i] = j0, all[start:len(all):len(all)]
	}
	return sp
}

// reduceRow averages one RGB row horizontally into out.
func reduceRow(out []float32, line []uint8, hs spans) {
	for x, ws := range hs.w {
		var r, g, b float32
		p := 3 * hs.first[x]
		for _, w := range ws {
			r += w * float32(line[p])
			g += w * float32(line[p+1])
			b += w * float32(line[p+2])
			p += 3
		}
		out[3*x], out[3*x+1], out[3*x+2] = r, g, b
	}
}
