//go:build amd64 && !noasm

package kernels

// Assembly micro-kernels (gemm_avx2_amd64.s, gemm_avx512_amd64.s) and
// packing loops. Their reference loops follow; the tests hold the
// assembly to gemmGeneric through the blocked GEMM on odd sizes with guard
// values (gemm_asm_test.go, gemm_direct_asm_test.go).

// gemmKernel6x16AVX2 computes one 6×16 tile of C from packed panels: a
// holds kc steps of 6 floats, b kc steps of 16. Every element is one FMA
// chain over p in increasing order; with beta 0, C is not read:
//
//	for i := 0; i < 6; i++ {
//		for j := 0; j < 16; j++ {
//			var s float32
//			for p := 0; p < kc; p++ {
//				s = fma(a[p*6+i], b[p*16+j], s)
//			}
//			if beta == 0 {
//				c[i*ldc+j] = alpha * s
//			} else {
//				c[i*ldc+j] = alpha*s + beta*c[i*ldc+j]
//			}
//		}
//	}
//
//go:noescape
func gemmKernel6x16AVX2(kc int, a, b, c *float32, ldc int, alpha, beta float32)

// gemmKernel6x16DirectAVX2 is gemmKernel6x16AVX2 reading A in place:
// a[p*6+i] above becomes a[i*rs+p*ps]. Its arithmetic is the packed
// kernel's, so both give bit-identical tiles.
//
//go:noescape
func gemmKernel6x16DirectAVX2(kc int, a *float32, rs, ps int, b, c *float32, ldc int, alpha, beta float32)

// gemmKernel12x32AVX512 is gemmKernel6x16AVX2's loop on a 12×32 tile: a
// holds kc steps of 12 floats, b kc steps of 32:
//
//	for i := 0; i < 12; i++ {
//		for j := 0; j < 32; j++ {
//			var s float32
//			for p := 0; p < kc; p++ {
//				s = fma(a[p*12+i], b[p*32+j], s)
//			}
//			c[i*ldc+j] = alpha*s (+ beta*c[i*ldc+j] unless beta == 0)
//		}
//	}
//
//go:noescape
func gemmKernel12x32AVX512(kc int, a, b, c *float32, ldc int, alpha, beta float32)

// gemmKernel12x32DirectAVX512 is gemmKernel12x32AVX512 reading A in place:
// a[p*12+i] becomes a[i*rs+p*ps], with the same arithmetic.
//
//go:noescape
func gemmKernel12x32DirectAVX512(kc int, a *float32, rs, ps int, b, c *float32, ldc int, alpha, beta float32)

// panelCopyAVX2 cuts kb rows of full·w contiguous floats (row stride ld)
// into full panels of w columns (w is 16 or 32), the full panels of
// panelize:
//
//	for q := 0; q < full; q++ {
//		for p := 0; p < kb; p++ {
//			for c := 0; c < w; c++ {
//				dst[q*w*kb+p*w+c] = src[p*ld+q*w+c]
//			}
//		}
//	}
//
//go:noescape
func panelCopyAVX2(dst, src *float32, w, kb, full, ld int)

// packT8AVX2 transposes blocks 8×8 blocks of a rows-row strip (rows ≤ 8)
// of src, the vector part of gatherRows. It stores 8 floats per column,
// rows past the strip as zeros, so dst needs room for 8:
//
//	for p := 0; p < 8*blocks; p++ {
//		for r := 0; r < 8; r++ {
//			v := float32(0)
//			if r < rows {
//				v = src[r*srcStride+p]
//			}
//			dst[p*dstStride+r] = v
//		}
//	}
//
//go:noescape
func packT8AVX2(dst *float32, dstStride int, src *float32, srcStride int, rows, blocks int)

// Block sizes. AVX2 (Zen 3: 32 KiB L1d, 512 KiB L2): a 256×16 B panel
// (16 KiB) stays in L1 while ~168×256 A blocks (168 KiB) come from L2.
// AVX-512: a 192×32 B panel (24 KiB) and 144×192 A blocks (108 KiB).
var (
	gemmAVX2   = newBlockedGemm(6, 16, 168, 256, 4096, gemmKernel6x16AVX2, gemmKernel6x16DirectAVX2)
	gemmAVX512 = newBlockedGemm(12, 32, 144, 192, 4096, gemmKernel12x32AVX512, gemmKernel12x32DirectAVX512)
)

var _ = addInstaller(installGemm)

func installGemm(path string) {
	switch path {
	case PathAVX512:
		gemm, gemmBatched = gemmAVX512.gemm, gemmAVX512.batched
	case PathAVX2:
		gemm, gemmBatched = gemmAVX2.gemm, gemmAVX2.batched
	default:
		gemm, gemmBatched = gemmGenericParallel, gemmBatchedGeneric
	}
}
