package imageproc

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Mixup is batch-level mixup (Zhang et al., 2018): one λ ~ Beta(α, α) per
// batch and a random permutation π of the batch; example i becomes
// λ·x_i + (1−λ)·x_π(i), and the loss mixes targets the same way:
// λ·loss(i, target_i) + (1−λ)·loss(i, target_π(i)). torchvision's
// v2.MixUp pairs each example with its neighbour (π = roll by one); the
// random permutation here is the paper's choice. With probability 1−P the
// batch is left alone (λ = 1, π = identity).
type Mixup struct {
	Alpha float64 `json:"alpha" yaml:"alpha"`
	P     float64 `json:"p,omitempty" yaml:"p,omitempty"` // default 1
}

// MixResult says how a batch was mixed, for mixing the targets.
type MixResult struct {
	// Lambda is the weight of each example's own pixels.
	Lambda float64
	// Perm[i] is the example mixed into example i with weight 1−Lambda.
	Perm []int
}

// Validate checks the parameters.
func (m *Mixup) Validate() error {
	if !(m.Alpha > 0) || math.IsInf(m.Alpha, 0) {
		return fmt.Errorf("mixup.alpha: want a positive number, got %v", m.Alpha)
	}
	if !(m.P >= 0 && m.P <= 1) {
		return fmt.Errorf("mixup.p: a probability in [0, 1], got %v", m.P)
	}
	return nil
}

// Apply mixes the batch pixels ([batch, per] floats, per = 3·H·W) in place
// and returns λ and π. rng should be derived from (seed, epoch, batch
// index), e.g. NewRNG(seed, epoch, −1−batchIndex).
func (m *Mixup) Apply(pixels []float32, batch int, rng *rand.Rand) (MixResult, error) {
	if batch <= 0 || len(pixels)%batch != 0 {
		return MixResult{}, fmt.Errorf("imageproc: mixup: %d floats do not split into %d examples", len(pixels), batch)
	}
	res := MixResult{Lambda: 1, Perm: make([]int, batch)}
	for i := range res.Perm {
		res.Perm[i] = i
	}
	p := m.P
	if p == 0 {
		p = 1
	}
	if rng.Float64() >= p || batch == 1 {
		return res, nil
	}
	res.Lambda = sampleBeta(rng, m.Alpha, m.Alpha)
	res.Perm = rng.Perm(batch)
	per := len(pixels) / batch
	orig := make([]float32, len(pixels))
	copy(orig, pixels)
	lam, rest := float32(res.Lambda), float32(1-res.Lambda)
	for i, j := range res.Perm {
		dst := pixels[i*per : (i+1)*per]
		a, b := orig[i*per:(i+1)*per], orig[j*per:(j+1)*per]
		for k := range dst {
			dst[k] = lam*a[k] + rest*b[k]
		}
	}
	return res, nil
}

// sampleBeta draws from Beta(a, b) as X/(X+Y) with X ~ Gamma(a), Y ~ Gamma(b).
func sampleBeta(rng *rand.Rand, a, b float64) float64 {
	x, y := sampleGamma(rng, a), sampleGamma(rng, b)
	if x+y == 0 {
		return 0.5
	}
	return x / (x + y)
}

// sampleGamma draws from Gamma(shape, 1) with Marsaglia and Tsang's method
// (boosted by U^(1/shape) for shape < 1).
func sampleGamma(rng *rand.Rand, shape float64) float64 {
	if shape < 1 {
		u := rng.Float64()
		return sampleGamma(rng, shape+1) * math.Pow(u, 1/shape)
	}
	d := shape - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := rng.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := rng.Float64()
		if u < 1-0.0331*x*x*x*x || math.Log(u) < 0.5*x*x+d*(1-v+math.Log(v)) {
			return d * v
		}
	}
}
