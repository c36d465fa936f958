package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// guard fills the padding around and between the rows of every matrix; a
// kernel that writes out of bounds changes one of them.
const guard = float32(-7.25e29)

// gemmCase is one product with room around every operand: each matrix
// starts one element into its slice (so SIMD loads are unaligned), rows
// have 3 elements of padding, and guards follow the last row.
type gemmCase struct {
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a, b, c        []float32
	lda, ldb, ldc  int
}

const (
	lead = 1 // elements before each matrix
	pad  = 3 // elements of padding after each row
	tail = 5 // guard elements after each matrix
)

func randMatrix(rng *rand.Rand, rows, cols int) ([]float32, int) {
	ld := cols + pad
	s := make([]float32, lead+rows*ld+tail)
	for i := range s {
		s[i] = guard
	}
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			s[lead+r*ld+c] = float32(rng.NormFloat64())
		}
	}
	return s, ld
}

func newGemmCase(rng *rand.Rand, transA, transB bool, m, n, k int, alpha, beta float32) *gemmCase {
	tc := &gemmCase{transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, beta: beta}
	if transA {
		tc.a, tc.lda = randMatrix(rng, k, m)
	} else {
		tc.a, tc.lda = randMatrix(rng, m, k)
	}
	if transB {
		tc.b, tc.ldb = randMatrix(rng, n, k)
	} else {
		tc.b, tc.ldb = randMatrix(rng, k, n)
	}
	tc.c, tc.ldc = randMatrix(rng, m, n)
	if beta == 0 {
		// C must not be read: NaNs in it must not reach the result.
		for r := 0; r < m; r++ {
			for j := 0; j < n; j++ {
				tc.c[lead+r*tc.ldc+j] = float32(math.NaN())
			}
		}
	}
	return tc
}

func (tc *gemmCase) run(c []float32) {
	Gemm(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, tc.a[lead:], tc.lda,
		tc.b[lead:], tc.ldb, tc.beta, c[lead:], tc.ldc)
}

func (tc *gemmCase) reference() []float32 {
	want := append([]float32(nil), tc.c...)
	GemmRef(tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, tc.a[lead:], tc.lda,
		tc.b[lead:], tc.ldb, tc.beta, want[lead:], tc.ldc)
	return want
}

// absBound returns Σ_p |alpha·a_ip·b_pj| + |beta·c_ij| for one element, the
// scale of the rounding error of any summation order.
func (tc *gemmCase) absBound(i, j int) float64 {
	var s float64
	for p := 0; p < tc.k; p++ {
		var av, bv float32
		if tc.transA {
			av = tc.a[lead+p*tc.lda+i]
		} else {
			av = tc.a[lead+i*tc.lda+p]
		}
		if tc.transB {
			bv = tc.b[lead+j*tc.ldb+p]
		} else {
			bv = tc.b[lead+p*tc.ldb+j]
		}
		s += math.Abs(float64(av) * float64(bv))
	}
	s *= math.Abs(float64(tc.alpha))
	if tc.beta != 0 {
		s += math.Abs(float64(tc.beta) * float64(tc.c[lead+i*tc.ldc+j]))
	}
	return s
}

// gemmTolerance is the stated float32 tolerance: two summations of k+2
// terms in different orders (and with or without fused multiply-adds)
// differ by at most 2·(k+2)·2⁻²⁴ times the sum of the terms' magnitudes.
func gemmTolerance(k int, absSum float64) float64 {
	return 2*float64(k+2)*0x1p-24*absSum + 1e-30
}

// check compares got with the reference element by element and checks
// that every guard and padding element is unchanged.
func (tc *gemmCase) check(t *testing.T, got []float32) {
	t.Helper()
	want := tc.reference()
	for idx := range got {
		r, col := (idx-lead)/tc.ldc, (idx-lead)%tc.ldc
		inside := idx >= lead && r < tc.m && col < tc.n
		if !inside {
			if math.Float32bits(got[idx]) != math.Float32bits(tc.c[idx]) {
				t.Fatalf("%s: element %d outside C changed from %g to %g", tc, idx, tc.c[idx], got[idx])
			}
			continue
		}
		d := math.Abs(float64(got[idx]) - float64(want[idx]))
		if !(d <= gemmTolerance(tc.k, tc.absBound(r, col))) {
			t.Fatalf("%s: C[%d][%d] = %g, reference %g (|Δ| %g > tolerance %g)",
				tc, r, col, got[idx], want[idx], d, gemmTolerance(tc.k, tc.absBound(r, col)))
		}
	}
}

func (tc *gemmCase) String() string {
	return fmt.Sprintf("transA=%v transB=%v m=%d n=%d k=%d alpha=%g beta=%g",
		tc.transA, tc.transB, tc.m, tc.n, tc.k, tc.alpha, tc.beta)
}

var oddSizes = []int{1, 15, 17, 31, 33}

func TestGemmOddSizesAgainstReference(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
			for _, m := range oddSizes {
				for _, n := range oddSizes {
					for _, k := range oddSizes {
						alpha, beta := float32(1), float32(0)
						if (m+n+k)%4 == 1 {
							alpha, beta = 0.75, -1.5
						}
						tc := newGemmCase(rng, tr[0], tr[1], m, n, k, alpha, beta)
						got := append([]float32(nil), tc.c...)
						tc.run(got)
						tc.check(t, got)
					}
				}
			}
		}
	})
}

