//go:build !purego

#include "textflag.h"

// func unescapeBlocks(out []byte, s string, hex *[256]byte) (read, written int)
//
// unescapeBlocks unescapes s into out 64 characters at a time for as long
// as 136 or more remain, and stops early at a '%' not followed by two hex
// digits; unescapeInto does the rest, and reports that escape. It does
// nothing unless out has room for len(s)+64 bytes.
//
// Each block is stored whole; PCMPEQB against '%' and '+' and PMOVMSKB give
// a 64-bit mask of its escapes. For each set bit j, lowest first, a '+'
// becomes ' ' in place; a "%XY" becomes its byte (hex maps each digit to
// its value, anything else to 0xFF), the 64 characters after it are
// stored again from there, and DI moves back by two. The next block starts
// after the last escape, which may reach two past this one. So reads reach
// 130 past the block's start and writes 128 past its place in out.
TEXT ·unescapeBlocks(SB), NOSPLIT, $0-64
	MOVQ out_base+0(FP), DI
	MOVQ out_len+8(FP), R11
	MOVQ s_base+24(FP), SI
	MOVQ s_len+32(FP), CX
	MOVQ hex+40(FP), R10
	MOVQ DI, R8
	MOVQ SI, R12
	CMPQ CX, $136
	JB   none
	LEAQ 64(CX), DX
	CMPQ DX, R11
	JA   none
	LEAQ -136(SI)(CX*1), CX // the last block may start here
	MOVQ $0x2525252525252525, AX // '%'
	MOVQ AX, X2
	PUNPCKLQDQ X2, X2
	MOVQ $0x2B2B2B2B2B2B2B2B, AX // '+'
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
	PMOVMSKB X8, R11
	SHLQ $16, DX
	SHLQ $32, R9
	SHLQ $48, R11
	ORQ  DX, AX
	ORQ  R9, AX
	ORQ  R11, AX
	MOVQ $64, R13 // characters this block takes
	TESTQ AX, AX
	JNE  special

next:
	ADDQ R13, SI
	ADDQ R13, DI
	CMPQ SI, CX
	JLS  block

done:
	SUBQ R12, SI
	SUBQ R8, DI
	MOVQ SI, read+48(FP)
	MOVQ DI, written+56(FP)
	RET

special:
	BSFQ AX, BX
	LEAQ -1(AX), DX
	ANDQ DX, AX
	MOVBLZX (SI)(BX*1), DX
	CMPB DX, $0x2B
	JNE  percent
	MOVB $0x20, (DI)(BX*1)
	TESTQ AX, AX
	JNE  special
	JMP  next

percent:
	MOVBLZX 1(SI)(BX*1), DX
	MOVBLZX (R10)(DX*1), DX
	MOVBLZX 2(SI)(BX*1), R9
	MOVBLZX (R10)(R9*1), R9
	MOVL DX, R11
	ORL  R9, R11
	CMPL R11, $15
	JA   bad
	SHLL $4, DX
	ORL  R9, DX
	MOVB DX, (DI)(BX*1)
	MOVOU 3(SI)(BX*1), X1
	MOVOU 19(SI)(BX*1), X5
	MOVOU 35(SI)(BX*1), X7
	MOVOU 51(SI)(BX*1), X9
	MOVOU X1, 1(DI)(BX*1)
	MOVOU X5, 17(DI)(BX*1)
	MOVOU X7, 33(DI)(BX*1)
	MOVOU X9, 49(DI)(BX*1)
	SUBQ $2, DI
	LEAQ 3(BX), R11
	CMPQ R11, R13
	CMOVQHI R11, R13
	TESTQ AX, AX
	JNE  special
	JMP  next

bad:
	ADDQ BX, SI
	ADDQ BX, DI
	JMP  done

none:
	MOVQ $0, read+48(FP)
	MOVQ $0, written+56(FP)
	RET
