package kernels

import (
	"math"
	"math/rand/v2"
	"testing"
)

// One row of A times a transposed B takes the matrix-vector path on every
// kernel path and agrees with the reference GEMM on odd sizes, with and
// without beta, for any worker count (bit-identical).
func TestGemvMatchesReference(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		for _, sz := range []struct{ n, k, ldb int }{{263, 255, 255}, {1031, 97, 101}, {64, 1024, 1024}, {3001, 33, 40}} {
			if !useGemv(false, true, 1, sz.n, sz.k) {
				t.Fatalf("%+v does not take the gemv path", sz)
			}
			a := randSlice(sz.k, 1)
			b := randSlice(sz.n*sz.ldb, 2)
			for _, beta := range []float32{0, 0.5} {
				c0 := randSlice(sz.n, 3)
				want := append([]float32(nil), c0...)
				GemmRef(false, true, 1, sz.n, sz.k, 1.5, a, sz.k, b, sz.ldb, beta, want, sz.n)
				var first []float32
				for _, w := range []int{1, 2, 3} {
					old := Workers()
					SetWorkers(w)
					got := append([]float32(nil), c0...)
					Gemm(false, true, 1, sz.n, sz.k, 1.5, a, sz.k, b, sz.ldb, beta, got, sz.n)
					SetWorkers(old)
					for j := range got {
						if d := math.Abs(float64(got[j] - want[j])); d > 1e-4*(1+math.Abs(float64(want[j]))) {
							t.Fatalf("%+v beta %g workers %d: c[%d] = %g, want %g", sz, beta, w, j, got[j], want[j])
						}
					}
					if first == nil {
						first = got
					} else {
						for j := range got {
							if got[j] != first[j] {
								t.Fatalf("%+v: %d workers give a different c[%d]", sz, w, j)
							}
						}
					}
				}
			}
		}
	})
}

// dot32 agrees with the plain-Go dot product on odd lengths on every path.
func TestDot32(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		for _, n := range []int{0, 1, 7, 8, 15, 16, 17, 31, 33, 100, 1023} {
			x, y := randSlice(n, uint64(n)), randSlice(n+3, uint64(n)+9)
			got, want := dot32(x, y), dot32Generic(x, y)
			if d := math.Abs(float64(got - want)); d > 1e-5*(1+float64(n)) {
				t.Errorf("n=%d: %g, want %g", n, got, want)
			}
		}
	})
}

// randSlice returns n standard normal values from a seed.
func randSlice(n int, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 7))
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.NormFloat64())
	}
	return s
}

// ReadBandwidth reports a positive rate.
func TestReadBandwidth(t *testing.T) {
	if bw := ReadBandwidth(1<<20+3, 2); !(bw > 0) {
		t.Errorf("ReadBandwidth = %g", bw)
	}
}