// TestGemmBlockEdges crosses the cache-block boundaries of every kernel:
// k beyond kc (several k blocks, a partial last one), n beyond nc, m over
// several row blocks with partial tiles, and k = 0.
func TestGemmBlockEdges(t *testing.T) {
	shapes := []struct{ m, n, k int }{
		{190, 70, 600},
		{37, 4100, 3},
		{341, 33, 257},
		{5, 3, 0},
		{64, 64, 64},
	}
	forEachPath(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 4))
		for _, s := range shapes {
			for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
				for _, ab := range [][2]float32{{1, 0}, {-0.5, 1}, {2, 0.25}} {
					tc := newGemmCase(rng, tr[0], tr[1], s.m, s.n, s.k, ab[0], ab[1])
					got := append([]float32(nil), tc.c...)
					tc.run(got)
					tc.check(t, got)
				}
			}
		}
	})
}

// TestGemmDeterministic checks that results are bit-identical run to run
// and for any number of workers.
func TestGemmDeterministic(t *testing.T) {
	defer SetWorkers(0)
	forEachPath(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(5, 6))
		for _, tr := range [][2]bool{{false, false}, {false, true}, {true, false}} {
			tc := newGemmCase(rng, tr[0], tr[1], 203, 150, 530, 1, 0.5)
			var first []float32
			for _, w := range []int{1, 2, 3, 2, 5} {
				SetWorkers(w)
				got := append([]float32(nil), tc.c...)
				tc.run(got)
				if first == nil {
					first = got
					continue
				}
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(first[i]) {
						t.Fatalf("%s: %d workers: element %d = %g, with 1 worker %g", tc, w, i, got[i], first[i])
					}
				}
			}
		}
	})
}

func TestGemmBatchedAgainstReference(t *testing.T) {
	defer SetWorkers(0)
	forEachPath(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(7, 8))
		for _, w := range []int{1, 2, 3} {
			SetWorkers(w)
			for _, tt := range []struct {
				transA, transB, bcastA, bcastB bool
				batch, m, n, k                 int
			}{
				{false, true, false, false, 7, 17, 15, 33},
				{false, false, false, false, 3, 33, 31, 17},
				{true, false, true, false, 5, 15, 17, 31},
				{false, true, false, true, 2, 1, 33, 15},
				{true, true, false, false, 1, 31, 1, 17},
				{false, false, false, false, 9, 50, 64, 50},
			} {
				ar, ac := tt.m, tt.k
				if tt.transA {
					ar, ac = ac, ar
				}
				br, bc := tt.k, tt.n
				if tt.transB {
					br, bc = bc, br
				}
				lda, ldb, ldc := ac+2, bc+1, tt.n+3
				sa, sb, sc := ar*lda+1, br*ldb+3, tt.m*ldc+2
				if tt.bcastA {
					sa = 0
				}
				if tt.bcastB {
					sb = 0
				}
				fill := func(n int) []float32 {
					s := make([]float32, n)
					for i := range s {
						s[i] = float32(rng.NormFloat64())
					}
					return s
				}
				a := fill(lead + tt.batch*sa + ar*lda)
				b := fill(lead + tt.batch*sb + br*ldb)
				c := fill(lead + tt.batch*sc + tail)
				want := append([]float32(nil), c...)
				for i := 0; i < tt.batch; i++ {
					GemmRef(tt.transA, tt.transB, tt.m, tt.n, tt.k, 1.25, a[lead+i*sa:], lda,
						b[lead+i*sb:], ldb, 0.5, want[lead+i*sc:], ldc)
				}
				got := append([]float32(nil), c...)
				GemmBatched(tt.transA, tt.transB, tt.batch, tt.m, tt.n, tt.k, 1.25,
					a[lead:], lda, sa, b[lead:], ldb, sb, 0.5, got[lead:], ldc, sc)
				for i := range got {
					d := math.Abs(float64(got[i] - want[i]))
					// Inputs are N(0,1): Σ|a·b| ≈ 0.64k; 4k covers it.
					if !(d <= gemmTolerance(tt.k, 1.25*4*float64(tt.k)+2)) {
						t.Fatalf("workers %d %+v: element %d = %g, reference %g", w, tt, i, got[i], want[i])
					}
				}
			}
		}
	})
}

func TestGemmNoAllocSteadyState(t *testing.T) {
	defer SetWorkers(0)
	SetWorkers(1)
	forEachPath(t, func(t *testing.T) {
		if CPUPath() == PathGeneric {
			t.Skip("the plain-Go reference allocates a row accumulator per call")
		}
		if raceEnabled {
			t.Skip("sync.Pool drops items under the race detector")
		}
		rng := rand.New(rand.NewPCG(9, 10))
		tc := newGemmCase(rng, false, true, 100, 90, 300, 1, 0)
		got := append([]float32(nil), tc.c...)
		tc.run(got) // warm the pools
		if n := testing.AllocsPerRun(20, func() { tc.run(got) }); n != 0 {
			t.Errorf("Gemm allocates %v times per call with 1 worker", n)
		}
	})
}
