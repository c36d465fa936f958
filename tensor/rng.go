package tensor

import (
	"math"
	"math/bits"
)

// RNG is a seeded pseudo-random generator whose whole state can be saved
// and restored (for exact resume and gradient checkpointing). It is a
// permuted congruential generator (PCG-XSL-RR 128/64); its normal draws use
// the Box–Muller transform, so streams are stable across Go versions.
// An RNG is not safe for concurrent use.
type RNG struct {
	hi, lo uint64
	// spare holds the second Box–Muller value.
	spare    float64
	hasSpare bool
}

// RNGState is the complete state of an RNG.
type RNGState struct {
	Hi, Lo   uint64
	Spare    float64
	HasSpare bool
}

const (
	pcgMulHi = 2549297995355413924
	pcgMulLo = 4865540595714422341
	pcgIncHi = 6364136223846793005
	pcgIncLo = 1442695040888963407
)

// NewRNG returns a generator seeded with seed.
func NewRNG(seed uint64) *RNG {
	r := &RNG{hi: seed ^ 0x9e3779b97f4a7c15, lo: seed}
	r.next()
	r.next()
	return r
}

func (r *RNG) next() uint64 {
	// 128-bit LCG step: state = state*mul + inc.
	hi, lo := bits.Mul64(r.lo, pcgMulLo)
	hi += r.hi*pcgMulLo + r.lo*pcgMulHi
	lo, c := bits.Add64(lo, pcgIncLo, 0)
	hi, _ = bits.Add64(hi, pcgIncHi, c)
	r.lo, r.hi = lo, hi
	// XSL-RR output.
	return bits.RotateLeft64(hi^lo, -int(hi>>58))
}

// Uint64 returns a uniformly distributed 64-bit value.
func (r *RNG) Uint64() uint64 { return r.next() }

// Float64 returns a uniform value in [0, 1).
func (r *RNG) Float64() float64 { return float64(r.next()>>11) / (1 << 53) }

// Intn returns a uniform integer in [0, n).
func (r *RNG) Intn(n int) int {
	if n <= 0 {
		panic("tensor.RNG.Intn: n must be positive")
	}
	hi, _ := bits.Mul64(r.next(), uint64(n))
	return int(hi)
}

// Normal returns a standard normal value.
func (r *RNG) Normal() float64 {
	if r.hasSpare {
		r.hasSpare = false
		return r.spare
	}
	var u1 float64
	for u1 == 0 {
		u1 = r.Float64()
	}
	u2 := r.Float64()
	rad := math.Sqrt(-2 * math.Log(u1))
	s, c := math.Sincos(2 * math.Pi * u2)
	r.spare, r.hasSpare = rad*s, true
	return rad * c
}

// Perm returns a random permutation of [0, n) (Fisher–Yates).
func (r *RNG) Perm(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	for i := n - 1; i > 0; i-- {
		j := r.Intn(i + 1)
		p[i], p[j] = p[j], p[i]
	}
	return p
}

// State returns the generator's complete state.
func (r *RNG) State() RNGState {
	return RNGState{Hi: r.hi, Lo: r.lo, Spare: r.spare, HasSpare: r.hasSpare}
}

// SetState restores a state returned by State.
func (r *RNG) SetState(s RNGState) {
	r.hi, r.lo, r.spare, r.hasSpare = s.Hi, s.Lo, s.Spare, s.HasSpare
}
