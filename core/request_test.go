package core

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/faceid-verify/faceid/core/photo"
)

// Normalisation turns photos the upstream would fail into ones it accepts,
// and only those; with it off they are refused locally instead.
func TestValidateNormalizesOnlyWhatWouldFail(t *testing.T) {
	large, err := os.ReadFile("../testdata/photos/large-exif.jpg")
	if err != nil {
		t.Fatal(err)
	}
	small := testPhoto(t)
	lim := Config{MaxImageBytes: 1 << 20}.WithDefaults().Limits()
	off := Config{MaxImageBytes: 1 << 20, ImageNormalize: "off"}.WithDefaults().Limits()
	now := time.Now()

	c, err := Request{Name: "张三", IDCard: testID, Image: large}.Validate(context.Background(), lim, now)
	if err != nil {
		t.Fatalf("large photo: %v", err)
	}
	if len(c.Image) > 1<<20 || c.Info.Format != photo.JPEG {
		t.Fatalf("not shrunk under the limit: %d bytes, %v", len(c.Image), c.Info)
	}
	c, err = Request{Name: "张三", IDCard: testID, Image: small}.Validate(context.Background(), lim, now)
	if err != nil || &c.Image[0] != &small[0] {
		t.Fatalf("a photo that needs nothing must pass through untouched: %v", err)
	}
	_, err = Request{Name: "张三", IDCard: testID, Image: large}.Validate(context.Background(), off, now)
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Reason != "too_large" {
		t.Fatalf("normalisation off: %v, want too_large", err)
	}
	tiny := Config{MaxImageBytes: 1 << 20, MaxInputBytes: 2 << 20}.WithDefaults().Limits()
	if _, err = (Request{Name: "张三", IDCard: testID, Image: large}).Validate(context.Background(), tiny, now); !errors.As(err, &ve) || ve.Reason != "too_large" {
		t.Fatalf("over the intake limit: %v, want too_large", err)
	}
}
