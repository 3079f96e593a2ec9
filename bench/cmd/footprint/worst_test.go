package main

import (
	"bytes"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"testing"

	_ "golang.org/x/image/bmp"
)

// TestWorstCasesDecode holds the hand-built worst cases, made small here,
// to what the measurement needs of them: photos the standard decoders
// read whole, within the size their path admits.
func TestWorstCasesDecode(t *testing.T) {
	for _, c := range worstCases {
		t.Run(c.name, func(t *testing.T) {
			img, err := c.make(4<<20, 1)
			if err != nil {
				t.Fatal(err)
			}
			limit := maxPhoto
			if c.rewrite {
				limit = maxCarried
			}
			if len(img) > limit {
				t.Errorf("%d bytes, over %d", len(img), limit)
			}
			m, _, err := image.Decode(bytes.NewReader(img))
			if err != nil {
				t.Fatalf("does not decode: %v", err)
			}
			if b := m.Bounds(); b.Dx() < 32 || b.Dy() < 32 {
				t.Errorf("%v: smaller than a photo the checks admit", b)
			}
		})
	}
}
