package nn

import (
	"github.com/vlmtune/vlmtune/tensor"
)

// ResidualAdapter transforms a sub-layer's output before it is added to the
// residual stream (bottleneck adapters).
type ResidualAdapter interface {
	Module
	Forward(h *tensor.Tensor) *tensor.Tensor
}

// EncoderLayer is a pre-LayerNorm transformer layer as in CLIP and SigLIP:
// x + attn(ln1(x)), then + mlp(ln2(x)).
type EncoderLayer struct {
	LN1  *LayerNorm // layer_norm1
	Attn *Attention // self_attn
	LN2  *LayerNorm // layer_norm2
	MLP  *MLP       // mlp
	// AttnAdapter and MLPAdapter, when set, transform each sub-layer's
	// output before the residual addition (Houlsby adapters).
	AttnAdapter, MLPAdapter ResidualAdapter
}

// NewEncoderLayer returns a layer with zero weights and unit norms.
func NewEncoderLayer(dim, hidden, heads int, act tensor.Activation, eps float32) *EncoderLayer {
	return &EncoderLayer{LN1: NewLayerNorm(dim, eps), Attn: NewAttention(dim, heads), LN2: NewLayerNorm(dim, eps), MLP: NewMLP(dim, hidden, act)}
}

// Forward runs the layer on x [B, T, C].
func (l *EncoderLayer) Forward(x *tensor.Tensor, in AttentionInput) *tensor.Tensor {
	h := l.Attn.Forward(l.LN1.Forward(x), in)
	if l.AttnAdapter != nil {
		h = l.AttnAdapter.Forward(h)
	}
	x = tensor.Add(x, h)
	h = l.MLP.Forward(l.LN2.Forward(x))
	if l.MLPAdapter != nil {
		h = l.MLPAdapter.Forward(h)
	}
	return tensor.Add(x, h)
}

// VisitParams visits layer_norm1, self_attn, layer_norm2, mlp and the
// adapters.
func (l *EncoderLayer) VisitParams(prefix string, fn Visitor) {
	l.LN1.VisitParams(prefix+"layer_norm1.", fn)
	l.Attn.VisitParams(prefix+"self_attn.", fn)
	l.LN2.VisitParams(prefix+"layer_norm2.", fn)
	l.MLP.VisitParams(prefix+"mlp.", fn)
	if l.AttnAdapter != nil {
		l.AttnAdapter.VisitParams(prefix+"attn_adapter.", fn)
	}
	if l.MLPAdapter != nil {
		l.MLPAdapter.VisitParams(prefix+"mlp_adapter.", fn)
	}
}

// Encoder is a stack of layers (Hugging Face's `encoder.layers.N`).
type Encoder struct {
	Layers []*EncoderLayer
	// Checkpointing recomputes each layer's activations during backward
	// instead of keeping them.
	Checkpointing bool
}

// NewEncoder returns n layers.
func NewEncoder(n, dim, hidden, heads int, act tensor.Activation, eps float32) *Encoder {
	e := &Encoder{}
	for i := 0; i < n; i++ {
		e.Layers = append(e.Layers, NewEncoderLayer(dim, hidden, heads, act, eps))
	}
	return e
}

// EncoderOutput collects optional per-layer outputs.
type EncoderOutput struct {
	// HiddenStates, when requested, holds the input and every layer's
	// output (len(Layers)+1 tensors), as Hugging Face's hidden_states.
	HiddenStates []*tensor.Tensor
	// Attentions, when requested, holds each layer's probabilities.
	Attentions []*tensor.Tensor
}

// EncoderOptions select masking and optional outputs.
type EncoderOptions struct {
	Causal  bool
	KeyMask []bool
	// Segments packs several sequences into x [1, N, C]; see
	// AttentionInput.Segments.
	Segments       []int
	WantHidden     bool
	WantAttentions bool
	CheckpointRNG  *tensor.RNG
	LayerCallback  func(i int, x *tensor.Tensor) // observes each layer's output
}

// Forward runs every layer on x [B, T, C].
func (e *Encoder) Forward(x *tensor.Tensor, opt EncoderOptions, out *EncoderOutput) *tensor.Tensor {
	if out != nil && opt.WantHidden {
		out.HiddenStates = append(out.HiddenStates, x)
	}
	for i, layer := range e.Layers {
		in := AttentionInput{Causal: opt.Causal, KeyMask: opt.KeyMask, Segments: opt.Segments}
		var w *tensor.Tensor
		if out != nil && opt.WantAttentions {
			in.Weights = &w
		}
		if e.Checkpointing && tensor.GradEnabled() && in.Weights == nil {
			l := layer
			x = tensor.Checkpoint(opt.CheckpointRNG, func(ts []*tensor.Tensor) *tensor.Tensor { return l.Forward(ts[0], in) }, x)
		} else {
			x = layer.Forward(x, in)
		}
		if w != nil {
			out.Attentions = append(out.Attentions, w)
		}
		if out != nil && opt.WantHidden {
			out.HiddenStates = append(out.HiddenStates, x)
		}
		if opt.LayerCallback != nil {
			opt.LayerCallback(i, x)
		}
	}
	return x
}

// VisitParams visits layers.N.
func (e *Encoder) VisitParams(prefix string, fn Visitor) {
	for i, l := range e.Layers {
		l.VisitParams(prefix+"layers."+itoa(i)+".", fn)
	}
}
