package sandbox_test

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/faceid-verify/faceid/sandbox"
)

func TestPhotoImage(t *testing.T) {
	jpeg := photoBytes(t, "small-320x240.jpg")
	png := photoBytes(t, "portrait-rgba.png")
	sos := bytes.Index(jpeg, []byte{0xFF, 0xDA})
	zeroed := func(b []byte, from int) string {
		out := append([]byte{}, b...)
		clear(out[from:])
		return base64.StdEncoding.EncodeToString(out)
	}
	flipped := append([]byte{}, png...)
	flipped[len(png)/2] ^= 0x55
	withBreaks := func(s string) string { // as Python's base64.encodebytes writes it
		var b strings.Builder
		for len(s) > 76 {
			b.WriteString(s[:76] + "\n")
			s = s[76:]
		}
		return b.String() + s
	}
	tests := []struct {
		name, idcard, person, image string
		maxImage                    int
		incorrect                   int
	}{
		{"JPEG", zhangID, zhang, base64.StdEncoding.EncodeToString(jpeg), 0, 100},
		{"JPEG unpadded", zhangID, zhang, base64.RawStdEncoding.EncodeToString(jpeg), 0, 100},
		{"JPEG URL-safe", zhangID, zhang, base64.URLEncoding.EncodeToString(jpeg), 0, 100},
		{"JPEG URL-safe unpadded", zhangID, zhang, base64.RawURLEncoding.EncodeToString(jpeg), 0, 100},
		{"JPEG with line breaks", zhangID, zhang, withBreaks(base64.StdEncoding.EncodeToString(jpeg)), 0, 100},
		{"JPEG with EXIF", zhangID, zhang, photo(t, "portrait-exif.jpg"), 0, 100},
		{"PNG with alpha", zhangID, zhang, photo(t, "portrait-rgba.png"), 0, 100},
		{"WebP", zhangID, zhang, photo(t, "portrait.webp"), 0, 112},
		{"junk bytes", zhangID, zhang, base64.StdEncoding.EncodeToString([]byte("not a photo at all")), 0, 112},
		{"JPEG header only", zhangID, zhang, base64.StdEncoding.EncodeToString(jpeg[:2]), 0, 112},
		// Damage only a whole decode finds: the seller's "invalid image".
		{"JPEG cut after its header", zhangID, zhang, base64.StdEncoding.EncodeToString(jpeg[:sos+14]), 0, 112},
		{"JPEG header then zeros", zhangID, zhang, zeroed(jpeg, sos+14), 0, 112},
		{"JPEG cut in half", zhangID, zhang, base64.StdEncoding.EncodeToString(jpeg[:len(jpeg)/2]), 0, 112},
		{"JPEG without its end marker", zhangID, zhang, base64.StdEncoding.EncodeToString(jpeg[:len(jpeg)-2]), 0, 112},
		{"JPEG with bytes after its end", zhangID, zhang, base64.StdEncoding.EncodeToString(append(append([]byte{}, jpeg...), "trailing"...)), 0, 100},
		{"PNG first 2 KB", zhangID, zhang, base64.StdEncoding.EncodeToString(png[:2048]), 0, 112},
		{"PNG header then zeros", zhangID, zhang, zeroed(png, 33), 0, 112},
		{"PNG with a byte flipped", zhangID, zhang, base64.StdEncoding.EncodeToString(flipped), 0, 112},
		{"PNG claiming 8000x8000", zhangID, zhang, base64.StdEncoding.EncodeToString(pngBomb(8000, 8000)), 0, 112},
		{"not base64", zhangID, zhang, "!!!!", 0, 112},
		{"data URI", zhangID, zhang, "data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(jpeg), 0, 112},
		{"'+' turned into spaces", zhangID, zhang, strings.ReplaceAll(base64.StdEncoding.EncodeToString(jpeg), "+", " "), 0, 112},
		{"too big", zhangID, zhang, base64.StdEncoding.EncodeToString(jpeg), 10_000, 108},
		{"just fits", zhangID, zhang, base64.StdEncoding.EncodeToString(jpeg), len(jpeg), 100},
		// Longer than the limit allows, but not once its line breaks are left out.
		{"just fits with line breaks", zhangID, zhang, withBreaks(base64.StdEncoding.EncodeToString(jpeg)), len(jpeg), 100},
		{"one byte too big with line breaks", zhangID, zhang, withBreaks(base64.StdEncoding.EncodeToString(jpeg)), len(jpeg) - 1, 108},
		{"too big beats an unknown id", "110101199003070038", zhang, base64.StdEncoding.EncodeToString(jpeg), 10_000, 108},
		{"too big junk", zhangID, zhang, base64.StdEncoding.EncodeToString(make([]byte, 20_000)), 10_000, 108},
		{"name mismatch before the photo", zhangID, "李四", "!!!!", 0, 101},
		{"unknown id before the photo", "110101199003070038", zhang, "!!!!", 0, 102},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, sandbox.Config{MaxImageBytes: tc.maxImage})
			env, v := h.postForm(form(tc.idcard, tc.person, tc.image, "")).envelope()
			if env.Code != 200 || v.Incorrect != tc.incorrect {
				t.Errorf("got %+v %+v, want incorrect %d", env, v, tc.incorrect)
			}
			if v.Msg != wantVerdictMsg(tc.incorrect, v.Score) {
				t.Errorf("data.msg %q", v.Msg)
			}
		})
	}
}

