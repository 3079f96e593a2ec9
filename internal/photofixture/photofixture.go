// Package photofixture holds the photos tests share: the real ones in the
// module's testdata, found from any package's directory, JPEGs made from
// images, and damaged photos that pass every header check but do not
// decode. Import it only from _test files.
package photofixture

import (
	"bytes"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"

	"github.com/faceid-verify/faceid/internal/proctest"
)

// The folders of test photos, relative to the module's root: the shared
// real photos, and two JPEGs Go cannot write (CMYK, progressive).
const (
	Photos    = "testdata/photos"
	PhotoData = "core/photo/testdata"
)

// ReadFile returns the file name in dir, a folder relative to the
// module's root (Photos, PhotoData), failing tb if it cannot be read.
func ReadFile(tb testing.TB, dir, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(proctest.RepoRoot(tb), dir, name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// Read returns the shared real photo name (testdata/photos).
func Read(tb testing.TB, name string) []byte {
	tb.Helper()
	return ReadFile(tb, Photos, name)
}

// JPEG encodes m at quality.
func JPEG(tb testing.TB, m image.Image, quality int) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: quality}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// AfterSOI puts segments right after a JPEG's SOI, where cameras write
// EXIF.
func AfterSOI(jpg []byte, segs ...[]byte) []byte {
	out := append([]byte{}, jpg[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, jpg[2:]...)
}

// Damaged returns photos, by what was done to them, that pass every
// header check and are cut short or broken: only decoding them shows it.
// The seller answers such photos with incorrect 112, billed. The large
// one is over a 1 MB size limit, so only a rewrite's decode finds it.
func Damaged(tb testing.TB) map[string][]byte {
	tb.Helper()
	small, large, png := Read(tb, "small-320x240.jpg"), Read(tb, "large-exif.jpg"), Read(tb, "portrait-rgba.png")
	sos := bytes.Index(small, []byte{0xFF, 0xDA})
	zeros := append([]byte{}, small...)
	clear(zeros[sos+14:])
	return map[string][]byte{
		"jpeg cut after its header": small[:sos+14],
		"jpeg header then zeros":    zeros,
		"jpeg cut in half":          small[:len(small)/2],
		"large jpeg cut in half":    large[:len(large)/2],
		"png first 2 KB":            png[:2048],
		"png header then zeros":     append(append([]byte{}, png[:33]...), make([]byte, len(png)-33)...),
	}
}
