package nn

import (
	"fmt"

	"github.com/vlmtune/vlmtune/tensor"
)

// KVPrefix supplies learned key and value vectors prepended to every
// sequence (prefix tuning). Both are [P, C] after projection.
type KVPrefix interface {
	Module
	// KV returns the prefix keys and values, each [P, C].
	KV() (k, v *tensor.Tensor)
}

// Attention is multi-head self-attention with separate query, key, value
// and output projections, named as the family says (CLIP's q_proj,
// k_proj, v_proj, out_proj).
type Attention struct {
	Q, K, V, Out *Linear
	Heads        int
	Names        AttentionNames
	// Prefix, when set, prepends learned keys and values (an extension).
	Prefix KVPrefix
}

// NewAttention returns zero projections of width dim with biases.
func NewAttention(dim, heads int, names AttentionNames) *Attention {
	mustNames("attention", names.Q, names.K, names.V, names.Out)
	return &Attention{Q: NewLinear(dim, dim, true), K: NewLinear(dim, dim, true), V: NewLinear(dim, dim, true), Out: NewLinear(dim, dim, true), Heads: heads, Names: names}
}

// AttentionInput describes the masking of one call.
type AttentionInput struct {
	Causal  bool
	KeyMask []bool // B·T entries, false for padding; nil for none
	// Segments, when not nil, packs several sequences into one: x is
	// [1, N, C] with N = Σ Segments, and each segment attends only to
	// itself (a packed batch without padding). KeyMask and Weights must
	// be nil then.
	Segments []int
	// Weights, when not nil, receives the attention probabilities
	// [B, H, T, T'] (computed without recording a graph).
	Weights **tensor.Tensor
}

// Forward attends x [B, T, C] to itself.
func (a *Attention) Forward(x *tensor.Tensor, in AttentionInput) *tensor.Tensor {
	q, k, v := a.Q.Forward(x), a.K.Forward(x), a.V.Forward(x)
	if in.Segments != nil {
		return a.Out.Forward(a.segmented(q, k, v, in))
	}
	k, v, mask := a.withPrefix(k, v, in.KeyMask)
	opt := tensor.AttentionOptions{Causal: in.Causal, KeyMask: mask}
	if in.Weights != nil {
		*in.Weights = tensor.AttentionWeights(q.Detach(), k.Detach(), a.Heads, opt)
	}
	return a.Out.Forward(tensor.MultiHeadAttention(q, k, v, a.Heads, opt))
}

// ForwardRows attends the query rows qx (one per sequence: [B, 1, C], or
// [1, n, C] with in.Segments) to the keys and values of kvx ([B, T, C] or
// [1, N, C]); pos gives each query's position in its sequence, which
// decides what it sees under a causal mask. It equals those rows of
// Forward(kvx).
func (a *Attention) ForwardRows(qx, kvx *tensor.Tensor, in AttentionInput, pos []int) *tensor.Tensor {
	if in.Weights != nil {
		panic("nn.Attention.ForwardRows: attention weights are not available")
	}
	q, k, v := a.Q.Forward(qx), a.K.Forward(kvx), a.V.Forward(kvx)
	if in.Segments != nil {
		// Query i sees its segment's keys, up to its own position when
		// causal (the keys after it are cut off, so no mask is needed).
		return a.Out.Forward(a.attendSegments(q, k, v, in.Segments, false, func(i, off, l int) (int, int, int) {
			if in.Causal {
				return i, i + 1, off + pos[i] + 1
			}
			return i, i + 1, off + l
		}))
	}
	mask := in.KeyMask
	if in.Causal {
		// Query b sees keys j ≤ pos[b] (and the prefix), as row pos[b] of
		// the causal mask.
		b, t := kvx.Dim(0), kvx.Dim(1)
		m := make([]bool, b*t)
		for bi := 0; bi < b; bi++ {
			for j := 0; j <= pos[bi]; j++ {
				m[bi*t+j] = mask == nil || mask[bi*t+j]
			}
		}
		mask = m
	}
	k, v, mask = a.withPrefix(k, v, mask)
	return a.Out.Forward(tensor.MultiHeadAttention(q, k, v, a.Heads, tensor.AttentionOptions{KeyMask: mask}))
}

