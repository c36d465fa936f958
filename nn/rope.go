package nn

import (
	"fmt"
	"math"
)

// RoPEScaling is a config.json rope_scaling object (transformers v4.44):
// the type and its parameters.
type RoPEScaling struct {
	// Type is "default", "linear", "dynamic" or "llama3" (config.json's
	// rope_type, or type in older files).
	Type           string
	Factor         float64
	LowFreqFactor  float64
	HighFreqFactor float64
	// OriginalMaxPositions is llama3's original_max_position_embeddings.
	OriginalMaxPositions int
}

// RoPE computes rotary position embeddings' angles as Hugging Face's
// RotaryEmbedding does: inverse frequencies 1/base^(2i/dim) in float32,
// adjusted by the scaling type, times each position.
type RoPE struct {
	Dim          int // rotated dimensions per head (even)
	Base         float64
	MaxPositions int // max_position_embeddings
	Scaling      RoPEScaling
	invFreq      []float32
}

// NewRoPE checks the parameters and precomputes the inverse frequencies.
func NewRoPE(dim int, base float64, maxPositions int, scaling RoPEScaling) (*RoPE, error) {
	if dim <= 0 || dim%2 != 0 {
		return nil, fmt.Errorf("rotary dimension %d must be even and positive", dim)
	}
	if base <= 0 {
		return nil, fmt.Errorf("rope_theta %g must be positive", base)
	}
	r := &RoPE{Dim: dim, Base: base, MaxPositions: maxPositions, Scaling: scaling}
	switch scaling.Type {
	case "", "default":
	case "linear", "dynamic":
		if scaling.Factor <= 0 {
			return nil, fmt.Errorf("rope_scaling %q needs a positive factor, got %g", scaling.Type, scaling.Factor)
		}
		if scaling.Type == "dynamic" && maxPositions <= 0 {
			return nil, fmt.Errorf("rope_scaling dynamic needs max_position_embeddings")
		}
	case "llama3":
		if scaling.Factor <= 0 || scaling.LowFreqFactor <= 0 || scaling.HighFreqFactor <= scaling.LowFreqFactor || scaling.OriginalMaxPositions <= 0 {
			return nil, fmt.Errorf("rope_scaling llama3 needs factor > 0, 0 < low_freq_factor < high_freq_factor and original_max_position_embeddings > 0 (got %+v)", scaling)
		}
	default:
		return nil, fmt.Errorf("rope_scaling type %q is not supported (supported: default, linear, dynamic, llama3)", scaling.Type)
	}
	r.invFreq = r.frequencies(base)
	switch scaling.Type {
	case "linear":
		for i := range r.invFreq {
			r.invFreq[i] /= float32(scaling.Factor)
		}
	case "llama3":
		r.llama3()
	}
	return r, nil
}

// frequencies returns 1/base^(2i/dim) computed in float32 as PyTorch does.
func (r *RoPE) frequencies(base float64) []float32 {
	inv := make([]float32, r.Dim/2)
	for i := range inv {
		e := float32(2*i) / float32(r.Dim)
		inv[i] = 1 / float32(math.Pow(base, float64(e)))
	}
	return inv
}

// llama3 applies Llama 3.1's frequency-dependent scaling.
func (r *RoPE) llama3() {
	s := r.Scaling
	old := float64(s.OriginalMaxPositions)
	lowWave, highWave := old/s.LowFreqFactor, old/s.HighFreqFactor
	for i, f := range r.invFreq {
		wave := 2 * math.Pi / float64(f)
		switch {
		case wave < highWave:
		case wave > lowWave:
			r.invFreq[i] = f / float32(s.Factor)
		default:
			smooth := (old/wave - s.LowFreqFactor) / (s.HighFreqFactor - s.LowFreqFactor)
			r.invFreq[i] = float32((1-smooth)*float64(f)/s.Factor + smooth*float64(f))
		}
	}
}

// InvFreq returns the inverse frequencies a call with positions up to
// maxPos uses: dynamic NTK scaling enlarges the base once a sequence runs
// past max_position_embeddings (with the length of the current call; Hugging
// Face keeps the largest length seen, which is the same while generating).
func (r *RoPE) InvFreq(maxPos int) []float32 {
	if r.Scaling.Type != "dynamic" || maxPos+1 <= r.MaxPositions {
		return r.invFreq
	}
	seq, f, d := float64(maxPos+1), r.Scaling.Factor, float64(r.Dim)
	base := r.Base * math.Pow(f*seq/float64(r.MaxPositions)-(f-1), d/(d-2))
	return r.frequencies(base)
}

// Tables returns the cosines and sines of the angles position·freq for
// each of the positions (len(positions)·Dim/2 values each), the halves of
// Hugging Face's cos and sin tables (which repeat them).
func (r *RoPE) Tables(positions []int32) (cos, sin []float32) {
	maxPos := 0
	for _, p := range positions {
		maxPos = max(maxPos, int(p))
	}
	inv := r.InvFreq(maxPos)
	half := len(inv)
	cos, sin = make([]float32, len(positions)*half), make([]float32, len(positions)*half)
	for i, p := range positions {
		for j, f := range inv {
			a := float64(float32(p) * f)
			cos[i*half+j] = float32(math.Cos(a))
			sin[i*half+j] = float32(math.Sin(a))
		}
	}
	return cos, sin
}
