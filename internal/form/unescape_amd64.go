//go:build !purego

package form

// unescapeBlocks unescapes the start of s into out with SSE2 (part of
// every amd64); see unescape_amd64.s.
//
//go:noescape
func unescapeBlocks(out []byte, s string, hex *[256]byte) (read, written int)
