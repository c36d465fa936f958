package tensor

import (
	"math"

	"github.com/vlmtune/vlmtune/internal/kernels"
)

// Long sequences use a blocked attention that never holds more than one
// block of scores per head: the forward pass keeps only each query row's
// log-sum-exp, and the backward pass recomputes the scores block by block
// (the FlashAttention-2 formulation, tiled over queries). Short sequences
// (CLIP's 50 and 77 tokens) materialise the probabilities, which is
// faster there.
var (
	// blockedMinScores is the score count per head (Tq·Tk) from which the
	// blocked path is used.
	blockedMinScores = 256 * 256
	// attnQueryBlock is the number of query rows per block.
	attnQueryBlock = 64
)

// attentionBlocked computes the same as attention for large Tq·Tk.
func attentionBlocked(op string, q, k, v *Tensor, dm attnDims, lq, lk, lv, lo headLayout, outShape []int, opt AttentionOptions, scale float32) *Tensor {
	sc := scopeOf(q, k, v, opt.Bias)
	b, h, tq, tk, d, dv := dm.b, dm.h, dm.tq, dm.tk, dm.d, dm.dv
	out := sc.newTensor(outShape)
	lse := sc.alloc(b * h * tq) // log-sum-exp of every query row
	bq := min(attnQueryBlock, tq)
	sShape := []int{b, h, tq, tk}
	var biasIt *rowIter
	if opt.Bias != nil {
		it := newRowIter(sShape, opt.Bias.shape, sShape)
		biasIt = &it
	}
	// scoresBlock fills s [rows, tk] with the masked, biased scores of
	// query rows [i0, i0+rows) of head (bi, hi).
	scoresBlock := func(s []float32, bi, hi, i0, rows int) {
		kernels.Gemm(false, true, rows, tk, d, scale,
			q.data[bi*lq.bStride+hi*lq.hStride+i0*lq.row:], lq.row, k.data[bi*lk.bStride+hi*lk.hStride:], lk.row, 0, s, tk)
		if biasIt != nil {
			for r := 0; r < rows; r++ {
				row := (bi*h+hi)*tq + i0 + r
				_, ob := biasIt.offsets(row)
				kernels.Binary(kernels.OpAdd, s[r*tk:(r+1)*tk], s[r*tk:], 1, opt.Bias.data[ob:], biasIt.lastB, tk)
			}
		}
		negInf := float32(math.Inf(-1))
		if opt.Causal || opt.KeyMask != nil || opt.Window > 0 {
			off := tk - tq
			for r := 0; r < rows; r++ {
				row := s[r*tk : (r+1)*tk]
				for j := range row {
					if hidden(j, i0+r+off, bi*tk+j, opt) {
						row[j] = negInf
					}
				}
			}
		}
	}
	kernels.ParallelFor(b*h, 1, func(lo0, hi0 int) {
		s := sc.alloc(bq * tk)
		defer sc.release(s)
		for bh := lo0; bh < hi0; bh++ {
			bi, hi := bh/h, bh%h
			for i0 := 0; i0 < tq; i0 += bq {
				rows := min(bq, tq-i0)
				scoresBlock(s, bi, hi, i0, rows)
				for r := 0; r < rows; r++ {
					row := s[r*tk : (r+1)*tk]
					m := float32(math.Inf(-1))
					for _, x := range row {
						m = max(m, x)
					}
					l := float32(math.Inf(-1))
					if !math.IsInf(float64(m), -1) {
						var z float64
						for _, x := range row {
							z += math.Exp(float64(x - m))
						}
						l = m + float32(math.Log(z))
					}
					lse[bh*tq+i0+r] = l
					for j, x := range row {
						if math.IsInf(float64(l), -1) {
							row[j] = 0
						} else {
							row[j] = float32(math.Exp(float64(x - l)))
						}
					}
				}
				kernels.Gemm(false, false, rows, dv, tk, 1, s, tk, v.data[bi*lv.bStride+hi*lv.hStride:], lv.row,
					0, out.data[bi*lo.bStride+hi*lo.hStride+i0*lo.row:], lo.row)
			}
		}
	})
	n := sc.record(out, op, q, k, v, opt.Bias)
	if n == nil {
		sc.release(lse)
		return out
	}
	bias := opt.Bias
	n.backward = func(g []float32) {
		defer sc.release(lse)
		// D_i = Σ_j dO_ij·O_ij per query row.
		dsum := sc.alloc(b * h * tq)
		defer sc.release(dsum)
		for bh := 0; bh < b*h; bh++ {
			bi, hi := bh/h, bh%h
			for i := 0; i < tq; i++ {
				o := bi*lo.bStride + hi*lo.hStride + i*lo.row
				var s float32
				for c := 0; c < dv; c++ {
					s += g[o+c] * out.data[o+c]
				}
				dsum[bh*tq+i] = s
			}
		}
		var gq, gk, gv, gb []float32
		if q.requiresGrad {
			gq = sc.alloc(len(q.data))
		}
		if k.requiresGrad {
			gk = sc.alloc(len(k.data))
		}
		if v.requiresGrad {
			gv = sc.alloc(len(v.data))
		}
		if bias != nil && bias.requiresGrad {
			gb = sc.alloc(b * h * tq * tk) // dS in full only when the bias needs it
		}
		// Heads are independent: each worker owns whole heads, so the
		// key and value gradients of a head are summed in block order.
		kernels.ParallelFor(b*h, 1, func(lo0, hi0 int) {
			p := sc.alloc(bq * tk)
			dp := sc.alloc(bq * tk)
			defer sc.release(p)
			defer sc.release(dp)
			for bh := lo0; bh < hi0; bh++ {
				bi, hi := bh/h, bh%h
				qo, ko, vo, oo := bi*lq.bStride+hi*lq.hStride, bi*lk.bStride+hi*lk.hStride, bi*lv.bStride+hi*lv.hStride, bi*lo.bStride+hi*lo.hStride
				for i0 := 0; i0 < tq; i0 += bq {
					rows := min(bq, tq-i0)
					scoresBlock(p, bi, hi, i0, rows)
					for r := 0; r < rows; r++ {
						l := lse[bh*tq+i0+r]
						row := p[r*tk : (r+1)*tk]
						for j, x := range row {
							if math.IsInf(float64(l), -1) {
								row[j] = 0
							} else {
								row[j] = float32(math.Exp(float64(x - l)))
							}
						}
					}
					if gv != nil {
						kernels.Gemm(true, false, tk, dv, rows, 1, p, tk, g[oo+i0*lo.row:], lo.row, 1, gv[vo:], lv.row)
					}
					// dP = dO·Vᵀ; dS = P ⊙ (dP − D).
					kernels.Gemm(false, true, rows, tk, dv, 1, g[oo+i0*lo.row:], lo.row, v.data[vo:], lv.row, 0, dp, tk)
					for r := 0; r < rows; r++ {
						dr := dsum[bh*tq+i0+r]
						pr, dpr := p[r*tk:(r+1)*tk], dp[r*tk:(r+1)*tk]
						for j := range dpr {
							dpr[j] = pr[j] * (dpr[j] - dr)
						}
					}
					if gb != nil {
						copy(gb[(bh*tq+i0)*tk:], dp[:rows*tk])
					}
					if gq != nil {
						kernels.Gemm(false, false, rows, d, tk, scale, dp, tk, k.data[ko:], lk.row, 0, gq[qo+i0*lq.row:], lq.row)
					}
					if gk != nil {
						kernels.Gemm(true, false, tk, d, rows, scale, dp, tk, q.data[qo+i0*lq.row:], lq.row, 1, gk[ko:], lk.row)
					}
				}
			}
		})
		if gq != nil {
			addGrad(q, gq, true)
		}
		if gk != nil {
			addGrad(k, gk, true)
		}
		if gv != nil {
			addGrad(v, gv, true)
		}
		if gb != nil {
			addGrad(bias, reduceTo(sc, gb, sShape, bias.shape), true)
			sc.release(gb)
		}
	}
	return out
}
