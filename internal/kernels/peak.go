package kernels

import "time"

// PeakGFLOPS measures this machine's float32 fused multiply-add throughput
// in GFLOP/s, with the FMA loop of the active kernel path (CPUPath) running
// on threads goroutines of the worker pool at once (threads < 1 or more
// than Workers() means Workers()). The loop uses registers only, so the result is the compute
// peak that GEMM can approach. It takes about a quarter of a second; the
// result is not cached, because a machine shared with other work changes
// its peak from one moment to the next. It returns 0 on the generic path,
// which has no FMA loop to measure.
func PeakGFLOPS(threads int) float64 {
	probe, flopsPerIter := fmaProbe()
	if probe == nil {
		return 0
	}
	if threads < 1 || threads > Workers() {
		threads = Workers()
	}
	// Calibrate to about 20 ms per run, then keep the best of several.
	iters := 1 << 16
	for {
		t := time.Now()
		probe(iters)
		if d := time.Since(t); d > 5*time.Millisecond {
			iters = int(float64(iters) * float64(20*time.Millisecond) / float64(d))
			break
		}
		iters *= 4
	}
	best := 0.0
	for range 8 {
		d := runConcurrently(threads, func() { probe(iters) })
		g := float64(threads) * float64(iters) * flopsPerIter / d.Seconds() / 1e9
		best = max(best, g)
	}
	return best
}

// runConcurrently runs f on n goroutines at once (the caller and n-1 pool
// tasks) and reports the wall time until all have finished.
func runConcurrently(n int, f func()) time.Duration {
	t := time.Now()
	ParallelFor(n, 1, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			f()
		}
	})
	return time.Since(t)
}
