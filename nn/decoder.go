package nn

import (
	"fmt"

	"github.com/vlmtune/vlmtune/tensor"
)

// RMSNorm normalises the last axis by its root mean square with a learned
// scale (Llama's LlamaRMSNorm).
type RMSNorm struct {
	Weight *tensor.Tensor
	Eps    float32
}

// NewRMSNorm returns an RMSNorm with weight 1.
func NewRMSNorm(dim int, eps float32) *RMSNorm { return &RMSNorm{Weight: tensor.Ones(dim), Eps: eps} }

// Forward normalises x [..., dim].
func (n *RMSNorm) Forward(x *tensor.Tensor) *tensor.Tensor {
	return tensor.RMSNorm(x, n.Weight, n.Eps)
}

// Declare declares weight.
func (n *RMSNorm) Declare(d *Decl) { d.Param("weight", &n.Weight) }

// GatedMLPNames name a gated MLP's layers: Llama's {gate_proj, up_proj,
// down_proj}.
type GatedMLPNames struct{ Gate, Up, Down string }

// GatedMLP is down(act(gate(x)) ⊙ up(x)) (Llama's MLP with SiLU).
type GatedMLP struct {
	Gate, Up, Down *Linear
	Act            tensor.Activation
	Names          GatedMLPNames
}

// NewGatedMLP returns a zero gated MLP.
func NewGatedMLP(dim, hidden int, act tensor.Activation, bias bool, names GatedMLPNames) *GatedMLP {
	mustNames("gated MLP", names.Gate, names.Up, names.Down)
	return &GatedMLP{Gate: NewLinear(dim, hidden, bias), Up: NewLinear(dim, hidden, bias), Down: NewLinear(hidden, dim, bias), Act: act, Names: names}
}

// Forward applies the MLP.
func (m *GatedMLP) Forward(x *tensor.Tensor) *tensor.Tensor {
	return m.Down.Forward(tensor.Mul(tensor.Activate(m.Gate.Forward(x), m.Act), m.Up.Forward(x)))
}

// Declare declares the three layers.
func (m *GatedMLP) Declare(d *Decl) {
	d.Module(m.Names.Gate, m.Gate)
	d.Module(m.Names.Up, m.Up)
	d.Module(m.Names.Down, m.Down)
}

// KV holds one attention layer's cached keys and values [B, T, KVHeads·D]
// (keys after the rotary embedding, values as projected).
type KV struct{ K, V *tensor.Tensor }

// Len is the number of cached positions.
func (kv *KV) Len() int {
	if kv.K == nil {
		return 0
	}
	return kv.K.Dim(1)
}

// DecoderAttention is causal self-attention with separate query, key,
// value and output projections, grouped-query heads (KVHeads ≤ Heads,
// dividing it), optional rotary positions and sliding window, and a
// key/value cache for generation: Llama's, Qwen2's and Mistral's
// attention, and OPT's (no rotary; queries scaled before the product).
type DecoderAttention struct {
	Q, K, V, Out   *Linear
	Heads, KVHeads int
	HeadDim        int
	Names          AttentionNames
	// QueryScale, when not 0, multiplies the queries after their
	// projection and replaces the 1/√HeadDim of the product (OPT).
	QueryScale float32
	// Window, when > 0, is the sliding window (Mistral).
	Window int
	// Prefix, when set, prepends learned keys and values (an extension).
	Prefix KVPrefix
}

// DecoderAttentionSpec sizes a DecoderAttention.
type DecoderAttentionSpec struct {
	Dim, Heads, KVHeads, HeadDim int
	// QKVBias and OutBias give the projections biases (Qwen2: q, k, v;
	// OPT: all four).
	QKVBias, OutBias bool
	Names            AttentionNames
}

// NewDecoderAttention returns zero projections.
func NewDecoderAttention(s DecoderAttentionSpec) *DecoderAttention {
	mustNames("decoder attention", s.Names.Q, s.Names.K, s.Names.V, s.Names.Out)
	if s.Heads < 1 || s.KVHeads < 1 || s.Heads%s.KVHeads != 0 || s.HeadDim < 1 {
		panic(fmt.Sprintf("nn.NewDecoderAttention: %d heads, %d key/value heads, head width %d", s.Heads, s.KVHeads, s.HeadDim))
	}
	q, kv := s.Heads*s.HeadDim, s.KVHeads*s.HeadDim
	return &DecoderAttention{
		Q: NewLinear(s.Dim, q, s.QKVBias), K: NewLinear(s.Dim, kv, s.QKVBias), V: NewLinear(s.Dim, kv, s.QKVBias),
		Out: NewLinear(q, s.Dim, s.OutBias), Heads: s.Heads, KVHeads: s.KVHeads, HeadDim: s.HeadDim, Names: s.Names,
	}
}

// Declare declares the projections and the prefix extension.
func (a *DecoderAttention) Declare(d *Decl) {
	d.Module(a.Names.Q, a.Q)
	d.Module(a.Names.K, a.K)
	d.Module(a.Names.V, a.V)
	d.Module(a.Names.Out, a.Out)
	d.Extension("", a.Prefix)
}

// DecoderStep is what a decoder layer's attention needs besides its input:
// the rotary tables of the new positions (nil: no rotary), the key mask
// over every key (cached and new, B·Tk; nil: all visible) and the layer's
// cache (nil: none), which the call extends with the new keys and values.
type DecoderStep struct {
	Cos, Sin []float32
	KeyMask  []bool
	Cache    *KV
}

// Forward attends the new positions x [B, T, C] causally to the cached
// and new keys.
func (a *DecoderAttention) Forward(x *tensor.Tensor, st DecoderStep) *tensor.Tensor {
	q, k, v := a.Q.Forward(x), a.K.Forward(x), a.V.Forward(x)
	if a.QueryScale != 0 {
		q = tensor.MulScalar(q, a.QueryScale)
	}
	if st.Cos != nil {
		q = tensor.Rotary(q, st.Cos, st.Sin, a.Heads)
		k = tensor.Rotary(k, st.Cos, st.Sin, a.KVHeads)
	}
	if c := st.Cache; c != nil {
		if c.K != nil {
			k, v = tensor.Concat(1, c.K, k), tensor.Concat(1, c.V, v)
		}
		c.K, c.V = k, v
	}
	g := a.Heads / a.KVHeads
	k, v = tensor.RepeatHeads(k, a.KVHeads, g), tensor.RepeatHeads(v, a.KVHeads, g)
	mask := st.KeyMask
	if a.Prefix != nil {
		pk, pv := a.Prefix.KV()
		b, tk := k.Dim(0), k.Dim(1)
		p := pk.Dim(0)
		k, v = tensor.Concat(1, expandBatch(pk, b), k), tensor.Concat(1, expandBatch(pv, b), v)
		m := make([]bool, b*(p+tk))
		for bi := 0; bi < b; bi++ {
			for j := 0; j < p; j++ {
				m[bi*(p+tk)+j] = true
			}
			for j := 0; j < tk; j++ {
				m[bi*(p+tk)+p+j] = mask == nil || mask[bi*tk+j]
			}
		}
		mask = m
	}
	opt := tensor.AttentionOptions{Causal: true, KeyMask: mask, Window: a.Window}
	if a.QueryScale != 0 {
		opt.Scale = 1
	}
	return a.Out.Forward(tensor.MultiHeadAttention(q, k, v, a.Heads, opt))
}
