//go:build amd64 && !noasm

package kernels

// Assembly micro-kernels (gemm_avx2_amd64.s, gemm_avx512_amd64.s).

//go:noescape
func gemmKernel6x16AVX2(kc int, a, b, c *float32, ldc int, alpha, beta float32)

//go:noescape
func gemmKernel6x16DirectAVX2(kc int, a *float32, rs, ps int, b, c *float32, ldc int, alpha, beta float32)

//go:noescape
func gemmKernel12x32DirectAVX512(kc int, a *float32, rs, ps int, b, c *float32, ldc int, alpha, beta float32)

//go:noescape
func panelCopyAVX2(dst, src *float32, w, kb, full, ld int)

//go:noescape
func packT8AVX2(dst *float32, dstStride int, src *float32, srcStride int, rows, blocks int)

//go:noescape
func gemmKernel12x32AVX512(kc int, a, b, c *float32, ldc int, alpha, beta float32)

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
