package photo

import (
	"bytes"
	"runtime"
	"testing"
)

func TestCheck(t *testing.T) {
	def := DefaultLimits()
	small := realPhoto(t, "small-320x240.jpg")
	large := realPhoto(t, "large-exif.jpg")
	// A real JPEG grown past 3 MB by trailing bytes, as some phones append.
	oversized := append(append([]byte{}, small...), make([]byte, def.MaxBytes+1-len(small))...)

	tests := []struct {
		name   string
		data   []byte
		lim    Limits
		want   Info
		reason string
		detail string // checked when set
	}{
		{"small jpeg", small, def, Info{JPEG, 320, 240}, "", ""},
		{"large exif jpeg", large, def, Info{JPEG, 1449, 2173}, "", ""},
		{"large jpeg", realPhoto(t, "large-2mb.jpg"), def, Info{JPEG, 2048, 2048}, "", ""},
		{"png", realPhoto(t, "portrait-rgba.png"), def, Info{PNG, 424, 394}, "", ""},
		{"bmp", encode(t, BMP, noise(100, 120, 1)), def, Info{BMP, 100, 120}, "", ""},
		{"zero limits mean defaults", small, Limits{}, Info{JPEG, 320, 240}, "", ""},
		{"exactly MaxBytes", append(append([]byte{}, small...), make([]byte, def.MaxBytes-len(small))...),
			def, Info{JPEG, 320, 240}, "", ""},

		{"empty", nil, def, Info{}, reasonMissing, "不能为空"},
		{"over 3MB", oversized, def, Info{}, reasonTooLarge, "大小超过3MB"},
		{"over 1MB limit", large, Limits{MaxBytes: 1 << 20}, Info{}, reasonTooLarge, "大小超过1MB"},
		{"over 500KB limit", large, Limits{MaxBytes: 500 << 10}, Info{}, reasonTooLarge, "大小超过500KB"},
		{"over odd limit", small, Limits{MaxBytes: 1000}, Info{}, reasonTooLarge, "大小超过1000B"},
		{"webp", realPhoto(t, "portrait.webp"), def, Info{Format: WebP}, reasonUnsupported, "格式不支持(WebP),请使用JPEG/PNG/BMP"},
		{"gif", encode(t, GIF, paletted(100, 100)), def, Info{Format: GIF}, reasonUnsupported, "格式不支持(GIF),请使用JPEG/PNG/BMP"},
		{"truncated jpeg", small[:1000], def, Info{Format: JPEG}, reasonCorrupt, "文件损坏或不完整(JPEG)"},

		{"png bomb", pngHeader(100000, 100000, 8, 6), def, Info{PNG, 100000, 100000}, reasonDimensions,
			"尺寸过大(100000x100000),最长边不能超过8000像素"},
		{"jpeg bomb", jpegHeader(0xC2, 8, 65535, 65535, 3), def, Info{JPEG, 65535, 65535}, reasonDimensions, ""},
		{"bmp bomb", bmpHeader(40, 100000, -100000, 24), def, Info{BMP, 100000, 100000}, reasonDimensions, ""},
		{"pixel bomb within MaxSide", pngHeader(7000, 7000, 8, 2), def, Info{PNG, 7000, 7000}, reasonDimensions,
			"尺寸过大(7000x7000),总像素不能超过4000万"},
		{"long strip", pngHeader(8001, 40, 8, 2), def, Info{PNG, 8001, 40}, reasonDimensions, ""},
		{"exactly MaxSide and MaxPixels", pngHeader(8000, 5000, 8, 2), def, Info{PNG, 8000, 5000}, "", ""},
		{"one pixel over MaxPixels", pngHeader(8000, 5001, 8, 2), def, Info{PNG, 8000, 5001}, reasonDimensions, ""},
		{"tracking pixel", encode(t, PNG, gray(1, 1)), def, Info{PNG, 1, 1}, reasonDimensions,
			"尺寸过小(1x1),最短边不能小于32像素"},
		{"just below MinSide", jpegHeader(0xC0, 8, 1000, 31, 3), def, Info{JPEG, 1000, 31}, reasonDimensions, ""},
		{"exactly MinSide", jpegHeader(0xC0, 8, 32, 32, 3), def, Info{JPEG, 32, 32}, "", ""},
		{"zero height", jpegHeader(0xC0, 8, 640, 0, 3), def, Info{JPEG, 640, 0}, reasonDimensions, "尺寸无效(640x0)"},
		{"custom MinSide", small, Limits{MinSide: 300}, Info{JPEG, 320, 240}, reasonDimensions,
			"尺寸过小(320x240),最短边不能小于300像素"},
		{"custom MaxPixels", small, Limits{MaxPixels: 320*240 - 1}, Info{JPEG, 320, 240}, reasonDimensions,
			"尺寸过大(320x240),总像素不能超过76799"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			info, err := Check(tc.data, tc.lim)
			if tc.reason == "" {
				if err != nil {
					t.Fatal(err)
				}
			} else {
				ie := wantReason(t, err, tc.reason)
				if tc.detail != "" && ie.Detail != tc.detail {
					t.Fatalf("Detail = %q, want %q", ie.Detail, tc.detail)
				}
			}
			if info != tc.want {
				t.Fatalf("Info = %+v, want %+v", info, tc.want)
			}
		})
	}
}

// TestCheckDoesNotDecode shows Check reads headers only: it allocates
// nothing for an accepted photo, and a bomb costs no more than a real photo.
func TestCheckDoesNotDecode(t *testing.T) {
	for _, name := range []string{"small-320x240.jpg", "large-exif.jpg", "portrait-rgba.png"} {
		b := realPhoto(t, name)
		if n := testing.AllocsPerRun(20, func() { _, _ = Check(b, DefaultLimits()) }); n != 0 {
			t.Errorf("%s: %v allocations per Check, want 0", name, n)
		}
	}
	// A real bomb: a valid 20000x20000 PNG header followed by a little
	// compressed data. Decoding it would need 1.6 GB.
	// Count bytes, not allocations: building the error allocates a little
	// (more under the race detector), decoding would allocate gigabytes.
	bomb := append(pngHeader(20000, 20000, 8, 6), bytes.Repeat([]byte{0}, 1<<10)...)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 20 {
		_, _ = Check(bomb, DefaultLimits())
	}
	runtime.ReadMemStats(&after)
	if perCall := (after.TotalAlloc - before.TotalAlloc) / 20; perCall > 16<<10 {
		t.Errorf("bomb: %d bytes allocated per Check", perCall)
	}
}

func TestDefaultLimits(t *testing.T) {
	want := Limits{MaxBytes: 3 * 1024 * 1024, MaxSide: 8000, MaxPixels: 40_000_000, MinSide: 32}
	if got := DefaultLimits(); got != want {
		t.Fatalf("DefaultLimits() = %+v, want %+v", got, want)
	}
	if got := (Limits{MaxSide: -1}).withDefaults(); got != want {
		t.Fatalf("negative fields must take defaults: %+v", got)
	}
}
