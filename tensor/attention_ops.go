package tensor

import (
	"fmt"
	"math"

	"github.com/vlmtune/vlmtune/internal/kernels"
)

// AttentionOptions configure ScaledDotProductAttention.
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
}

// ScaledDotProductAttention computes softmax(q·kᵀ·scale + bias + mask)·v for
// q [B, H, Tq, D], k [B, H, Tk, D] and v [B, H, Tk, Dv], returning
// [B, H, Tq, Dv]. Masked scores are −Inf; a query that sees no key at all
// gets a zero output.
func ScaledDotProductAttention(q, k, v *Tensor, opt AttentionOptions) *Tensor {
	if q.Rank() != 4 || k.Rank() != 4 || v.Rank() != 4 {
		panic(fmt.Sprintf("tensor.ScaledDotProductAttention: q %v, k %v, v %v must be [B, H, T, D]", q.shape, k.shape, v.shape))
	}
	b, h, tq, d := q.shape[0], q.shape[1], q.shape[2], q.shape[3]
	tk, dv := k.shape[2], v.shape[3]
	if k.shape[0] != b || k.shape[1] != h || k.shape[3] != d || v.shape[0] != b || v.shape[1] != h || v.shape[2] != tk {
		panic(fmt.Sprintf("tensor.ScaledDotProductAttention: q %v, k %v, v %v do not agree", q.shape, k.shape, v.shape))
	}
	if opt.KeyMask != nil && len(opt.KeyMask) != b*tk {
		panic(fmt.Sprintf("tensor.ScaledDotProductAttention: key mask has %d entries, want B·Tk = %d", len(opt.KeyMask), b*tk))
	}
	scale := opt.Scale
	if scale == 0 {
		scale = float32(1 / math.Sqrt(float64(d)))
	}
	bh := b * h
	sShape := []int{b, h, tq, tk}
	p := alloc(bh * tq * tk)
	kernels.GemmBatched(false, true, bh, tq, tk, d, scale, q.data, d, tq*d, k.data, d, tk*d, 0, p, tk, tq*tk)
	if opt.Bias != nil {
		if bs := broadcastShape("ScaledDotProductAttention bias", opt.Bias.shape, sShape); !SameShape(bs, sShape) {
			panic(fmt.Sprintf("tensor.ScaledDotProductAttention: bias %v does not broadcast to scores %v", opt.Bias.shape, sShape))
		}
		binaryBroadcast(kernels.OpAdd, p, p, opt.Bias.data, newRowIter(sShape, opt.Bias.shape, sShape))
	}
	if opt.Causal || opt.KeyMask != nil {
		applyAttentionMask(p, b, h, tq, tk, opt.Causal, opt.KeyMask)
	}
	kernels.SoftmaxRows(p, p, bh*tq, tk)
	out := newTensor([]int{b, h, tq, dv})
	kernels.GemmBatched(false, false, bh, tq, dv, tk, 1, p, tk, tq*tk, v.data, dv, tk*dv, 0, out.data, dv, tq*dv)

	n := record(out, "ScaledDotProductAttention", q, k, v, opt.Bias)
	if n == nil {
		return out
	}
	bias := opt.Bias
	n.backward = func(g []float32) {
		if v.requiresGrad {
			gv := alloc(len(v.data))
			kernels.GemmBatched(true, false, bh, tk, dv, tq, 1, p, tk, tq*tk, g, dv, tq*dv, 0, gv, dv, tk*dv)
			addGrad(v, gv, true)
		}
		if !q.requiresGrad && !k.requiresGrad && (bias == nil || !bias.requiresGrad) {
			return
		}
		ds := alloc(len(p))
		kernels.GemmBatched(false, true, bh, tq, tk, dv, 1, g, dv, tq*dv, v.data, dv, tk*dv, 0, ds, tk, tq*tk)
		kernels.SoftmaxRowsBackward(ds, p, ds, bh*tq, tk)
		if bias != nil && bias.requiresGrad {
			addGrad(bias, reduceTo(ds, sShape, bias.shape), true)
		}
		if q.requiresGrad {
			gq := alloc(len(q.data))
			kernels.GemmBatched(false, false, bh, tq, d, tk, scale, ds, tk, tq*tk, k.data, d, tk*d, 0, gq, d, tq*d)
			addGrad(q, gq, true)
		}
		if k.requiresGrad {
			gk := alloc(len(k.data))
			kernels.GemmBatched(true, false, bh, tk, d, tq, scale, ds, tk, tq*tk, q.data, d, tq*d, 0, gk, d, tk*d)
			addGrad(k, gk, true)
		}
	}
	return out
}

// applyAttentionMask sets hidden scores to −Inf.
func applyAttentionMask(s []float32, b, h, tq, tk int, causal bool, keyMask []bool) {
	negInf := float32(math.Inf(-1))
	off := tk - tq
	kernels.ParallelFor(b*h, 1, func(lo, hi int) {
		for bhIdx := lo; bhIdx < hi; bhIdx++ {
			bi := bhIdx / h
			for i := 0; i < tq; i++ {
				row := s[(bhIdx*tq+i)*tk : (bhIdx*tq+i+1)*tk]
				for j := range row {
					if (causal && j > i+off) || (keyMask != nil && !keyMask[bi*tk+j]) {
						row[j] = negInf
					}
				}
			}
		}
	})
}
