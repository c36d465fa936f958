package tensor

import (
	"fmt"
	"math"

	"github.com/vlmtune/vlmtune/internal/kernels"
)

// AttentionOptions configure ScaledDotProductAttention and
// MultiHeadAttention.
type AttentionOptions struct {
	// Causal lets query i see keys j ≤ i + (Tk − Tq) (bottom-right
	// alignment, so key prefixes stay visible to every query).
	Causal bool
	// KeyMask, when not nil, has B·Tk entries; false hides that key from
	// every query of batch item b (padding).
	KeyMask []bool
	// Bias is added to the scores before the softmax; its shape must
	// broadcast to [B, H, Tq, Tk]. It may require a gradient.
	Bias *Tensor
	// Scale multiplies q·kᵀ; 0 means 1/sqrt(D).
	Scale float32
	// Window, when > 0, lets a query see only the Window most recent keys
	// up to its own position (sliding-window attention, as Mistral's): key
	// j is hidden from query i when i + (Tk − Tq) − j ≥ Window.
	Window int
}

// hidden reports whether key j is hidden from a query at (bottom-right
// aligned) position pos; km is the key's index into opt.KeyMask.
func hidden(j, pos, km int, opt AttentionOptions) bool {
	return (opt.Causal && j > pos) || (opt.KeyMask != nil && !opt.KeyMask[km]) || (opt.Window > 0 && pos-j >= opt.Window)
}

// headLayout locates head h of batch item b, row t, column d at
// b·bStride + h·hStride + t·row + d.
type headLayout struct{ bStride, hStride, row int }

// attnDims are the sizes of one attention call.
type attnDims struct{ b, h, tq, tk, d, dv int }

// ScaledDotProductAttention computes softmax(q·kᵀ·scale + bias + mask)·v for
// q [B, H, Tq, D], k [B, H, Tk, D] and v [B, H, Tk, Dv], returning
// [B, H, Tq, Dv]. Masked scores are −Inf; a query that sees no key at all
// gets a zero output.
func ScaledDotProductAttention(q, k, v *Tensor, opt AttentionOptions) *Tensor {
	if q.Rank() != 4 || k.Rank() != 4 || v.Rank() != 4 {
		panic(fmt.Sprintf("tensor.ScaledDotProductAttention: q %v, k %v, v %v must be [B, H, T, D]", q.shape, k.shape, v.shape))
	}
	dm := attnDims{q.shape[0], q.shape[1], q.shape[2], k.shape[2], q.shape[3], v.shape[3]}
	if k.shape[0] != dm.b || k.shape[1] != dm.h || k.shape[3] != dm.d || v.shape[0] != dm.b || v.shape[1] != dm.h || v.shape[2] != dm.tk {
		panic(fmt.Sprintf("tensor.ScaledDotProductAttention: q %v, k %v, v %v do not agree", q.shape, k.shape, v.shape))
	}
	bhtd := func(t, d int) headLayout { return headLayout{dm.h * t * d, t * d, d} }
	return attention("ScaledDotProductAttention", q, k, v, dm, bhtd(dm.tq, dm.d), bhtd(dm.tk, dm.d), bhtd(dm.tk, dm.dv), bhtd(dm.tq, dm.dv),
		[]int{dm.b, dm.h, dm.tq, dm.dv}, opt)
}

