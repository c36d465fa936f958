//go:build amd64 && !noasm

package kernels

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestGemmDirectMatchesPacked checks that reading A in place (the direct
// micro-kernel; with op(A) = Aᵀ only when n spans at most two B panels, as
// in the 8-, 17- and 33-column cases here) gives the bit-identical result
// of packing it first.
func TestGemmDirectMatchesPacked(t *testing.T) {
	for path, g := range map[string]*blockedGemm{PathAVX2: gemmAVX2, PathAVX512: gemmAVX512} {
		if g.direct == nil || !slices.Contains(SupportedPaths(), path) {
			t.Logf("%s: not supported here", path)
			continue
		}
		t.Logf("%s: direct and packed kernels compared", path)
		packed := newBlockedGemm(g.mr, g.nr, g.mc, g.kc, g.nc, g.micro, nil)
		rng := rand.New(rand.NewPCG(23, 24))
		for _, s := range []struct{ m, n, k int }{{1, 1, 1}, {17, 33, 15}, {190, 70, 600}, {33, 8, 300}, {77, 17, 301}} {
			for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
				transA, transB := tr[0], tr[1]
				tc := newGemmCase(rng, transA, transB, s.m, s.n, s.k, 0.5, 1.25)
				run := func(g *blockedGemm, workers int) []float32 {
					c := clone(tc.c)
					g.run(workers, transA, transB, s.m, s.n, s.k, tc.alpha, tc.a[lead:], tc.lda,
						tc.b[lead:], tc.ldb, tc.beta, c[lead:], tc.ldc)
					return c
				}
				want := run(packed, 1)
				for _, w := range []int{1, 2} {
					got := run(g, w)
					for i := range got {
						if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
							t.Fatalf("%s, %d workers: element %d = %g direct, %g packed", tc, w, i, got[i], want[i])
						}
					}
				}
			}
		}
	}
}
