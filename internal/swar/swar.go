// Package swar holds the word-at-a-time byte tests the parsers of
// megabyte bodies use to skip plain runs eight bytes at a time.
package swar

// Load8 reads s[0:8] as a little-endian word, byte by byte so that it
// works on strings and on byte slices without converting either (which
// would copy); the compiler merges the loads into one. Callers pass
// s[i : i+8], which spares the bounds checks (BenchmarkParseJSON slows by
// a fifth with s[i:]).
func Load8[T ~string | ~[]byte](s T) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// ZeroBytes has the high bit of each zero byte of v set, and no other bit.
func ZeroBytes(v uint64) uint64 {
	const low7 = 0x7F7F7F7F7F7F7F7F
	return ^((v&low7 + low7) | v | low7)
}
