//go:build !purego

#include "textflag.h"

// CHUNK classifies the 16 characters at off(SI) and counts other and
// escape. It loads them three times rather than copying registers: the
// vector ALUs bound the loop, the load ports are idle.
#define CHUNK(off) \
	MOVOU   off(SI), X0; \
	MOVOU   off(SI), X1; \
	MOVOU   off(SI), X2; \
	POR     X8, X0; \
	PADDB   X9, X0; \
	PCMPGTB X10, X0; \
	PADDB   X11, X1; \
	PCMPGTB X12, X1; \
	PAND    X1, X0; \
	POR     X13, X2; \
	PCMPEQB X14, X2; \
	PSUBB   X0, X6; \
	PSUBB   X2, X7

// func scanBlocks(s string) (read, escapes int, ok bool)
//
// scanBlocks reads the whole 64-character blocks of s, 16 characters to an
// SSE register, and classifies every character with three tests:
//
//	letter   (c|0x20) in 'a'..'z': setting bit 5 folds 'A'..'Z' onto
//	         'a'..'z' and nothing else there
//	digit    c in '0'..'9'
//	escape   c|0x04 == '/': true for '+' (0x2B) and '/' (0x2F) only
//
// SSE2 compares bytes as signed, so a range lo..hi is tested by adding
// 0x80-lo, which moves it to 0x80..0x80+hi-lo, the smallest signed values:
// a character is outside it when the sum compares greater than 0x80+hi-lo.
// This holds for every byte, 0x80 and up included.
//
// other, neither letter nor digit, holds the escapes and any character
// outside the alphabet, so the text is valid when the two masks are
// equal. Rather than build and gather a mask of their difference, which
// costs one more instruction in eleven, each lane counts both (PSUBB of
// an all-ones mask adds 1): the counts stay equal exactly when no lane
// has seen a bad character. A lane gains at most 4 a block,
// so after at most 63 blocks (252) the counts are compared, the escape
// counts are summed into 64-bit totals with PSADBW, and both are reset.
// An unequal pair ends the scan at once.
//
// Registers:
//
//	SI next block, BX end of this round, DI end of the blocks
//	X0-X2 per 16 characters: other (built from letter and digit), escape
//	X6 other counts, X7 escape counts, X5 escape totals, X15 zero
//	X8-X14 constants
TEXT ·scanBlocks(SB), NOSPLIT, $0-33
	MOVQ s_base+0(FP), SI
	MOVQ s_len+8(FP), CX
	ANDQ $-64, CX // whole blocks only: nothing past s is read
	MOVQ CX, read+16(FP)
	LEAQ (SI)(CX*1), DI

	MOVL $0x20202020, AX
	MOVL AX, X8
	PSHUFD $0, X8, X8
	MOVL $0x1F1F1F1F, AX // 0x80-'a'
	MOVL AX, X9
	PSHUFD $0, X9, X9
	MOVL $0x99999999, AX // 0x80+'z'-'a'
	MOVL AX, X10
	PSHUFD $0, X10, X10
	MOVL $0x50505050, AX // 0x80-'0'
	MOVL AX, X11
	PSHUFD $0, X11, X11
	MOVL $0x89898989, AX // 0x80+'9'-'0'
	MOVL AX, X12
	PSHUFD $0, X12, X12
	MOVL $0x04040404, AX
	MOVL AX, X13
	PSHUFD $0, X13, X13
	MOVL $0x2F2F2F2F, AX // '/'
	MOVL AX, X14
	PSHUFD $0, X14, X14
	PXOR X5, X5
	PXOR X6, X6
	PXOR X7, X7
	PXOR X15, X15
	MOVQ $(63*64), R8

	CMPQ SI, DI
	JAE  done

round:
	MOVQ    DI, BX
	SUBQ    SI, BX
	CMPQ    BX, R8
	CMOVQHI R8, BX
	ADDQ    SI, BX

block:
	CHUNK(0)
	CHUNK(16)
	CHUNK(32)
	CHUNK(48)
	ADDQ $64, SI
	CMPQ SI, BX
	JB   block

	MOVO     X7, X0
	PCMPEQB  X6, X0
	PMOVMSKB X0, AX
	CMPL     AX, $0xFFFF
	JNE      bad
	PSADBW   X15, X7
	PADDQ    X7, X5
	PXOR     X6, X6
	PXOR     X7, X7
	CMPQ     SI, DI
	JB       round

done:
	PSHUFD $0x4E, X5, X0 // the high total onto the low
	PADDQ  X0, X5
	MOVQ   X5, AX
	MOVQ   AX, escapes+24(FP)
	MOVB   $1, ok+32(FP)
	RET

bad:
	MOVQ $0, escapes+24(FP)
	MOVB $0, ok+32(FP)
	RET
