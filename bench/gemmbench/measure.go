package gemmbench

import (
	"math/rand/v2"
	"slices"
	"time"

	"github.com/vlmtune/vlmtune/internal/kernels"
)

// Result is one shape's measurement.
type Result struct {
	Shape
	// GFLOPS is the median throughput over the timed rounds.
	GFLOPS float64
	// BestGFLOPS is the best round's throughput.
	BestGFLOPS float64
	// Rounds is the number of timed rounds; Calls the products per round.
	Rounds, Calls int
}

// Operands are the matrices of one shape, filled with a seeded normal
// distribution; they are allocated once so that timing sees no allocation.
type Operands struct {
	Shape
	A, B, C       []float32
	LDA, LDB, LDC int
}

// NewOperands allocates and fills the operands of s.
func NewOperands(s Shape, seed uint64) *Operands {
	o := &Operands{Shape: s}
	ar, ac := s.M, s.K
	if s.TransA {
		ar, ac = ac, ar
	}
	br, bc := s.K, s.N
	if s.TransB {
		br, bc = bc, br
	}
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	fill := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(rng.NormFloat64())
		}
		return x
	}
	o.A, o.LDA = fill(ar*ac), ac
	o.B, o.LDB = fill(br*bc), bc
	o.C, o.LDC = fill(s.M*s.N), s.N
	return o
}

// Run computes C = op(A)·op(B) once with kernels.Gemm.
func (o *Operands) Run() {
	kernels.Gemm(o.TransA, o.TransB, o.M, o.N, o.K, 1, o.A, o.LDA, o.B, o.LDB, 0, o.C, o.LDC)
}

// Measure times kernels.Gemm on s for about minTime after one warm-up
// call, in 5 rounds of equal call counts, and reports the median and the
// best round.
func Measure(s Shape, minTime time.Duration) Result {
	o := NewOperands(s, 1)
	return MeasureFunc(s, minTime, o.Run)
}

// MeasureFunc times run, which computes one product of shape s, the same
// way as Measure; other implementations (OpenBLAS) are measured with it.
func MeasureFunc(s Shape, minTime time.Duration, run func()) Result {
	const rounds = 5
	t := time.Now()
	run()
	once := time.Since(t)
	calls := 1
	if once > 0 {
		calls = max(1, int(minTime/rounds/once))
	}
	g := make([]float64, rounds)
	for r := range g {
		t := time.Now()
		for range calls {
			run()
		}
		g[r] = s.Flops() * float64(calls) / time.Since(t).Seconds() / 1e9
	}
	slices.Sort(g)
	return Result{Shape: s, GFLOPS: g[rounds/2], BestGFLOPS: g[rounds-1], Rounds: rounds, Calls: calls}
}
