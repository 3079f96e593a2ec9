package harness

import (
	"encoding/json"
	"fmt"
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

// Photo returns the named test photo, or for "pad:N" the small test photo
// padded to N bytes with pseudo-random bytes after its end marker. Every
// decoder stops at that marker, so a padded photo costs what a real one of
// its size does to carry, check and send, and what the 33 KB photo does to
// decode (the integrity check, the sandbox), while staying byte-for-byte
// reproducible.
func Photo(spec string) ([]byte, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	n, padded := strings.CutPrefix(spec, "pad:")
	if !padded {
		return os.ReadFile(filepath.Join(root, spec))
	}
	size, err := strconv.Atoi(n)
	if err != nil {
		return nil, fmt.Errorf("photo %q: %v", spec, err)
	}
	img, err := os.ReadFile(filepath.Join(root, SmallPhoto))
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
