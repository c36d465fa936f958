package nn

import (
	"fmt"

	"github.com/vlmtune/vlmtune/tensor"
)

// ResidualAdapter transforms a sub-layer's output before it is added to the
// residual stream (bottleneck adapters).
type ResidualAdapter interface {
	Module
	Forward(h *tensor.Tensor) *tensor.Tensor
}

// ResidualAdapters are a layer's two adapter slots, embedded in every
// transformer layer that takes bottleneck adapters: when set, AttnAdapter
// and MLPAdapter transform the attention's and the MLP's output before the
// residual addition (Houlsby adapters; extensions, not checkpoint weights).
type ResidualAdapters struct {
	AttnAdapter, MLPAdapter ResidualAdapter
}

// SetAdapters installs (or with nil removes) the bottleneck adapters.
func (a *ResidualAdapters) SetAdapters(attn, mlp ResidualAdapter) {
	a.AttnAdapter, a.MLPAdapter = attn, mlp
}

// DeclareAdapters declares the two slots as extensions.
func (a *ResidualAdapters) DeclareAdapters(d *Decl) {
	d.Extension(AttnAdapterName, a.AttnAdapter)
	d.Extension(MLPAdapterName, a.MLPAdapter)
}

// AfterAttn applies the attention adapter to h, when there is one.
func (a *ResidualAdapters) AfterAttn(h *tensor.Tensor) *tensor.Tensor {
	if a.AttnAdapter != nil {
		return a.AttnAdapter.Forward(h)
	}
	return h
}

// AfterMLP applies the MLP adapter to h, when there is one.
func (a *ResidualAdapters) AfterMLP(h *tensor.Tensor) *tensor.Tensor {
	if a.MLPAdapter != nil {
		return a.MLPAdapter.Forward(h)
	}
	return h
}

// EncoderLayer is a pre-LayerNorm transformer layer as in CLIP and SigLIP:
// x + attn(ln1(x)), then + mlp(ln2(x)).
type EncoderLayer struct {
	LN1   *LayerNorm // CLIP: layer_norm1
	Attn  *Attention // self_attn
	LN2   *LayerNorm // layer_norm2
	MLP   *MLP       // mlp
	Names LayerNames
	ResidualAdapters
}

// EncoderSpec sizes and names an encoder.
type EncoderSpec struct {
	Layers, Dim, Hidden, Heads int
	Act                        tensor.Activation
	Eps                        float32
	Names                      EncoderNames
}

// NewEncoderLayer returns a layer with zero weights and unit norms.
func NewEncoderLayer(s EncoderSpec) *EncoderLayer {
	n := s.Names.Layer
	mustNames("encoder layer", n.LN1, n.Attn, n.LN2, n.MLP)
	return &EncoderLayer{LN1: NewLayerNorm(s.Dim, s.Eps), Attn: NewAttention(s.Dim, s.Heads, n.Attention), LN2: NewLayerNorm(s.Dim, s.Eps),
		MLP: NewMLP(s.Dim, s.Hidden, s.Act, n.MLPLayers), Names: n}
}

// Forward runs the layer on x [B, T, C].
func (l *EncoderLayer) Forward(x *tensor.Tensor, in AttentionInput) *tensor.Tensor {
	h := l.Attn.Forward(l.LN1.Forward(x), in)
	h = l.AfterAttn(h)
	x = tensor.Add(x, h)
	h = l.MLP.Forward(l.LN2.Forward(x))
	h = l.AfterMLP(h)
	return tensor.Add(x, h)
}

// ForwardRows runs the layer for one position per sequence of x: pos[b]
// of batch item b ([B, T, C] in, [B, 1, C] out), or, with in.Segments,
// pos[i] of segment i ([1, N, C] in, [1, len(Segments), C] out). Each
// position attends to the keys it sees in Forward, and its output equals
// that row of Forward's.
func (l *EncoderLayer) ForwardRows(x *tensor.Tensor, in AttentionInput, pos []int) *tensor.Tensor {
	rows := selectRows(x, in.Segments, pos)
	xn := l.LN1.Forward(x)
	h := l.Attn.ForwardRows(pickRows(xn, rows, in.Segments), xn, in, pos)
	h = l.AfterAttn(h)
	xs := tensor.Add(pickRows(x, rows, in.Segments), h)
	h = l.MLP.Forward(l.LN2.Forward(xs))
	h = l.AfterMLP(h)
	return tensor.Add(xs, h)
}

