package harness

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	_ "image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// SmallPhoto is the 33 KB test photo.
const SmallPhoto = "testdata/photos/small-320x240.jpg"

// GoalPhotos are the real photos the goals' figures use, one for each
// size the goals name (see Class): the 33 KB 320×240 photo; the 2048×2048
// one of 2.2 MB encoded again at quality 90 (485 KB); and that 2.2 MB
// photo padded to 3 MB, which carries like a 3 MB photo and decodes like
// its 4.2 megapixels.
const GoalPhotos = SmallPhoto + ",q90:testdata/photos/large-2mb.jpg,pad:3000000:testdata/photos/large-2mb.jpg"

// Class is the size among the goals' 33KB, 500KB and 3MB nearest to a
// photo of n bytes.
func Class(n int) string {
	switch {
	case n < 150_000:
		return "33KB"
	case n < 1_500_000:
		return "500KB"
	default:
		return "3MB"
	}
}

// Photo returns a test photo by spec:
//
//   - a file under the repository root, as it is;
//   - "pad:N" or "pad:N:FILE": FILE (default the small test photo) padded
//     to N bytes with pseudo-random bytes after its end marker. Every
//     decoder stops at that marker, so a padded photo costs what one of its
//     size does to carry and send, and what FILE does to decode;
//   - "qQ:FILE": FILE decoded and encoded again by image/jpeg at quality
//     Q, a real photo of another size.
//
// Every spec gives the same bytes on every run.
func Photo(spec string) ([]byte, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	read := func(file string) ([]byte, error) { return os.ReadFile(filepath.Join(root, file)) }
	if rest, ok := strings.CutPrefix(spec, "pad:"); ok {
		n, file, _ := strings.Cut(rest, ":")
		size, err := strconv.Atoi(n)
		if err != nil {
			return nil, fmt.Errorf("photo %q: %v", spec, err)
		}
		img, err := read(cmp.Or(file, SmallPhoto))
		if err != nil {
			return nil, err
		}
		out := make([]byte, max(size, len(img)))
		copy(out, img)
		r := rand.New(rand.NewPCG(uint64(size), 7))
		for i := len(img); i < len(out); i++ {
			out[i] = byte(r.Uint32())
		}
		return out, nil
	}
	if q, file, ok := strings.Cut(spec, ":"); ok && strings.HasPrefix(q, "q") {
		quality, err := strconv.Atoi(q[1:])
		if err != nil || quality < 1 || quality > 100 {
			return nil, fmt.Errorf("photo %q: quality must be q1 to q100", spec)
		}
		img, err := read(file)
		if err != nil {
			return nil, err
		}
		m, _, err := image.Decode(bytes.NewReader(img))
		if err != nil {
			return nil, fmt.Errorf("photo %q: %v", spec, err)
		}
		var b bytes.Buffer
		err = jpeg.Encode(&b, m, &jpeg.Options{Quality: quality})
		return b.Bytes(), err
	}
	return read(spec)
}

// Label names a photo size as the docs do: 33KB, 500KB, 3MB.
func Label(n int) string {
	switch {
	case n >= 1_000_000:
		return strconv.FormatFloat(float64(n)/1e6, 'f', -1, 64) + "MB"
	default:
		return strconv.Itoa((n+500)/1000) + "KB"
	}
}

// VerifyJSON is the function's request body for a photo.
func VerifyJSON(photo []byte) []byte {
	b, _ := json.Marshal(map[string]any{"name": Name, "idcard": IDCard, "image": photo})
	return b // []byte marshals as standard base64
}

// Median of ds.
func Median(ds []time.Duration) time.Duration { return Percentile(ds, 50) }

// Percentile p (0-100) of ds by the nearest-rank method; 0 for no values.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	ds = slices.Clone(ds)
	slices.Sort(ds)
	rank := int(math.Ceil(float64(len(ds))*p/100)) - 1
	return ds[min(max(rank, 0), len(ds)-1)]
}

// Ms formats a duration in milliseconds with three decimals.
func Ms(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 3, 64) }