// MultiHeadAttention is ScaledDotProductAttention on tensors laid out as
// [B, T, H·D] (the output of the q, k and v projections), splitting the
// last axis into heads without copying; it returns [B, Tq, H·Dv].
func MultiHeadAttention(q, k, v *Tensor, heads int, opt AttentionOptions) *Tensor {
	if q.Rank() != 3 || k.Rank() != 3 || v.Rank() != 3 || heads < 1 {
		panic(fmt.Sprintf("tensor.MultiHeadAttention: q %v, k %v, v %v must be [B, T, C] (heads %d)", q.shape, k.shape, v.shape, heads))
	}
	b, tq, c := q.shape[0], q.shape[1], q.shape[2]
	tk, cv := k.shape[1], v.shape[2]
	if c%heads != 0 || cv%heads != 0 || k.shape[0] != b || v.shape[0] != b || k.shape[2] != c || v.shape[1] != tk {
		panic(fmt.Sprintf("tensor.MultiHeadAttention: q %v, k %v, v %v do not agree with %d heads", q.shape, k.shape, v.shape, heads))
	}
	dm := attnDims{b, heads, tq, tk, c / heads, cv / heads}
	bthd := func(t, width, d int) headLayout { return headLayout{t * width, d, width} }
	return attention("MultiHeadAttention", q, k, v, dm, bthd(tq, c, dm.d), bthd(tk, c, dm.d), bthd(tk, cv, dm.dv), bthd(tq, cv, dm.dv),
		[]int{b, tq, cv}, opt)
}

func attention(op string, q, k, v *Tensor, dm attnDims, lq, lk, lv, lo headLayout, outShape []int, opt AttentionOptions) *Tensor {
	sc := scopeOf(q, k, v, opt.Bias)
	b, h, tq, tk, d, dv := dm.b, dm.h, dm.tq, dm.tk, dm.d, dm.dv
	if opt.KeyMask != nil && len(opt.KeyMask) != b*tk {
		panic(fmt.Sprintf("tensor.%s: key mask has %d entries, want B·Tk = %d", op, len(opt.KeyMask), b*tk))
	}
	scale := opt.Scale
	if scale == 0 {
		scale = float32(1 / math.Sqrt(float64(d)))
	}
	sShape := []int{b, h, tq, tk}
	if opt.Bias != nil {
		if bs := broadcastShape(op+" bias", opt.Bias.shape, sShape); !SameShape(bs, sShape) {
			panic(fmt.Sprintf("tensor.%s: bias %v does not broadcast to scores %v", op, opt.Bias.shape, sShape))
		}
	}
	if tq*tk >= blockedMinScores {
		return attentionBlocked(op, q, k, v, dm, lq, lk, lv, lo, outShape, opt, scale)
	}
	p := sc.alloc(b * h * tq * tk)
	ps := tq * tk // stride between heads in p
	for bi := 0; bi < b; bi++ {
		kernels.GemmBatched(false, true, h, tq, tk, d, scale,
			q.data[bi*lq.bStride:], lq.row, lq.hStride, k.data[bi*lk.bStride:], lk.row, lk.hStride,
			0, p[bi*h*ps:], tk, ps)
	}
	if opt.Bias != nil {
		binaryBroadcast(kernels.OpAdd, p, p, opt.Bias.data, newRowIter(sShape, opt.Bias.shape, sShape))
	}
	if opt.Causal || opt.KeyMask != nil || opt.Window > 0 {
		applyAttentionMask(p, b, h, tq, tk, opt)
	}
	kernels.SoftmaxRows(p, p, b*h*tq, tk)
	out := sc.newTensor(outShape)
	for bi := 0; bi < b; bi++ {
		kernels.GemmBatched(false, false, h, tq, dv, tk, 1,
			p[bi*h*ps:], tk, ps, v.data[bi*lv.bStride:], lv.row, lv.hStride,
			0, out.data[bi*lo.bStride:], lo.row, lo.hStride)
	}

	n := sc.record(out, op, q, k, v, opt.Bias)
	if n == nil {
		sc.release(p)
		return out
	}
	bias := opt.Bias
	n.backward = func(g []float32) {
		// p is this op's own buffer; nothing else sees it.
		defer sc.release(p)
		if v.requiresGrad {
			// dV = Pᵀ·dO.
			gv := sc.alloc(len(v.data))
			for bi := 0; bi < b; bi++ {
				kernels.GemmBatched(true, false, h, tk, dv, tq, 1,
					p[bi*h*ps:], tk, ps, g[bi*lo.bStride:], lo.row, lo.hStride,
					0, gv[bi*lv.bStride:], lv.row, lv.hStride)
			}
			addGrad(v, gv, true)
		}
		if !q.requiresGrad && !k.requiresGrad && (bias == nil || !bias.requiresGrad) {
			return
		}
		// dS = softmax'(P)·(dO·Vᵀ).
		ds := sc.alloc(len(p))
		for bi := 0; bi < b; bi++ {
			kernels.GemmBatched(false, true, h, tq, tk, dv, 1,
				g[bi*lo.bStride:], lo.row, lo.hStride, v.data[bi*lv.bStride:], lv.row, lv.hStride,
				0, ds[bi*h*ps:], tk, ps)
		}
		kernels.SoftmaxRowsBackward(ds, p, ds, b*h*tq, tk)
		defer sc.release(ds)
		if bias != nil && bias.requiresGrad {
			addGrad(bias, reduceTo(sc, ds, sShape, bias.shape), true)
		}
		if q.requiresGrad {
			gq := sc.alloc(len(q.data))
			for bi := 0; bi < b; bi++ {
				kernels.GemmBatched(false, false, h, tq, d, tk, scale,
					ds[bi*h*ps:], tk, ps, k.data[bi*lk.bStride:], lk.row, lk.hStride,
					0, gq[bi*lq.bStride:], lq.row, lq.hStride)
			}
			addGrad(q, gq, true)
		}
		if k.requiresGrad {
			gk := sc.alloc(len(k.data))
			for bi := 0; bi < b; bi++ {
				kernels.GemmBatched(true, false, h, tk, d, tq, scale,
					ds[bi*h*ps:], tk, ps, q.data[bi*lq.bStride:], lq.row, lq.hStride,
					0, gk[bi*lk.bStride:], lk.row, lk.hStride)
			}
			addGrad(k, gk, true)
		}
	}
	return out
}

