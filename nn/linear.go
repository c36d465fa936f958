package nn

import "github.com/vlmtune/vlmtune/tensor"

// LinearAdapter adds a learned term to a Linear's output (LoRA). Forward
// receives the Linear's input and its base output and returns the final
// output.
type LinearAdapter interface {
	Module
	Forward(x, base *tensor.Tensor) *tensor.Tensor
}

// Linear is y = x·Wᵀ + b with Weight [out, in] and an optional Bias [out].
type Linear struct {
	Weight *tensor.Tensor // [out, in]
	Bias   *tensor.Tensor // [out] or nil
	// Adapter, when set, wraps the output (parameter-efficient tuning).
	Adapter LinearAdapter
}

// NewLinear returns a zero Linear with or without a bias.
func NewLinear(in, out int, bias bool) *Linear {
	l := &Linear{Weight: newParam(out, in)}
	if bias {
		l.Bias = newParam(out)
	}
	return l
}

// In returns the input width.
func (l *Linear) In() int { return l.Weight.Dim(1) }

// Out returns the output width.
func (l *Linear) Out() int { return l.Weight.Dim(0) }

// Forward applies the layer to x [..., in].
func (l *Linear) Forward(x *tensor.Tensor) *tensor.Tensor {
	y := tensor.Linear(x, l.Weight, l.Bias)
	if l.Adapter != nil {
		y = l.Adapter.Forward(x, y)
	}
	return y
}

// Declare declares weight, bias and the adapter (an extension whose
// parameters sit next to the weight, as PEFT names LoRA's).
func (l *Linear) Declare(d *Decl) {
	d.Param("weight", &l.Weight)
	d.Param("bias", &l.Bias)
	d.Extension("", l.Adapter)
}

// Embedding is a lookup table [vocab, dim].
type Embedding struct {
	Weight *tensor.Tensor
	// Padded marks PaddingIdx as PyTorch's padding_idx: positions holding
	// it pass no gradient to the table.
	Padded     bool
	PaddingIdx int
}

// NewEmbedding returns a zero table.
func NewEmbedding(vocab, dim int) *Embedding { return &Embedding{Weight: newParam(vocab, dim)} }

// Forward looks up ids laid out as shape (e.g. [B, T]) and returns
// [shape..., dim] in scope s (see tensor.Embedding).
func (e *Embedding) Forward(s *tensor.Scope, ids []int32, shape ...int) *tensor.Tensor {
	if e.Padded {
		return tensor.EmbeddingPadded(s, e.Weight, ids, e.PaddingIdx, shape...)
	}
	return tensor.Embedding(s, e.Weight, ids, shape...)
}

// Declare declares the table.
func (e *Embedding) Declare(d *Decl) { d.Param("weight", &e.Weight) }

// LayerNorm normalises the last axis with a learned scale and shift.
type LayerNorm struct {
	Weight, Bias *tensor.Tensor
	Eps          float32
}

// NewLayerNorm returns a LayerNorm with weight 1 and bias 0.
func NewLayerNorm(dim int, eps float32) *LayerNorm {
	return &LayerNorm{Weight: tensor.Ones(dim), Bias: tensor.Zeros(dim), Eps: eps}
}

// Forward normalises x [..., dim].
func (n *LayerNorm) Forward(x *tensor.Tensor) *tensor.Tensor {
	return tensor.LayerNorm(x, n.Weight, n.Bias, n.Eps)
}

// Declare declares weight and bias.
func (n *LayerNorm) Declare(d *Decl) {
	d.Param("weight", &n.Weight)
	d.Param("bias", &n.Bias)
}
