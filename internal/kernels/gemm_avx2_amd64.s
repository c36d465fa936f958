//go:build amd64 && !noasm

#include "textflag.h"

// AVX2 GEMM micro-kernel: a 6×16 tile of C from packed panels.
//
// a: kc steps of 6 floats (a column of op(A) restricted to the tile's rows).
// b: kc steps of 16 floats (a row of op(B) restricted to the tile's columns).
// acc[r][j] = Σ_p a[p*6+r]·b[p*16+j], summed in increasing p by one FMA chain
// per element, then C = alpha·acc + beta·C (beta == 0: C is not read).
//
// Accumulators: Y4..Y15 (row r in Y(4+2r), Y(5+2r)). Y0, Y1 hold b; Y2, Y3
// hold broadcast a values.

// STEP: one p step; a at SI+aoff, b at DI+boff.
#define STEP(aoff, boff) \
	VMOVUPS boff(DI), Y0 \
	VMOVUPS boff+32(DI), Y1 \
	VBROADCASTSS aoff(SI), Y2 \
	VFMADD231PS Y0, Y2, Y4 \
	VFMADD231PS Y1, Y2, Y5 \
	VBROADCASTSS aoff+4(SI), Y3 \
	VFMADD231PS Y0, Y3, Y6 \
	VFMADD231PS Y1, Y3, Y7 \
	VBROADCASTSS aoff+8(SI), Y2 \
	VFMADD231PS Y0, Y2, Y8 \
	VFMADD231PS Y1, Y2, Y9 \
	VBROADCASTSS aoff+12(SI), Y3 \
	VFMADD231PS Y0, Y3, Y10 \
	VFMADD231PS Y1, Y3, Y11 \
	VBROADCASTSS aoff+16(SI), Y2 \
	VFMADD231PS Y0, Y2, Y12 \
	VFMADD231PS Y1, Y2, Y13 \
	VBROADCASTSS aoff+20(SI), Y3 \
	VFMADD231PS Y0, Y3, Y14 \
	VFMADD231PS Y1, Y3, Y15

// STOREROW0: C row = accumulators (already scaled by alpha).
#define STOREROW0(lo, hi) \
	VMOVUPS lo, (DX) \
	VMOVUPS hi, 32(DX) \
	ADDQ R8, DX

// STOREROW: C row = accumulators + beta·C (Y1 holds beta).
#define STOREROW(lo, hi) \
	VFMADD231PS (DX), Y1, lo \
	VFMADD231PS 32(DX), Y1, hi \
	VMOVUPS lo, (DX) \
	VMOVUPS hi, 32(DX) \
	ADDQ R8, DX

// func gemmKernel6x16AVX2(kc int, a, b, c *float32, ldc int, alpha, beta float32)
TEXT ·gemmKernel6x16AVX2(SB), NOSPLIT, $0-48
	MOVQ kc+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ c+24(FP), DX
	MOVQ ldc+32(FP), R8
	SHLQ $2, R8

	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	VXORPS Y12, Y12, Y12
	VXORPS Y13, Y13, Y13
	VXORPS Y14, Y14, Y14
	VXORPS Y15, Y15, Y15

	// Prefetch the C tile; it is written at the end.
	MOVQ DX, R9
	PREFETCHT0 (R9)
	PREFETCHT0 60(R9)
	ADDQ R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 60(R9)
	ADDQ R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 60(R9)
	ADDQ R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 60(R9)
	ADDQ R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 60(R9)
	ADDQ R8, R9
	PREFETCHT0 (R9)
	PREFETCHT0 60(R9)

	MOVQ CX, BX
	SHRQ $2, BX
	JZ   tail

loop4:
	PREFETCHT0 384(SI)
	STEP(0, 0)
	STEP(24, 64)
	PREFETCHT0 448(SI)
	STEP(48, 128)
	STEP(72, 192)
	ADDQ $96, SI
	ADDQ $256, DI
	DECQ BX
	JNZ  loop4

tail:
	ANDQ $3, CX
	JZ   store

loop1:
	STEP(0, 0)
	ADDQ $24, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  loop1

store:
	VBROADCASTSS alpha+40(FP), Y0
	VMULPS Y0, Y4, Y4
	VMULPS Y0, Y5, Y5
	VMULPS Y0, Y6, Y6
	VMULPS Y0, Y7, Y7
	VMULPS Y0, Y8, Y8
	VMULPS Y0, Y9, Y9
	VMULPS Y0, Y10, Y10
	VMULPS Y0, Y11, Y11
	VMULPS Y0, Y12, Y12
	VMULPS Y0, Y13, Y13
	VMULPS Y0, Y14, Y14
	VMULPS Y0, Y15, Y15

	VMOVSS   beta+44(FP), X1
	VXORPS   X2, X2, X2
	VUCOMISS X2, X1
	JNE    withbeta
	JPS    withbeta

	STOREROW0(Y4, Y5)
	STOREROW0(Y6, Y7)
	STOREROW0(Y8, Y9)
	STOREROW0(Y10, Y11)
	STOREROW0(Y12, Y13)
	STOREROW0(Y14, Y15)
	VZEROUPPER
	RET

withbeta:
	VBROADCASTSS beta+44(FP), Y1
	STOREROW(Y4, Y5)
	STOREROW(Y6, Y7)
	STOREROW(Y8, Y9)
	STOREROW(Y10, Y11)
	STOREROW(Y12, Y13)
	STOREROW(Y14, Y15)
	VZEROUPPER
	RET

