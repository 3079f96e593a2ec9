package core

import (
	"bytes"
	"encoding/base64"
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"
)

// escapers are every way core escapes text: the block path followed by
// escapeWords, for text in a string and in a byte slice, and escapeWords
// alone.
var escapers = []struct {
	name string
	fn   func(out []byte, src string) int
}{
	{"text", escapeText},
	{"bytes", func(out []byte, src string) int { return escapeBytes(out, []byte(src)) }},
	{"words", escapeWords[string]},
}

const canary = 0xA5

// checkEscape escapes src with fn into an out exactly as large as
// required, inside a larger buffer: the result must be url.QueryEscape's,
// and nothing past out may change.
func checkEscape(t *testing.T, name string, fn func([]byte, string) int, src string) {
	t.Helper()
	n := 3*len(src) + escapeSlack
	mem := bytes.Repeat([]byte{canary}, n+256)
	out := mem[:n:n]
	got := string(out[:fn(out, src)])
	if want := url.QueryEscape(src); got != want {
		t.Fatalf("%s: escape of %d characters differs from url.QueryEscape:\n got %.200q\nwant %.200q", name, len(src), got, want)
	}
	for i, c := range mem[n:] {
		if c != canary {
			t.Fatalf("%s: wrote %d bytes past the %d it may", name, i+1, n)
		}
	}
}

// base64Text is standard-alphabet text of n characters in which about
// one in every escapeOdds is '+' or '/', followed by pad '='.
func base64Text(r *rand.Rand, n, escapeOdds, pad int) string {
	const plain = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	var b strings.Builder
	for range n {
		if escapeOdds > 0 && r.IntN(escapeOdds) == 0 {
			b.WriteByte("+/"[r.IntN(2)])
		} else {
			b.WriteByte(plain[r.IntN(len(plain))])
		}
	}
	b.WriteString(strings.Repeat("=", pad))
	return b.String()
}

func TestEscape(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 7))
	lengths := []int{4096, 10_000, 32_768, 65_537}
	for n := range 400 {
		lengths = append(lengths, n)
	}
	for _, n := range lengths {
		// No escapes, the density of compressed image data, half, all.
		for _, odds := range []int{0, 32, 2, 1} {
			src := base64Text(r, n, odds, n%3)
			for _, e := range escapers {
				checkEscape(t, e.name, e.fn, src)
			}
		}
	}
	// The photo's own text, padded both ways.
	for _, size := range []int{50_000, 50_001, 50_002} {
		src := base64.StdEncoding.EncodeToString(benchPhoto(t, size))
		for _, e := range escapers {
			checkEscape(t, e.name, e.fn, src)
		}
	}
}

// TestEscapeBlocksBounds holds the block path to its contract: it
// read only whole blocks, leave at least a block, write at most 3*read+64
// bytes, and do nothing into an out too short for that.
func TestEscapeBlocksBounds(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 8))
	blocks := map[string]func([]byte, string) (int, int){
		"blocks":       escapeBlocks[string],
		"blocks-bytes": func(out []byte, src string) (int, int) { return escapeBlocks(out, []byte(src)) },
	}
	for _, n := range []int{0, 63, 64, 127, 128, 129, 191, 192, 1000, 4096} {
		src := base64Text(r, n, 1, 0) // all escapes: the most written
		for name, fn := range blocks {
			want := blocksLen(n)
			if want > 0 && (want%64 != 0 || n-want < blockTail) {
				t.Fatalf("blocksLen(%d) = %d", n, want)
			}
			for _, room := range []int{3*want + 64, 3*want + 63} {
				mem := bytes.Repeat([]byte{canary}, room+256)
				read, written := fn(mem[:room:room], src)
				if room < 3*want+64 || want == 0 {
					if read != 0 || written != 0 || !bytes.Equal(mem, bytes.Repeat([]byte{canary}, len(mem))) {
						t.Fatalf("%s: n=%d room=%d: read %d, wrote %d, want nothing done", name, n, room, read, written)
					}
					continue
				}
				if read != want || written != 3*want {
					t.Fatalf("%s: n=%d: read %d, wrote %d, want %d, %d", name, n, read, written, want, 3*want)
				}
				if got := string(mem[:written]); got != url.QueryEscape(src[:read]) {
					t.Fatalf("%s: n=%d: wrong output", name, n)
				}
				for i, c := range mem[room:] {
					if c != canary {
						t.Fatalf("%s: n=%d: wrote %d bytes past %d", name, n, i+1, room)
					}
				}
			}
		}
	}
}

// FuzzEscape holds every escaper to url.QueryEscape and to its bounds on
// any base64 text: each input byte picks a character of the alphabet.
func FuzzEscape(f *testing.F) {
	f.Add([]byte("hello, world"), uint8(0))
	f.Add(bytes.Repeat([]byte{62, 63, 0}, 100), uint8(1))
	f.Add(bytes.Repeat([]byte{63}, 300), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, pad uint8) {
		const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
		b := make([]byte, len(data), len(data)+2)
		for i, c := range data {
			b[i] = alphabet[c&63]
		}
		src := string(b) + strings.Repeat("=", int(pad%3))
		for _, e := range escapers {
			checkEscape(t, e.name, e.fn, src)
		}
	})
}
