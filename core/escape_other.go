//go:build !amd64 || purego

package core

func escapeBlocks(out []byte, src string) (read, written int) { return escapeBlocksGo(out, src) }

func escapeBlocksBytes(out []byte, src []byte) (read, written int) {
	return escapeBlocksGo(out, src)
}
