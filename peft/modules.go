package peft

import (
	"math"

	"github.com/vlmtune/vlmtune/nn"
	"github.com/vlmtune/vlmtune/tensor"
)

// Bottleneck is a Houlsby adapter: h + up(act(down(h))), with up zero at
// initialisation so the adapted model starts equal to its base.
type Bottleneck struct {
	Down, Up *nn.Linear
	Act      tensor.Activation
}

// NewBottleneck returns an adapter of width dim with the given bottleneck;
// down is drawn like a PyTorch Linear (U(−1/√dim, 1/√dim)), up is zero.
func NewBottleneck(dim, bottleneck int, act tensor.Activation, rng *tensor.RNG) *Bottleneck {
	bound := float32(1 / math.Sqrt(float64(dim)))
	down := &nn.Linear{Weight: tensor.RandU(rng, -bound, bound, bottleneck, dim), Bias: tensor.Zeros(bottleneck)}
	up := &nn.Linear{Weight: tensor.Zeros(dim, bottleneck), Bias: tensor.Zeros(dim)}
	return &Bottleneck{Down: down, Up: up, Act: act}
}

// Forward returns h + up(act(down(h))).
func (a *Bottleneck) Forward(h *tensor.Tensor) *tensor.Tensor {
	return tensor.Add(h, a.Up.Forward(tensor.Activate(a.Down.Forward(h), a.Act)))
}

// Declare declares down and up.
func (a *Bottleneck) Declare(d *nn.Decl) {
	d.Module("down", a.Down)
	d.Module("up", a.Up)
}

// TextPrompt holds learned soft tokens inserted after the first text token
// (CoOp-style context vectors).
type TextPrompt struct {
	Tokens *tensor.Tensor // [P, C]
}

// NewTextPrompt draws P tokens of width dim from N(0, 0.02²) (CoOp's
// initialisation).
func NewTextPrompt(p, dim int, rng *tensor.RNG) *TextPrompt {
	return &TextPrompt{Tokens: tensor.RandN(rng, 0, 0.02, p, dim)}
}

// Len returns the number of soft tokens.
func (p *TextPrompt) Len() int { return p.Tokens.Dim(0) }

// Insert places the soft tokens after the first token of every sequence.
func (p *TextPrompt) Insert(x *tensor.Tensor, mask []bool) (*tensor.Tensor, []bool, int) {
	b, t := x.Dim(0), x.Dim(1)
	n := p.Len()
	soft := tensor.Add(tensor.Zeros(b, 1, 1), tensor.Unsqueeze(p.Tokens, 0))
	y := tensor.Concat(1, tensor.Slice(x, 1, 0, 1), soft, tensor.Slice(x, 1, 1, t))
	if mask == nil {
		return y, nil, n
	}
	m := make([]bool, b*(t+n))
	for bi := 0; bi < b; bi++ {
		row := m[bi*(t+n) : (bi+1)*(t+n)]
		row[0] = mask[bi*t]
		for j := 0; j < n; j++ {
			row[1+j] = true
		}
		copy(row[1+n:], mask[bi*t+1:(bi+1)*t])
	}
	return y, m, n
}

// Declare declares the tokens.
func (p *TextPrompt) Declare(d *nn.Decl) { d.Param("tokens", &p.Tokens) }

// VisualPrompt holds learned tokens appended to the ViT sequence (VPT,
// shallow).
type VisualPrompt struct {
	Tokens *tensor.Tensor // [P, C]
}

// NewVisualPrompt draws P tokens uniformly in ±√(6/(3·patch²+dim)), VPT's
// Xavier-style initialisation.
func NewVisualPrompt(p, dim, patch int, rng *tensor.RNG) *VisualPrompt {
	bound := float32(math.Sqrt(6 / float64(3*patch*patch+dim)))
	return &VisualPrompt{Tokens: tensor.RandU(rng, -bound, bound, p, dim)}
}

// Len returns the number of prompt tokens.
func (p *VisualPrompt) Len() int { return p.Tokens.Dim(0) }

// Insert appends the tokens after the class and patch tokens.
func (p *VisualPrompt) Insert(x *tensor.Tensor) *tensor.Tensor {
	b := x.Dim(0)
	return tensor.Concat(1, x, tensor.Add(tensor.Zeros(b, 1, 1), tensor.Unsqueeze(p.Tokens, 0)))
}

// Declare declares the tokens.
func (p *VisualPrompt) Declare(d *nn.Decl) { d.Param("tokens", &p.Tokens) }

// Prefix holds learned key and value vectors prepended in one attention
// layer (prefix tuning, without the reparameterisation MLP).
type Prefix struct {
	K, V *tensor.Tensor // [P, C]
}

// NewPrefix draws P key and value vectors from N(0, 0.02²).
func NewPrefix(p, dim int, rng *tensor.RNG) *Prefix {
	return &Prefix{K: tensor.RandN(rng, 0, 0.02, p, dim), V: tensor.RandN(rng, 0, 0.02, p, dim)}
}

// KV returns the prefix keys and values.
func (p *Prefix) KV() (*tensor.Tensor, *tensor.Tensor) { return p.K, p.V }

// Declare declares prefix_k and prefix_v.
func (p *Prefix) Declare(d *nn.Decl) {
	d.Param("prefix_k", &p.K)
	d.Param("prefix_v", &p.V)
}
