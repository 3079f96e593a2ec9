//go:build !purego

package photo

// scanBlocks scans the whole 64-character blocks at the start of s as
// scanStd scans s, with SSE2 (part of every amd64, so nothing to detect),
// and returns how many characters it read. It reads only within s;
// escapes is 0 when ok is false.
//
//go:noescape
func scanBlocks(s string) (read, escapes int, ok bool)