// selectRows returns the flat row indices (into x reshaped to [B·T, C]) of
// one position per sequence.
func selectRows(x *tensor.Tensor, segments, pos []int) []int {
	b, t := x.Dim(0), x.Dim(1)
	n := b
	if segments != nil {
		n = len(segments)
	}
	if len(pos) != n {
		panic(fmt.Sprintf("nn.EncoderLayer.ForwardRows: %d positions for %d sequences", len(pos), n))
	}
	rows := make([]int, n)
	off := 0
	for i, p := range pos {
		size := t
		if segments != nil {
			size = segments[i]
		}
		if p < 0 || p >= size {
			panic(fmt.Sprintf("nn.EncoderLayer.ForwardRows: position %d of sequence %d outside [0, %d)", p, i, size))
		}
		if segments != nil {
			rows[i] = off + p
			off += size
		} else {
			rows[i] = i*t + p
		}
	}
	return rows
}

// pickRows gathers rows of x into [B, 1, C] (or [1, n, C] with segments).
func pickRows(x *tensor.Tensor, rows, segments []int) *tensor.Tensor {
	c := x.Dim(2)
	sel := tensor.IndexSelect(tensor.Reshape(x, x.Dim(0)*x.Dim(1), c), 0, rows)
	if segments != nil {
		return tensor.Reshape(sel, 1, len(rows), c)
	}
	return tensor.Reshape(sel, len(rows), 1, c)
}

// SetPrefix installs (or with nil removes) a key/value prefix.
func (l *EncoderLayer) SetPrefix(p KVPrefix) { l.Attn.Prefix = p }

// PrefixWidth is the width of the attention's keys and values.
func (l *EncoderLayer) PrefixWidth() int { return l.Attn.K.Out() }

// Declare declares the norms, attention and MLP, and the adapter
// extensions.
func (l *EncoderLayer) Declare(d *Decl) {
	d.Module(l.Names.LN1, l.LN1)
	d.Module(l.Names.Attn, l.Attn)
	d.Module(l.Names.LN2, l.LN2)
	d.Module(l.Names.MLP, l.MLP)
	l.DeclareAdapters(d)
}

// Encoder is a stack of layers (CLIP's `encoder.layers.N`).
type Encoder struct {
	Layers []*EncoderLayer
	Names  EncoderNames
	// Checkpointing recomputes each layer's activations during backward
	// instead of keeping them.
	Checkpointing bool
}

// NewEncoder returns s.Layers layers.
func NewEncoder(s EncoderSpec) *Encoder {
	mustNames("encoder", s.Names.Layers)
	e := &Encoder{Names: s.Names}
	for i := 0; i < s.Layers; i++ {
		e.Layers = append(e.Layers, NewEncoderLayer(s))
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
	Segments []int
	// Outputs, when not nil, names one position per sequence (per batch
	// item, or per segment) whose output is all the caller needs: the
	// last layer then computes only those rows (queries, attention output,
	// MLP), attending to every key the position sees, and Forward returns
	// [B, 1, C] (or [1, len(Segments), C]). The outputs equal those rows
	// of the full computation. WantHidden and WantAttentions must be off.
	Outputs        []int
	WantHidden     bool
	WantAttentions bool
	CheckpointRNG  *tensor.RNG
	LayerCallback  func(i int, x *tensor.Tensor) // observes each layer's output
}

// Forward runs every layer on x [B, T, C].
func (e *Encoder) Forward(x *tensor.Tensor, opt EncoderOptions, out *EncoderOutput) *tensor.Tensor {
	if opt.Outputs != nil && (opt.WantHidden || opt.WantAttentions) {
		panic("nn.Encoder.Forward: Outputs cannot be combined with WantHidden or WantAttentions")
	}
	if out != nil && opt.WantHidden {
		out.HiddenStates = append(out.HiddenStates, x)
	}
	for i, layer := range e.Layers {
		in := AttentionInput{Causal: opt.Causal, KeyMask: opt.KeyMask, Segments: opt.Segments}
		var w *tensor.Tensor
		if out != nil && opt.WantAttentions {
			in.Weights = &w
		}
		l := layer
		run := func(ts []*tensor.Tensor) *tensor.Tensor { return l.Forward(ts[0], in) }
		if opt.Outputs != nil && i == len(e.Layers)-1 {
			run = func(ts []*tensor.Tensor) *tensor.Tensor { return l.ForwardRows(ts[0], in, opt.Outputs) }
		}
		if e.Checkpointing && x.Records() && in.Weights == nil {
			x = tensor.Checkpoint(opt.CheckpointRNG, run, x)
		} else {
			x = run([]*tensor.Tensor{x})
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

// Declare declares layer i as <Names.Layers>.i.
func (e *Encoder) Declare(d *Decl) {
	for i, l := range e.Layers {
		d.Module(e.Names.Layers+"."+itoa(i), l)
	}
}