// AttentionWeights returns the attention probabilities [B, H, Tq, Tk] for q
// and k laid out as [B, T, H·D], without recording a graph (for outputs
// such as Hugging Face's `attentions`).
func AttentionWeights(q, k *Tensor, heads int, opt AttentionOptions) *Tensor {
	sc := scopeOf(q, k)
	b, tq, c := q.shape[0], q.shape[1], q.shape[2]
	tk := k.shape[1]
	d := c / heads
	scale := opt.Scale
	if scale == 0 {
		scale = float32(1 / math.Sqrt(float64(d)))
	}
	out := sc.newTensor([]int{b, heads, tq, tk})
	p := out.data
	for bi := 0; bi < b; bi++ {
		kernels.GemmBatched(false, true, heads, tq, tk, d, scale,
			q.data[bi*tq*c:], c, d, k.data[bi*tk*c:], c, d, 0, p[bi*heads*tq*tk:], tk, tq*tk)
	}
	if opt.Bias != nil {
		sShape := out.shape
		binaryBroadcast(kernels.OpAdd, p, p, opt.Bias.data, newRowIter(sShape, opt.Bias.shape, sShape))
	}
	if opt.Causal || opt.KeyMask != nil || opt.Window > 0 {
		applyAttentionMask(p, b, heads, tq, tk, opt)
	}
	kernels.SoftmaxRows(p, p, b*heads*tq, tk)
	return out
}

// applyAttentionMask sets hidden scores to −Inf.
func applyAttentionMask(s []float32, b, h, tq, tk int, opt AttentionOptions) {
	negInf := float32(math.Inf(-1))
	off := tk - tq
	kernels.ParallelFor(b*h, 1, func(lo, hi int) {
		for bhIdx := lo; bhIdx < hi; bhIdx++ {
			bi := bhIdx / h
			for i := 0; i < tq; i++ {
				row := s[(bhIdx*tq+i)*tk : (bhIdx*tq+i+1)*tk]
				for j := range row {
					if hidden(j, i+off, bi*tk+j, opt) {
						row[j] = negInf
					}
				}
			}
		}
	})
}
