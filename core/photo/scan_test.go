package photo

import (
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

// checkScan fails unless scanStd answers as scanRef.
func checkScan(t *testing.T, what, s string) {
	t.Helper()
	wantEsc, wantOK := scanRef(s)
	if esc, ok := scanStd(s); esc != wantEsc || ok != wantOK {
		t.Fatalf("scanStd %s (%d characters): %d, %v; want %d, %v",
			what, len(s), esc, ok, wantEsc, wantOK)
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
	// The offsets take every one of the four lanes, the tail after them,
	// and both ends.
	b := alphabetText(1003, 1)
	offsets := []int{0, 1, 2, 3, 4, 5, 6, 7, 500, 997, 998, 999, 1000, 1001, len(b) - 1}
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
	// Many '+' and '/' must not add up to a bad character's weight.
	plus := strings.Repeat("+", 100<<10)
	for _, tc := range []struct{ name, s string }{
		{"plus", plus},
		{"slash", strings.Repeat("/", 100<<10+13)},
		{"mixed", strings.Repeat("a/+Z9+/+", 100<<7)},
		{"plus then bad", plus + "."},
		{"bad then plus", "-" + plus},
		{"many bad in one lane", strings.Repeat("+++,", 300)},
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
