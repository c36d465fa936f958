package optim

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/vlmtune/vlmtune/internal/kernels"
	"github.com/vlmtune/vlmtune/tensor"
)

// Param is a named trainable tensor and whether weight decay applies.
type Param struct {
	Name  string
	T     *tensor.Tensor
	Decay bool
}

// NoDecay reports whether a parameter is excluded from weight decay by
// default: tensors with fewer than two dimensions (biases, LayerNorm
// gains, class embeddings), names with "bias", "norm", "ln_", "layer_norm"
// or "logit_" (open_clip's rule, which also keeps logit_scale out).
func NoDecay(name string, t *tensor.Tensor) bool {
	if t.Rank() < 2 {
		return true
	}
	for _, s := range []string{"bias", "norm", "ln_", "layer_norm", "layernorm", "logit_", "prompt.", "prefix_"} {
		if strings.Contains(name, s) {
			return true
		}
	}
	return false
}

// Collect returns the trainable parameters of a name→tensor map, sorted by
// name, with decay set by NoDecay unless decayAll.
func Collect(params map[string]*tensor.Tensor, decayAll bool) []Param {
	var out []Param
	for n, t := range params {
		if t.RequiresGrad() {
			out = append(out, Param{Name: n, T: t, Decay: decayAll || !NoDecay(n, t)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Optimizer updates parameters from their gradients.
type Optimizer interface {
	// Step applies one update with learning rate lr to every parameter
	// that has a gradient.
	Step(lr float32)
	// SetParams changes the parameter set (gradual unfreezing); state of
	// parameters that stay is kept, new ones start fresh.
	SetParams(ps []Param)
	// State returns the optimizer state (for checkpoints): named float
	// buffers and scalar counters.
	State() State
	// LoadState restores a State, checking names and sizes.
	LoadState(State) error
}

// State is an optimizer's saved state.
type State struct {
	Kind    string
	Step    int
	Buffers map[string][]float32 // "<param>.exp_avg", ...
}

// ZeroGrad clears the gradients of the parameters (keeping storage).
func ZeroGrad(ps []Param) {
	for _, p := range ps {
		p.T.ZeroGrad()
	}
}

// GlobalNorm returns the L2 norm of all gradients together.
func GlobalNorm(ps []Param) float64 {
	var s float64
	for _, p := range ps {
		if g := p.T.Grad(); g != nil {
			s += kernels.Dot(g.Data(), g.Data())
		}
	}
	return math.Sqrt(s)
}

// ClipGradNorm scales all gradients so that their global L2 norm is at most
// maxNorm (torch.nn.utils.clip_grad_norm_: factor maxNorm/(norm+1e-6),
// applied only when below 1). It returns the norm before clipping.
func ClipGradNorm(ps []Param, maxNorm float64) float64 {
	norm := GlobalNorm(ps)
	if maxNorm <= 0 {
		return norm
	}
	coef := maxNorm / (norm + 1e-6)
	if coef < 1 {
		for _, p := range ps {
			if g := p.T.Grad(); g != nil {
				kernels.Scale(g.Data(), float32(coef), g.Data())
			}
		}
	}
	return norm
}

// CheckFinite returns an error naming the first parameter whose gradient
// holds a NaN or an infinity.
func CheckFinite(ps []Param) error {
	for _, p := range ps {
		g := p.T.Grad()
		if g == nil {
			continue
		}
		for i, v := range g.Data() {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("gradient of %s %v is %v at element %d", p.Name, p.T.Shape(), v, i)
			}
		}
	}
	return nil
}