// STEPD: one p step with A in place: rows at SI, SI+R9, SI+2·R9, SI+R10
// (3·R9), R11 (SI+4·R9) and R11+R9, each at byte offset aoff; the caller
// advances SI and R11 by the p stride.
#define STEPD(aoff, boff) \
	VMOVUPS boff(DI), Y0 \
	VMOVUPS boff+32(DI), Y1 \
	VBROADCASTSS aoff(SI), Y2 \
	VFMADD231PS Y0, Y2, Y4 \
	VFMADD231PS Y1, Y2, Y5 \
	VBROADCASTSS aoff(SI)(R9*1), Y3 \
	VFMADD231PS Y0, Y3, Y6 \
	VFMADD231PS Y1, Y3, Y7 \
	VBROADCASTSS aoff(SI)(R9*2), Y2 \
	VFMADD231PS Y0, Y2, Y8 \
	VFMADD231PS Y1, Y2, Y9 \
	VBROADCASTSS aoff(SI)(R10*1), Y3 \
	VFMADD231PS Y0, Y3, Y10 \
	VFMADD231PS Y1, Y3, Y11 \
	VBROADCASTSS aoff(R11), Y2 \
	VFMADD231PS Y0, Y2, Y12 \
	VFMADD231PS Y1, Y2, Y13 \
	VBROADCASTSS aoff(R11)(R9*1), Y3 \
	VFMADD231PS Y0, Y3, Y14 \
	VFMADD231PS Y1, Y3, Y15

// func gemmKernel6x16DirectAVX2(kc int, a *float32, rs, ps int, b, c *float32, ldc int, alpha, beta float32)
//
// As gemmKernel6x16AVX2, but A is read in place: element (r, p) of the
// tile's A is a[r·rs + p·ps] (row-major op(A): rs = lda, ps = 1; op(A) =
// Aᵀ: rs = 1, ps = lda).
TEXT ·gemmKernel6x16DirectAVX2(SB), NOSPLIT, $0-64
	MOVQ kc+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ rs+16(FP), R9
	SHLQ $2, R9
	LEAQ (R9)(R9*2), R10
	LEAQ (SI)(R9*4), R11
	MOVQ ps+24(FP), R14
	SHLQ $2, R14
	MOVQ b+32(FP), DI
	MOVQ c+40(FP), DX
	MOVQ ldc+48(FP), R8
	SHLQ $2, R8

	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11
	VXORPS Y12, Y12, Y12
	VXORPS Y13, Y13, Y13
	VXORPS Y14, Y14, Y14
	VXORPS Y15, Y15, Y15

	// Prefetch the C tile; it is written at the end.
	MOVQ DX, R13
	PREFETCHT0 (R13)
	PREFETCHT0 60(R13)
	ADDQ R8, R13
	PREFETCHT0 (R13)
	PREFETCHT0 60(R13)
	ADDQ R8, R13
	PREFETCHT0 (R13)
	PREFETCHT0 60(R13)
	ADDQ R8, R13
	PREFETCHT0 (R13)
	PREFETCHT0 60(R13)
	ADDQ R8, R13
	PREFETCHT0 (R13)
	PREFETCHT0 60(R13)
	ADDQ R8, R13
	PREFETCHT0 (R13)
	PREFETCHT0 60(R13)

	MOVQ CX, BX
	SHRQ $2, BX
	JZ   taild

loopd4:
	STEPD(0, 0)
	ADDQ R14, SI
	ADDQ R14, R11
	STEPD(0, 64)
	ADDQ R14, SI
	ADDQ R14, R11
	STEPD(0, 128)
	ADDQ R14, SI
	ADDQ R14, R11
	STEPD(0, 192)
	ADDQ R14, SI
	ADDQ R14, R11
	ADDQ $256, DI
	DECQ BX
	JNZ  loopd4

taild:
	ANDQ $3, CX
	JZ   stored

loopd1:
	STEPD(0, 0)
	ADDQ R14, SI
	ADDQ R14, R11
	ADDQ $64, DI
	DECQ CX
	JNZ  loopd1

stored:
	VBROADCASTSS alpha+56(FP), Y0
	VMULPS Y0, Y4, Y4
	VMULPS Y0, Y5, Y5
	VMULPS Y0, Y6, Y6
	VMULPS Y0, Y7, Y7
	VMULPS Y0, Y8, Y8
	VMULPS Y0, Y9, Y9
	VMULPS Y0, Y10, Y10
	VMULPS Y0, Y11, Y11
	VMULPS Y0, Y12, Y12
	VMULPS Y0, Y13, Y13
	VMULPS Y0, Y14, Y14
	VMULPS Y0, Y15, Y15

	VMOVSS   beta+60(FP), X1
	VXORPS   X2, X2, X2
	VUCOMISS X2, X1
	JNE    withbetad
	JPS    withbetad

	STOREROW0(Y4, Y5)
	STOREROW0(Y6, Y7)
	STOREROW0(Y8, Y9)
	STOREROW0(Y10, Y11)
	STOREROW0(Y12, Y13)
	STOREROW0(Y14, Y15)
	VZEROUPPER
	RET

withbetad:
	VBROADCASTSS beta+60(FP), Y1
	STOREROW(Y4, Y5)
	STOREROW(Y6, Y7)
	STOREROW(Y8, Y9)
	STOREROW(Y10, Y11)
	STOREROW(Y12, Y13)
	STOREROW(Y14, Y15)
	VZEROUPPER
	RET
