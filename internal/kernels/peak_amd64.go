//go:build amd64 && !noasm

package kernels

// FMA probes (peak_amd64.s): n iterations of register-only FMAs.

//go:noescape
func fmaProbeAVX2(n int)

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
