package core

import (
	"encoding/binary"
	"math/bits"
)

// The photo's base64 text is most of every request body, and in the form
// body its '+' and '/' (one character in 32 of compressed image data) and
// its padding '=' must be percent-escaped. Escaping is the one pass core
// makes over every character after paying is decided, so it is done a
// 64-character block at a time: the block is stored whole and each escape
// re-stores the rest of the block three bytes on (docs/benchmarks.md, a); word
// arithmetic finds the block's positions to escape. TestEscape and
// FuzzEscape hold it to url.QueryEscape.

// escapeSlack is how far past its output escapeText and escapeBytes may
// write: the block path stores whole 64-byte blocks.
const escapeSlack = 64

// escapeText writes src, standard-alphabet base64 text with '=' only as
// its padding, to out with every '+', '/' and '=' percent-escaped, and
// returns the length written. out must have 3*len(src)+escapeSlack bytes.
func escapeText(out []byte, src string) int {
	_ = out[3*len(src)+escapeSlack-1]
	r, w := escapeBlocks(out, src)
	return w + escapeWords(out[w:], src[r:])
}

// escapeBytes is escapeText for text held in a byte slice.
func escapeBytes(out []byte, src []byte) int {
	_ = out[3*len(src)+escapeSlack-1]
	r, w := escapeBlocks(out, src)
	return w + escapeWords(out[w:], src[r:])
}

// escapes holds, for each byte escapeWords escapes, "%XY" as a
// little-endian word, so that one 32-bit store writes it.
var escapes = func() (t [256]uint32) {
	const hex = "0123456789ABCDEF"
	for c := range t {
		t[c] = '%' | uint32(hex[c>>4])<<8 | uint32(hex[c&15])<<16
	}
	return t
}()

// blockTail is what the block path leaves to escapeWords: at least a
// block, because an escape near a block's end re-stores the 64 characters
// after it, which must be in src; and the padding, which the block path
// does not look for.
const blockTail = 64

// blocksLen is how much of an n-character text the block path escapes:
// whole 64-character blocks, leaving at least blockTail characters.
func blocksLen(n int) int {
	if n < 2*64 {
		return 0
	}
	return (n - blockTail) &^ 63
}

// escapeBlocks escapes the first blocksLen(len(src)) characters of src,
// which must hold no '=', into out and returns how many it read and
// wrote. It writes at most 3*read+64 bytes and does nothing if out is
// shorter.
func escapeBlocks[S ~string | ~[]byte](out []byte, src S) (read, written int) {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
		// gather moves bit 8j of a word to bit 56+j.
		gather = 0x0102040810204080
	)
	n := blocksLen(len(src))
	if len(out) < 3*n+64 {
		return 0, 0
	}
	w := 0
	for i := 0; i < n; i += 64 {
		s := src[i : i+128]
		// m has bit p set where s[p] is '+' or '/': in the base64 alphabet
		// those are the only characters below '0', and adding 0x50 sets
		// the high bit of every other one without carrying.
		var m uint64
		for k := 0; k < 64; k += 8 {
			x := binary.LittleEndian.Uint64([]byte(s[k : k+8]))
			b := ^(x + ones*(0x80-'0')) & high
			m |= (b >> 7 * gather) >> 56 << k
		}
		prev := 0
		for m != 0 {
			p := bits.TrailingZeros64(m)
			m &= m - 1
			copy(out[w:w+64], s[prev:prev+64])
			w += p - prev
			binary.LittleEndian.PutUint32(out[w:], escapes[s[p]])
			w += 3
			prev = p + 1
		}
		copy(out[w:w+64], s[prev:prev+64])
		w += 64 - prev
	}
	return n, w
}

// escapeWords escapes any base64 text a word at a time: each 8-byte word
// is stored whole, a bit trick finds the bytes to escape (on random data
// about one word in five has one), and for each the rest of the word is
// stored again three bytes further on. The '=' padding, only ever in the
// last two characters, is left to the byte loop after the words. out
// must have 3*len(src)+8 bytes.
func escapeWords[S ~string | ~[]byte](out []byte, src S) int {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
	)
	_ = out[3*len(src)+8-1]
	w, i := 0, 0
	for ; i+8+2 <= len(src); i += 8 {
		x := binary.LittleEndian.Uint64([]byte(src[i : i+8]))
		// '+' and '/' are the alphabet's only bytes below '0'.
		m := ^((x | high) - ones*'0') & high // exact for ASCII bytes
		binary.LittleEndian.PutUint64(out[w:], x)
		k := 8
		for m != 0 {
			j := bits.TrailingZeros64(m) >> 3
			binary.LittleEndian.PutUint32(out[w+j:], escapes[byte(x>>(8*j))])
			w += j + 3
			k -= j + 1
			sh := uint(j+1) * 8 // 64 for the last byte: shifts to 0
			x >>= sh
			m >>= sh
			binary.LittleEndian.PutUint64(out[w:], x)
		}
		w += k
	}
	for ; i < len(src); i++ {
		c := src[i]
		if c < '0' || c == '=' {
			binary.LittleEndian.PutUint32(out[w:], escapes[c])
			w += 3
			continue
		}
		out[w] = c
		w++
	}
	return w
}