// withPrefix prepends the prefix keys and values (if any) to k and v
// [B, T, C], extending the key mask to match.
func (a *Attention) withPrefix(k, v *tensor.Tensor, mask []bool) (*tensor.Tensor, *tensor.Tensor, []bool) {
	if a.Prefix == nil {
		return k, v, mask
	}
	pk, pv := a.Prefix.KV()
	b, t := k.Dim(0), k.Dim(1)
	p := pk.Dim(0)
	k = tensor.Concat(1, expandBatch(pk, b), k)
	v = tensor.Concat(1, expandBatch(pv, b), v)
	if mask != nil {
		m := make([]bool, b*(p+t))
		for bi := 0; bi < b; bi++ {
			for j := 0; j < p; j++ {
				m[bi*(p+t)+j] = true
			}
			copy(m[bi*(p+t)+p:], mask[bi*t:(bi+1)*t])
		}
		mask = m
	}
	return k, v, mask
}

// segmented attends each segment of the packed q, k, v [1, N, C] to
// itself, as Forward would attend the segments as separate batch rows.
func (a *Attention) segmented(q, k, v *tensor.Tensor, in AttentionInput) *tensor.Tensor {
	n := 0
	for _, l := range in.Segments {
		if l < 1 {
			panic(fmt.Sprintf("nn.Attention: segment length %d in %v", l, in.Segments))
		}
		n += l
	}
	if q.Dim(0) != 1 || q.Dim(1) != n || in.KeyMask != nil || in.Weights != nil {
		panic(fmt.Sprintf("nn.Attention: segments %v (total %d) need input [1, %d, C] without key mask or weights, got %v", in.Segments, n, n, q.Shape()))
	}
	return a.attendSegments(q, k, v, in.Segments, in.Causal, func(_, off, l int) (int, int, int) {
		return off, off + l, off + l
	})
}

// attendSegments attends, for each segment i (of length segs[i], starting
// at off in k and v), the queries q[q0:q1] to the keys and values
// k[off:kEnd] (plus any prefix), as span(i, off, length) gives them, and
// concatenates the results along the sequence axis.
func (a *Attention) attendSegments(q, k, v *tensor.Tensor, segs []int, causal bool, span func(i, off, l int) (q0, q1, kEnd int)) *tensor.Tensor {
	outs := make([]*tensor.Tensor, len(segs))
	off := 0
	for i, l := range segs {
		q0, q1, kEnd := span(i, off, l)
		qs, ks, vs := q, k, v
		if len(segs) > 1 || q0 != 0 || q1 != q.Dim(1) || kEnd != k.Dim(1) {
			qs, ks, vs = tensor.Slice(q, 1, q0, q1), tensor.Slice(k, 1, off, kEnd), tensor.Slice(v, 1, off, kEnd)
		}
		ks, vs, _ = a.withPrefix(ks, vs, nil)
		outs[i] = tensor.MultiHeadAttention(qs, ks, vs, a.Heads, tensor.AttentionOptions{Causal: causal})
		off += l
	}
	if len(outs) == 1 {
		return outs[0]
	}
	return tensor.Concat(1, outs...)
}

// expandBatch repeats a [P, C] tensor into [B, P, C].
func expandBatch(t *tensor.Tensor, b int) *tensor.Tensor {
	return tensor.Add(tensor.Zeros(b, 1, 1), tensor.Unsqueeze(t, 0))
}

// Declare declares the four projections and the prefix extension (its
// keys and values sit directly under the attention's name).
func (a *Attention) Declare(d *Decl) {
	d.Module(a.Names.Q, a.Q)
	d.Module(a.Names.K, a.K)
	d.Module(a.Names.V, a.V)
	d.Module(a.Names.Out, a.Out)
	d.Extension("", a.Prefix)
}

// MLP is fc2(act(fc1(x))).
type MLP struct {
	FC1, FC2 *Linear
	Act      tensor.Activation
	Names    MLPNames
}

// NewMLP returns a zero MLP.
func NewMLP(dim, hidden int, act tensor.Activation, names MLPNames) *MLP {
	mustNames("MLP", names.FC1, names.FC2)
	return &MLP{FC1: NewLinear(dim, hidden, true), FC2: NewLinear(hidden, dim, true), Act: act, Names: names}
}

// Forward applies the MLP.
func (m *MLP) Forward(x *tensor.Tensor) *tensor.Tensor {
	return m.FC2.Forward(tensor.Activate(m.FC1.Forward(x), m.Act))
}

// Declare declares the two layers.
func (m *MLP) Declare(d *Decl) {
	d.Module(m.Names.FC1, m.FC1)
	d.Module(m.Names.FC2, m.FC2)
}

// ActivationByName resolves a Hugging Face hidden_act name.
func ActivationByName(name string) (tensor.Activation, error) {
	a, ok := tensor.ParseActivation(name)
	if !ok {
		return 0, fmt.Errorf("unsupported hidden_act %q (supported: gelu, gelu_pytorch_tanh, gelu_new, quick_gelu, silu, relu, tanh, sigmoid)", name)
	}
	return a, nil
}
