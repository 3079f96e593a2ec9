package normalize

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/core/invalid"
	"github.com/faceid-verify/faceid/core/photo"
)

// frameOnly is a JPEG of a frame header and an empty scan header: enough
// for the decoder's DecodeConfig and for the budget, and refused by the
// decoder itself.
func frameOnly(sof byte, w, h int, sampling ...byte) []byte {
	b := []byte{0xFF, 0xD8, 0xFF, sof, 0, 0, 8, 0, 0, 0, 0, byte(len(sampling))}
	binary.BigEndian.PutUint16(b[4:], uint16(8+3*len(sampling)))
	binary.BigEndian.PutUint16(b[7:], uint16(h))
	binary.BigEndian.PutUint16(b[9:], uint16(w))
	for i, s := range sampling {
		b = append(b, byte(i+1), s, 0)
	}
	return append(b, 0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0, 0xFF, 0xD9)
}

func TestDecodeBudget(t *testing.T) {
	const s420, s444 = 0x22, 0x11
	tests := []struct {
		name    string
		img     []byte
		refused string // the bound the refusal states, or "" for none
	}{
		{"progressive 4:2:0, 24 MP", frameOnly(0xC2, 6000, 4000, s420, s444, s444), "1600万"},
		{"progressive 4:2:0, 12 MP", frameOnly(0xC2, 4000, 3000, s420, s444, s444), ""},
		{"progressive grey, 40 MP", frameOnly(0xC2, 8000, 5000, s444), "2400万"},
		{"baseline 4:2:0, 40 MP", frameOnly(0xC0, 8000, 5000, s420, s444, s444), ""},
		{"baseline 4:4:4, 40 MP", frameOnly(0xC0, 8000, 5000, s444, s444, s444), ""},
		{"extended 4:4:4, 40 MP", frameOnly(0xC1, 8000, 5000, s444, s444, s444), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decode(tt.img, photo.JPEG, 40_000_000)
			var ie *invalid.Error
			if !errors.As(err, &ie) {
				t.Fatalf("decode = %v, want an *invalid.Error", err)
			}
			switch {
			case tt.refused != "" && (ie.Reason != reasonDimensions || !strings.Contains(ie.Detail, tt.refused)):
				t.Errorf("decode = %v (%s), want the pixel bound %s", ie, ie.Reason, tt.refused)
			case tt.refused == "" && ie.Reason != reasonCorrupt:
				t.Errorf("decode = %v (%s); want it decoded, and found truncated", ie, ie.Reason)
			}
		})
	}
}
