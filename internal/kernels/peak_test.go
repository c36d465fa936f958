package kernels

import "testing"

func TestPeakGFLOPS(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		g := PeakGFLOPS(1)
		if CPUPath() == PathGeneric {
			if g != 0 {
				t.Fatalf("generic path: PeakGFLOPS = %g, want 0", g)
			}
			return
		}
		// Any AVX2 core of the last decade does well over 10 GFLOP/s of
		// float32 FMAs; a broken probe (no loop, wrong count) would not.
		if g < 10 || g > 5000 {
			t.Fatalf("PeakGFLOPS(1) = %g, outside [10, 5000]", g)
		}
		t.Logf("%s: %.1f GFLOP/s on one thread", CPUPath(), g)
	})
}
