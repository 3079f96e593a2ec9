//go:build !amd64 || purego

package form

// unescapeBlocks leaves all of s to unescapeInto's word loop.
func unescapeBlocks(out []byte, s string, hex *[256]byte) (read, written int) { return 0, 0 }
