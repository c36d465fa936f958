//go:build amd64 && !noasm

package kernels

// FMA probes (peak_amd64.s): n iterations of register-only FMAs, to
// measure the FMA peak that `vlmtune bench gemm` reports GEMM against.
// They compute nothing anyone reads; their reference is the loop's shape.

// fmaProbeAVX2 runs n iterations of 12 independent 8-lane FMAs (192
// flops each), in plain Go:
//
//	var acc [12][8]float32
//	for i := 0; i < n; i++ {
//		for r := range acc {
//			for l := range acc[r] {
//				acc[r][l] = fma(x[l], y[l], acc[r][l])
//			}
//		}
//	}
//
//go:noescape
func fmaProbeAVX2(n int)

// fmaProbeAVX512 is fmaProbeAVX2 with 24 independent 16-lane FMAs per
// iteration (768 flops):
//
//	var acc [24][16]float32
//	for i := 0; i < n; i++ {
//		for r := range acc {
//			for l := range acc[r] {
//				acc[r][l] = fma(x[l], y[l], acc[r][l])
//			}
//		}
//	}
//
//go:noescape
func fmaProbeAVX512(n int)

// fmaProbe returns the active path's FMA loop and its flops per iteration.
func fmaProbe() (func(n int), float64) {
	switch activePath {
	case PathAVX512:
		return fmaProbeAVX512, 24 * 16 * 2
	case PathAVX2:
		return fmaProbeAVX2, 12 * 8 * 2
	}
	return nil, 0
}
