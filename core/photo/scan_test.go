package photo

import (
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"testing"
)

const stdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

// scanRef is scanStd as plainly as it can be written.
func scanRef(s string) (escapes int, ok bool) {
	for i := range len(s) {
		c := s[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case c == '+', c == '/':
			escapes++
		default:
			return 0, false
		}
	}
	return escapes, true
}

// scans are the scans held to scanRef: the one ReadHead uses and the
// table it falls back to, which on amd64 would otherwise see only tails.
var scans = []struct {
	name string
	scan func(string) (int, bool)
}{
	{"scanStd", scanStd},
	{"scanTable", scanTable},
}

func checkScan(t *testing.T, what, s string) {
	t.Helper()
	wantEsc, wantOK := scanRef(s)
	for _, sc := range scans {
		if esc, ok := sc.scan(s); esc != wantEsc || ok != wantOK {
			t.Fatalf("%s %s (%d characters): %d, %v; want %d, %v",
				sc.name, what, len(s), esc, ok, wantEsc, wantOK)
		}
	}
	read, _, _ := scanBlocks(s)
	if read < 0 || read > len(s) {
		t.Fatalf("scanBlocks %s (%d characters) read %d", what, len(s), read)
	}
}

// alphabetText is n valid characters, a quarter of them '+' or '/' so
// that the counts are tested as much as the alphabet.
func alphabetText(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 3))
	b := make([]byte, n)
	for i := range b {
		if r.IntN(4) == 0 {
			b[i] = "+/"[r.IntN(2)]
		} else {
			b[i] = stdAlphabet[r.IntN(62)]
		}
	}
	return b
}

// notStd are characters outside the alphabet, chosen next to its ranges
// and among the bytes a signed compare takes for negative.
const notStd = "\x00 *,-.:@[`{\x7f\x80\xaa\xc1\xda\xe1\xfa\xff="

func TestScanStdLengths(t *testing.T) {
	for n := 0; n <= 300; n++ {
		b := alphabetText(n, uint64(n))
		checkScan(t, "valid", string(b))
		for p := range n {
			keep := b[p]
			b[p] = notStd[p%len(notStd)]
			checkScan(t, "with one bad character", string(b))
			b[p] = keep
		}
	}
}

func TestScanStdEveryByte(t *testing.T) {
	// The offsets take every position within a 16-character register and
	// a 64-character block, and the edges of the 63-block counting rounds.
	b := alphabetText(3*63*64+77, 1)
	offsets := []int{0, 1, 7, 15, 16, 17, 31, 32, 47, 48, 62, 63, 64, 65, 127, 128,
		63*64 - 1, 63 * 64, 63*64 + 1, 2*63*64 + 5, 3*63*64 - 1, 3 * 63 * 64, len(b) - 1}
	for c := range 256 {
		for _, off := range offsets {
			keep := b[off]
			b[off] = byte(c)
			checkScan(t, "with one byte changed", string(b))
			b[off] = keep
		}
	}
}

func TestScanStdLongCounts(t *testing.T) {
	// Byte counters of '+' and '/' would wrap after 256 of them in a lane.
	plus := strings.Repeat("+", 100<<10)
	mixed := strings.Repeat("a/+Z9+/+", 100<<7)
	for _, tc := range []struct{ name, s string }{
		{"plus", plus},
		{"slash", strings.Repeat("/", 100<<10+13)},
		{"mixed", mixed},
		{"one round", plus[:63*64]},
		{"one round and a block", plus[:64*64]},
		{"255 registers", plus[:255*16]},
		{"256 registers", plus[:256*16]},
		{"plus then bad", plus + "."},
		{"bad then plus", "-" + plus},
		{"bad in a later round", plus[:5*63*64+40] + "\x80" + plus[:1000]},
		{"256 bad in a lane", strings.Repeat(strings.Repeat("+", 15)+",", 300)},
	} {
		t.Run(tc.name, func(t *testing.T) { checkScan(t, tc.name, tc.s) })
	}
}

func TestScanStdUnaligned(t *testing.T) {
	s := string(alphabetText(4096+100, 2))
	bad := s[:3000] + "\xff" + s[3001:]
	for off := range 70 {
		checkScan(t, "unaligned", s[off:])
		checkScan(t, "unaligned", s[off:len(s)-off])
		checkScan(t, "unaligned with a bad character", bad[off:])
	}
}

func FuzzScanStd(f *testing.F) {
	f.Add([]byte("QUJD+/=="))
	f.Add(alphabetText(200, 4))
	f.Add([]byte(strings.Repeat("+/", 200) + "\x80"))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkScan(t, "fuzzed", string(b))
		// Random bytes are rarely valid for long: the same input mapped
		// onto the alphabet, bytes from 0xF0 up kept, is mostly valid
		// with the odd bad character.
		for i, c := range b {
			if c < 0xF0 {
				b[i] = stdAlphabet[c&63]
			}
		}
		checkScan(t, "fuzzed, mapped", string(b))
		if len(b) > 3 {
			checkScan(t, "fuzzed, mapped, unaligned", string(b[3:]))
		}
	})
}

// BenchmarkScanStd scans the text of a 500 KB photo of random bytes.
func BenchmarkScanStd(b *testing.B) {
	s := strings.TrimRight(base64.StdEncoding.EncodeToString(randomBytes(500<<10)), "=")
	for _, sc := range scans {
		b.Run(sc.name, func(b *testing.B) {
			b.SetBytes(int64(len(s)))
			for b.Loop() {
				if _, ok := sc.scan(s); !ok {
					b.Fatal("not valid")
				}
			}
		})
	}
}
