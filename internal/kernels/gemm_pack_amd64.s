//go:build amd64 && !noasm

#include "textflag.h"

// func packT8AVX2(dst *float32, dstStride int, src *float32, srcStride int, rows, blocks int)
//
// Transposes blocks of 8 columns of a rows×(8·blocks) matrix (rows ≤ 8,
// row stride srcStride) into dst: column p of the source becomes the rows
// floats at dst[p*dstStride:]. Every column is stored as 8 floats, the
// lanes past rows being zeros, so up to 8 floats from dst[p*dstStride] are
// written. Strides are in elements.
TEXT ·packT8AVX2(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ dstStride+8(FP), R8
	SHLQ $2, R8
	MOVQ src+16(FP), SI
	MOVQ srcStride+24(FP), R9
	SHLQ $2, R9
	MOVQ rows+32(FP), DX
	MOVQ blocks+40(FP), CX
	TESTQ CX, CX
	JZ   done

block:
	// Load up to 8 rows; R11 walks the rows of this block.
	MOVQ SI, R11
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VMOVUPS (R11), Y0
	CMPQ DX, $2
	JLT  loaded
	ADDQ R9, R11
	VMOVUPS (R11), Y1
	CMPQ DX, $3
	JLT  loaded
	ADDQ R9, R11
	VMOVUPS (R11), Y2
	CMPQ DX, $4
	JLT  loaded
	ADDQ R9, R11
	VMOVUPS (R11), Y3
	CMPQ DX, $5
	JLT  loaded
	ADDQ R9, R11
	VMOVUPS (R11), Y4
	CMPQ DX, $6
	JLT  loaded
	ADDQ R9, R11
	VMOVUPS (R11), Y5
	CMPQ DX, $7
	JLT  loaded
	ADDQ R9, R11
	VMOVUPS (R11), Y6
	CMPQ DX, $8
	JLT  loaded
	ADDQ R9, R11
	VMOVUPS (R11), Y7

loaded:
	VUNPCKLPS Y1, Y0, Y8
	VUNPCKHPS Y1, Y0, Y9
	VUNPCKLPS Y3, Y2, Y10
	VUNPCKHPS Y3, Y2, Y11
	VUNPCKLPS Y5, Y4, Y12
	VUNPCKHPS Y5, Y4, Y13
	VUNPCKLPS Y7, Y6, Y14
	VUNPCKHPS Y7, Y6, Y15
	VSHUFPS $0x44, Y10, Y8, Y0
	VSHUFPS $0xEE, Y10, Y8, Y1
	VSHUFPS $0x44, Y11, Y9, Y2
	VSHUFPS $0xEE, Y11, Y9, Y3
	VSHUFPS $0x44, Y14, Y12, Y4
	VSHUFPS $0xEE, Y14, Y12, Y5
	VSHUFPS $0x44, Y15, Y13, Y6
	VSHUFPS $0xEE, Y15, Y13, Y7
	VPERM2F128 $0x20, Y4, Y0, Y8
	VPERM2F128 $0x20, Y5, Y1, Y9
	VPERM2F128 $0x20, Y6, Y2, Y10
	VPERM2F128 $0x20, Y7, Y3, Y11
	VPERM2F128 $0x31, Y4, Y0, Y12
	VPERM2F128 $0x31, Y5, Y1, Y13
	VPERM2F128 $0x31, Y6, Y2, Y14
	VPERM2F128 $0x31, Y7, Y3, Y15

	// Full stores even for fewer than 8 rows: the lanes past rows are
	// zeros (the registers were cleared), see gatherRows for why the
	// bytes they cover may be written.
	MOVQ DI, R11
	VMOVUPS Y8, (R11)
	ADDQ R8, R11
	VMOVUPS Y9, (R11)
	ADDQ R8, R11
	VMOVUPS Y10, (R11)
	ADDQ R8, R11
	VMOVUPS Y11, (R11)
	ADDQ R8, R11
	VMOVUPS Y12, (R11)
	ADDQ R8, R11
	VMOVUPS Y13, (R11)
	ADDQ R8, R11
	VMOVUPS Y14, (R11)
	ADDQ R8, R11
	VMOVUPS Y15, (R11)

next:
	ADDQ $32, SI
	// dst advances by 8 columns: 8·dstStride bytes.
	MOVQ R8, AX
	SHLQ $3, AX
	ADDQ AX, DI
	DECQ CX
	JNZ  block

done:
	VZEROUPPER
	RET

// func panelCopyAVX2(dst, src *float32, w, kb, full, ld int)
//
// Cuts kb source rows (row stride ld) into full panels of w floats:
// dst[q*w*kb + p*w + c] = src[p*ld + q*w + c] for p < kb, q < full, c < w,
// with w one of 6, 12, 16 and 32 (the micro-kernels' panel widths). Other
// widths copy nothing.
TEXT ·panelCopyAVX2(SB), NOSPLIT, $0-48
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ w+16(FP), R8
	MOVQ kb+24(FP), CX
	MOVQ full+32(FP), DX
	MOVQ ld+40(FP), R9
	SHLQ $2, R9
	TESTQ CX, CX
	JZ   pc_done
	TESTQ DX, DX
	JZ   pc_done
	// R12 = panel stride in bytes (w·kb·4); R13 = w·4.
	MOVQ R8, R13
	SHLQ $2, R13
	MOVQ R13, R12
	IMULQ CX, R12
	CMPQ R8, $6
	JEQ  pc_w6
	CMPQ R8, $12
	JEQ  pc_w12
	CMPQ R8, $16
	JEQ  pc_w16
	CMPQ R8, $32
	JEQ  pc_w32
	JMP  pc_done

pc_w6:
	MOVQ CX, BX
pc_row6:
	MOVQ SI, R10
	MOVQ DI, R11
	MOVQ DX, R14
pc_col6:
	VMOVUPS (R10), X0
	MOVQ 16(R10), AX
	VMOVUPS X0, (R11)
	MOVQ AX, 16(R11)
	ADDQ R13, R10
	ADDQ R12, R11
	DECQ R14
	JNZ  pc_col6
	ADDQ R9, SI
	ADDQ R13, DI
	DECQ BX
	JNZ  pc_row6
	JMP  pc_done

pc_w12:
	MOVQ CX, BX
pc_row12:
	MOVQ SI, R10
	MOVQ DI, R11
	MOVQ DX, R14
pc_col12:
	VMOVUPS (R10), Y0
	VMOVUPS 32(R10), X1
	VMOVUPS Y0, (R11)
	VMOVUPS X1, 32(R11)
	ADDQ R13, R10
	ADDQ R12, R11
	DECQ R14
	JNZ  pc_col12
	ADDQ R9, SI
	ADDQ R13, DI
	DECQ BX
	JNZ  pc_row12
	JMP  pc_done

pc_w16:
	MOVQ CX, BX
pc_row16:
	MOVQ SI, R10
	MOVQ DI, R11
	MOVQ DX, R14
pc_col16:
	VMOVUPS (R10), Y0
	VMOVUPS 32(R10), Y1
	VMOVUPS Y0, (R11)
	VMOVUPS Y1, 32(R11)
	ADDQ R13, R10
	ADDQ R12, R11
	DECQ R14
	JNZ  pc_col16
	ADDQ R9, SI
	ADDQ R13, DI
	DECQ BX
	JNZ  pc_row16
	JMP  pc_done

pc_w32:
	MOVQ CX, BX
pc_row32:
	MOVQ SI, R10
	MOVQ DI, R11
	MOVQ DX, R14
pc_col32:
	VMOVUPS (R10), Y0
	VMOVUPS 32(R10), Y1
	VMOVUPS 64(R10), Y2
	VMOVUPS 96(R10), Y3
	VMOVUPS Y0, (R11)
	VMOVUPS Y1, 32(R11)
	VMOVUPS Y2, 64(R11)
	VMOVUPS Y3, 96(R11)
	ADDQ R13, R10
	ADDQ R12, R11
	DECQ R14
	JNZ  pc_col32
	ADDQ R9, SI
	ADDQ R13, DI
	DECQ BX
	JNZ  pc_row32
	JMP  pc_done

pc_done:
	VZEROUPPER
	RET
