//go:build !purego

#include "textflag.h"

// func escapeBlocks(out []byte, src string) (read, written int)
TEXT ·escapeBlocks(SB), NOSPLIT, $0-56
	MOVQ out_base+0(FP), DI
	MOVQ out_len+8(FP), R11
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	LEAQ read+40(FP), R12
	JMP  escapebody<>(SB)

// func escapeBlocksBytes(out []byte, src []byte) (read, written int)
TEXT ·escapeBlocksBytes(SB), NOSPLIT, $0-64
	MOVQ out_base+0(FP), DI
	MOVQ out_len+8(FP), R11
	MOVQ src_base+24(FP), SI
	MOVQ src_len+32(FP), CX
	LEAQ read+48(FP), R12
	JMP  escapebody<>(SB)

// escapebody escapes 64-character blocks of the text at SI (CX long) into
// DI (R11 long) and stores read and written at 0(R12) and 8(R12).
//
// Each block is stored whole; PCMPEQB against '+' and '/' and PMOVMSKB give
// a 64-bit mask of the characters to escape. For each set bit j, lowest
// first, "%2B" or "%2F" is stored at j and the 64 characters after j are
// stored again from j+3, after which DI is two bytes further on. So the
// reads reach 64 past the block being escaped, and the writes 64 past the
// output's true end.
TEXT escapebody<>(SB), NOSPLIT, $0
	// n = (len(src)-64) rounded down to whole blocks, none below 128.
	CMPQ CX, $128
	JB   none
	SUBQ $64, CX
	ANDQ $-64, CX
	// Every character escaped takes 3n bytes; room for 64 more is needed.
	LEAQ 64(CX)(CX*2), DX
	CMPQ DX, R11
	JA   none
	MOVQ CX, 0(R12)
	MOVQ DI, R8
	ADDQ SI, CX
	MOVQ $0x2B2B2B2B2B2B2B2B, AX // '+'
	MOVQ AX, X2
	PUNPCKLQDQ X2, X2
	MOVQ $0x2F2F2F2F2F2F2F2F, AX // '/'
	MOVQ AX, X3
	PUNPCKLQDQ X3, X3

block:
	MOVOU (SI), X0
	MOVOU 16(SI), X4
	MOVOU 32(SI), X6
	MOVOU 48(SI), X8
	MOVOU X0, (DI)
	MOVOU X4, 16(DI)
	MOVOU X6, 32(DI)
	MOVOU X8, 48(DI)
	MOVOU X0, X1
	MOVOU X4, X5
	MOVOU X6, X7
	MOVOU X8, X9
	PCMPEQB X2, X0
	PCMPEQB X3, X1
	PCMPEQB X2, X4
	PCMPEQB X3, X5
	PCMPEQB X2, X6
	PCMPEQB X3, X7
	PCMPEQB X2, X8
	PCMPEQB X3, X9
	POR  X1, X0
	POR  X5, X4
	POR  X7, X6
	POR  X9, X8
	PMOVMSKB X0, AX
	PMOVMSKB X4, DX
	PMOVMSKB X6, R9
	PMOVMSKB X8, R10
	SHLQ $16, DX
	SHLQ $32, R9
	SHLQ $48, R10
	ORQ  DX, AX
	ORQ  R9, AX
	ORQ  R10, AX
	JNE  escape

next:
	ADDQ $64, SI
	ADDQ $64, DI
	CMPQ SI, CX
	JB   block
	SUBQ R8, DI
	MOVQ DI, 8(R12)
	RET

escape:
	BSFQ AX, BX
	// '%' '2' then 'B' for '+' (0x2B) or 'F' for '/' (0x2F): 0x37 plus
	// the low nibble. The fourth byte stored is overwritten below.
	MOVBLZX (SI)(BX*1), DX
	ANDL $15, DX
	ADDL $0x37, DX
	SHLL $16, DX
	ORL  $0x3225, DX
	MOVL DX, (DI)(BX*1)
	ADDQ $2, DI
	MOVOU 1(SI)(BX*1), X1
	MOVOU 17(SI)(BX*1), X5
	MOVOU 33(SI)(BX*1), X7
	MOVOU 49(SI)(BX*1), X9
	MOVOU X1, 1(DI)(BX*1)
	MOVOU X5, 17(DI)(BX*1)
	MOVOU X7, 33(DI)(BX*1)
	MOVOU X9, 49(DI)(BX*1)
	LEAQ -1(AX), DX
	ANDQ DX, AX
	JNE  escape
	JMP  next

none:
	MOVQ $0, 0(R12)
	MOVQ $0, 8(R12)
	RET