func TestPhotoURL(t *testing.T) {
	jpeg := photoBytes(t, "small-320x240.jpg")
	files := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/a.jpg":
			_, _ = w.Write(jpeg)
		case "/a.webp":
			_, _ = w.Write(photoBytes(t, "portrait.webp"))
		case "/half.jpg":
			_, _ = w.Write(jpeg[:len(jpeg)/2])
		case "/away":
			http.Redirect(w, r, "http://192.0.2.1/a.jpg", http.StatusFound) // TEST-NET: never dialled
		case "/back":
			http.Redirect(w, r, "/a.jpg", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	defer files.Close()
	localhost := strings.Replace(files.URL, "127.0.0.1", "localhost", 1)
	tests := []struct {
		name, url string
		maxImage  int
		incorrect int
	}{
		{"loopback JPEG", files.URL + "/a.jpg", 0, 100},
		{"localhost JPEG", localhost + "/a.jpg", 0, 100},
		{"loopback redirect to loopback", files.URL + "/back", 0, 100},
		{"loopback WebP", files.URL + "/a.webp", 0, 112},
		{"loopback JPEG cut in half", files.URL + "/half.jpg", 0, 112},
		{"loopback 404", files.URL + "/missing.jpg", 0, 112},
		{"loopback redirect away", files.URL + "/away", 0, 112},
		{"loopback too big", files.URL + "/a.jpg", 10_000, 108},
		{"loopback refused", "http://127.0.0.1:1/a.jpg", 0, 112},
		// Offline: any other host is answered as if the photo were fine.
		{"remote host", "https://photos.example.com/a.jpg", 0, 100},
		{"remote IP", "http://192.0.2.1/a.jpg", 0, 100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, sandbox.Config{MaxImageBytes: tc.maxImage})
			env, v := h.postForm(form(zhangID, zhang, "", tc.url)).envelope()
			if env.Code != 200 || v.Incorrect != tc.incorrect {
				t.Errorf("got %+v %+v, want incorrect %d", env, v, tc.incorrect)
			}
		})
	}
}

// pngBomb is a PNG signature and an IHDR claiming w×h RGBA pixels, and no
// data: what a decompression bomb needs to ask for memory.
func pngBomb(w, h uint32) []byte {
	c := binary.BigEndian.AppendUint32(nil, 13)
	c = append(c, "IHDR"...)
	c = binary.BigEndian.AppendUint32(c, w)
	c = binary.BigEndian.AppendUint32(c, h)
	c = append(c, 8, 6, 0, 0, 0)
	c = binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
	return append([]byte("\x89PNG\r\n\x1a\n"), c...)
}
