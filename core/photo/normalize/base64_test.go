package normalize

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/faceid-verify/faceid/core/photo"
	"github.com/faceid-verify/faceid/internal/photofixture"
)

// normalizeAgrees holds NormalizeBase64 to Normalize for one photo given
// as canonical text: the same rewrite, byte for byte, the same refusal, and
// no output where Normalize returns the photo unchanged.
func normalizeAgrees(t *testing.T, data []byte, opt Options) {
	t.Helper()
	s := base64.StdEncoding.EncodeToString(data)
	h, ok := photo.ReadHead(nil, s)
	if !ok {
		return // not canonical, or empty: the caller decodes it whole
	}
	ctx := context.Background()
	wout, winfo, wchanged, werr := Normalize(ctx, data, opt)
	gout, ginfo, gchanged, gerr := NormalizeBase64(ctx, h.Bytes, h.Size, s, opt)
	switch {
	case fmt.Sprint(gerr) != fmt.Sprint(werr):
		t.Fatalf("from text: %v; from bytes: %v", gerr, werr)
	case werr != nil:
	case gchanged != wchanged || ginfo != winfo:
		t.Fatalf("from text: changed %v, %+v; from bytes: changed %v, %+v", gchanged, ginfo, wchanged, winfo)
	case wchanged && !bytes.Equal(gout, wout):
		t.Fatal("the rewrites differ")
	case !wchanged && gout != nil:
		t.Fatal("output from text where nothing was rewritten")
	}
}

func TestNormalizeBase64Agrees(t *testing.T) {
	rotated := photofixture.AfterSOI(photofixture.JPEG(t, quadrants(64, 32), 95), exifSegment(exifTIFFFor(binary.LittleEndian, 6)))
	large := photofixture.ReadFile(t, photofixture.Photos, "large-exif.jpg")
	for name, data := range map[string][]byte{
		"upright":      photofixture.ReadFile(t, photofixture.Photos, "small-320x240.jpg"),
		"rotated":      rotated,
		"rotated, cut": rotated[:len(rotated)-40],
		"large":        large,
		"large, cut":   large[:len(large)/2],
		"png":          photofixture.ReadFile(t, photofixture.Photos, "portrait-rgba.png"),
		"progressive":  photofixture.ReadFile(t, photofixture.PhotoData, "progressive.jpeg"),
		"webp":         photofixture.ReadFile(t, photofixture.Photos, "portrait.webp"),
		"not a photo":  []byte("plain text, not an image at all"),
	} {
		t.Run(name, func(t *testing.T) {
			for _, opt := range []Options{DefaultOptions(), {Enabled: true, MaxBytes: 1 << 20, MaxSide: 300}, {Enabled: true, MaxPixels: 1000}} {
				normalizeAgrees(t, data, opt)
			}
		})
	}
}
