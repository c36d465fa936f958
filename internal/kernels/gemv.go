package kernels

import "time"

// gemvMinWork is the smallest weight matrix (n·k elements) Gemm computes as
// a matrix-vector product when A has one row: below it the blocked GEMM
// is as fast and the result stays the GEMM's.
const gemvMinWork = 1 << 16

// useGemv reports whether Gemm takes the matrix-vector path: one row of A
// times a transposed B (a Linear layer on one token, every decode step of a
// language model), where packing B, as the blocked GEMM does, would read
// and write the whole weight matrix once more per call.
func useGemv(transA, transB bool, m, n, k int) bool {
	return m == 1 && !transA && transB && n*k >= gemvMinWork
}

// gemvT computes c[j] = alpha·(a · b[j, :k]) + beta·c[j] for j < n, B row j
// at b[j·ldb]. Each output is one float32 dot product computed by one
// worker, so the result does not depend on the worker count; B is read once,
// in order, which makes the product as fast as memory allows.
func gemvT(n, k int, alpha float32, a, b []float32, ldb int, beta float32, c []float32) {
	a = a[:k]
	grain := max(1, 16384/k)
	ParallelFor(n, grain, func(lo, hi int) {
		for j := lo; j < hi; j++ {
			s := alpha * dot32(a, b[j*ldb:j*ldb+k])
			if beta != 0 {
				s += beta * c[j]
			}
			c[j] = s
		}
	})
}

// dot32 is the float32 dot product of x and y[:len(x)] (the active path's).
var dot32 = dot32Generic

// dot32Generic is the plain-Go dot product, summed in order in float32.
func dot32Generic(x, y []float32) float32 {
	var s float32
	y = y[:len(x)]
	for i, v := range x {
		s += v * y[i]
	}
	return s
}

// ReadBandwidth measures how fast the workers read memory, in bytes per
// second: the float32 dot product of a buffer of n floats with itself (the
// loop a matrix-vector product runs over its weights), in 1 MiB chunks over
// the worker pool, the best of passes.
func ReadBandwidth(n, passes int) float64 {
	buf := make([]float32, n)
	Fill(buf, 1)
	const chunk = 1 << 18
	sums := make([]float32, (n+chunk-1)/chunk)
	best := 0.0
	for range passes {
		t := time.Now()
		ParallelChunks(n, chunk, func(c, lo, hi int) { sums[c] = dot32(buf[lo:hi], buf[lo:hi]) })
		best = max(best, 4*float64(n)/time.Since(t).Seconds())
	}
	return best
}
