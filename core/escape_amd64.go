//go:build !purego

package core

// escapeBlocks escapes the first blocksLen(len(src)) characters of src,
// which must hold no '=', into out and returns how many it read and
// wrote, as escapeBlocksGo does, with SSE2 (part of every amd64). It
// checks both lengths itself: it reads only within src, writes at most
// 3*read+64 bytes, and does nothing if out is shorter than that.
//
//go:noescape
func escapeBlocks(out []byte, src string) (read, written int)

// escapeBlocksBytes is escapeBlocks for text held in a byte slice.
//
//go:noescape
func escapeBlocksBytes(out []byte, src []byte) (read, written int)
