package tensor

import (
	"fmt"

	"github.com/vlmtune/vlmtune/internal/kernels"
)

// MatMul returns op(a)·op(b) over the last two axes, where op transposes
// when the flag is set: a is [..., M, K] ([..., K, M] with transA) and b is
// [..., K, N] ([..., N, K] with transB). Leading (batch) axes broadcast; a
// rank-2 b is shared by every batch item (the Linear case).
func MatMul(a, b *Tensor, transA, transB bool) *Tensor {
	sc := scopeOf(a, b)
	if a.Rank() < 2 || b.Rank() < 2 {
		panic(fmt.Sprintf("tensor.MatMul: shapes %v and %v need at least 2 axes", a.shape, b.shape))
	}
	ar, br := a.Rank(), b.Rank()
	m, ka := a.shape[ar-2], a.shape[ar-1]
	if transA {
		m, ka = ka, m
	}
	kb, n := b.shape[br-2], b.shape[br-1]
	if transB {
		kb, n = n, kb
	}
	if ka != kb {
		panic(fmt.Sprintf("tensor.MatMul: shapes %v (transA=%v) and %v (transB=%v) have inner sizes %d and %d", a.shape, transA, b.shape, transB, ka, kb))
	}
	k := ka
	batch := broadcastShape("MatMul", a.shape[:ar-2], b.shape[:br-2])
	shape := append(append([]int(nil), batch...), m, n)
	out := sc.newTensor(shape)
	plan := newMatmulPlan(a.shape[:ar-2], b.shape[:br-2], batch)
	lda := a.shape[ar-1]
	ldb := b.shape[br-1]
	sa, sb := m*k, k*n

	// A rank-2 b with a non-transposed a: fold the batch into M.
	if plan.bShared && !transA {
		kernels.Gemm(false, transB, plan.count*m, n, k, 1, a.data, lda, b.data, ldb, 0, out.data, n)
	} else {
		plan.run(func(oa, ob, oc, cnt int) {
			kernels.GemmBatched(transA, transB, cnt, m, n, k, 1, a.data[oa*sa:], lda, plan.strideA*sa, b.data[ob*sb:], ldb, plan.strideB*sb, 0, out.data[oc*m*n:], n, m*n)
		})
	}
	node := sc.record(out, "MatMul", a, b)
	if node == nil {
		return out
	}
	node.backward = func(g []float32) {
		if a.requiresGrad {
			ga := sc.alloc(len(a.data))
			// d op(A) = G·op(B)ᵀ.
			if plan.bShared && !transA {
				kernels.Gemm(false, !transB, plan.count*m, k, n, 1, g, n, b.data, ldb, 0, ga, k)
			} else if !plan.aBroadcast {
				plan.run(func(oa, ob, oc, cnt int) {
					if !transA {
						kernels.GemmBatched(false, !transB, cnt, m, k, n, 1, g[oc*m*n:], n, m*n, b.data[ob*sb:], ldb, plan.strideB*sb, 0, ga[oa*sa:], k, sa)
					} else {
						// A stored K×M: dA = op(B)·Gᵀ.
						kernels.GemmBatched(transB, true, cnt, k, m, n, 1, b.data[ob*sb:], ldb, plan.strideB*sb, g[oc*m*n:], n, m*n, 0, ga[oa*sa:], m, sa)
					}
				})
			} else {
				matmulGradBroadcast(ga, g, b.data, plan, true, transA, transB, m, n, k)
			}
			addGrad(a, ga, true)
		}
		if b.requiresGrad {
			gb := sc.alloc(len(b.data))
			if plan.bShared && !transA {
				// All batch items share B: one GEMM over the folded rows.
				if !transB {
					kernels.Gemm(true, false, k, n, plan.count*m, 1, a.data, lda, g, n, 0, gb, n)
				} else {
					kernels.Gemm(true, false, n, k, plan.count*m, 1, g, n, a.data, lda, 0, gb, k)
				}
			} else if !plan.bBroadcast {
				plan.run(func(oa, ob, oc, cnt int) {
					if !transB {
						// dB = op(A)ᵀ·G.
						kernels.GemmBatched(!transA, false, cnt, k, n, m, 1, a.data[oa*sa:], lda, plan.strideA*sa, g[oc*m*n:], n, m*n, 0, gb[ob*sb:], n, sb)
					} else {
						// B stored N×K: dB = Gᵀ·op(A).
						kernels.GemmBatched(true, transA, cnt, n, k, m, 1, g[oc*m*n:], n, m*n, a.data[oa*sa:], lda, plan.strideA*sa, 0, gb[ob*sb:], k, sb)
					}
				})
			} else {
				matmulGradBroadcast(gb, g, a.data, plan, false, transA, transB, m, n, k)
			}
			addGrad(b, gb, true)
		}
	}
	return out
}

// matmulPlan maps output batch items to input batch items.
type matmulPlan struct {
	count            int // output batch items
	aIdx, bIdx       []int
	strideA, strideB int  // 0 or 1 when the mapping is uniform
	uniform          bool // aIdx[i] = i*strideA and bIdx[i] = i*strideB
	bShared          bool // b has no batch axes of its own (or all 1)
	aBroadcast       bool // some a item feeds several outputs
	bBroadcast       bool
}

func newMatmulPlan(as, bs, out []int) matmulPlan {
	p := matmulPlan{count: numel(out)}
	p.aIdx, p.bIdx = batchIndex(as, out), batchIndex(bs, out)
	p.bShared = numel(bs) == 1
	p.aBroadcast = numel(as) != p.count
	p.bBroadcast = numel(bs) != p.count
	p.strideA, p.strideB = 1, 1
	if numel(as) == 1 {
		p.strideA = 0
	}
	if numel(bs) == 1 {
		p.strideB = 0
	}
	p.uniform = true
	for i := 0; i < p.count; i++ {
		if p.aIdx[i] != i*p.strideA || p.bIdx[i] != i*p.strideB {
			p.uniform = false
			break
		}
	}
	return p
}

// batchIndex returns, for each output batch item, the index of the input
// item (shape s broadcast to out).
func batchIndex(s, out []int) []int {
	n := numel(out)
	idx := make([]int, n)
	st := bcastStrides(s, out)
	for i := 0; i < n; i++ {
		r, off := i, 0
		for ax := len(out) - 1; ax >= 0; ax-- {
			off += (r % out[ax]) * st[ax]
			r /= out[ax]
		}
		idx[i] = off
	}
	return idx
}

// run calls f for runs of output items with a uniform mapping: f(first a
// item, first b item, first output item, count).
func (p *matmulPlan) run(f func(oa, ob, oc, cnt int)) {
	if p.uniform {
		f(0, 0, 0, p.count)
		return
	}
	for i := 0; i < p.count; i++ {
		f(p.aIdx[i], p.bIdx[i], i, 1)
	}
}

// matmulGradBroadcast accumulates the gradient of a broadcast operand item
// by item, in output order (deterministic).
func matmulGradBroadcast(dst, g, other []float32, p matmulPlan, forA, transA, transB bool, m, n, k int) {
	sa, sb := m*k, k*n
	for i := 0; i < p.count; i++ {
		gi := g[i*m*n:]
		if forA {
			d := dst[p.aIdx[i]*sa:]
			ob := other[p.bIdx[i]*sb:]
			ldb := n
			if transB {
				ldb = k
			}
			if !transA {
				kernels.Gemm(false, !transB, m, k, n, 1, gi, n, ob, ldb, 1, d, k)
			} else {
				kernels.Gemm(transB, true, k, m, n, 1, ob, ldb, gi, n, 1, d, m)
			}
		} else {
			d := dst[p.bIdx[i]*sb:]
			oa := other[p.aIdx[i]*sa:]
			lda := k
			if transA {
				lda = m
			}
			if !transB {
				kernels.Gemm(!transA, false, k, n, m, 1, oa, lda, gi, n, 1, d, n)
			} else {
				kernels.Gemm(true, transA, n, k, m, 1, gi, n, oa, lda, 1, d, k)
			}
		}
	}
}

// Linear returns x·Wᵀ + bias for x [..., in], weight [out, in] and bias
// [out] (or nil), as torch.nn.functional.linear.
func Linear(x, weight, bias *Tensor) *Tensor {
	sc := scopeOf(x, weight, bias)
	if weight.Rank() != 2 || x.Rank() < 1 || x.shape[x.Rank()-1] != weight.shape[1] {
		panic(fmt.Sprintf("tensor.Linear: input %v and weight %v (want [out, in] with in = last axis of input)", x.shape, weight.shape))
	}
	if bias != nil && (bias.Rank() != 1 || bias.shape[0] != weight.shape[0]) {
		panic(fmt.Sprintf("tensor.Linear: bias %v for weight %v", bias.shape, weight.shape))
	}
	in, outF := weight.shape[1], weight.shape[0]
	rows := len(x.data) / max(in, 1)
	if in == 0 {
		rows = numel(x.shape[:x.Rank()-1])
	}
	shape := append(append([]int(nil), x.shape[:x.Rank()-1]...), outF)
	// Every element is written: by the bias broadcast, or by the product
	// with beta 0, which never reads C.
	out := &Tensor{shape: shape, data: sc.allocUninit(rows * outF)}
	beta := float32(0)
	if bias != nil {
		kernels.BroadcastRows(out.data, bias.data, rows)
		beta = 1
	}
	kernels.Gemm(false, true, rows, outF, in, 1, x.data, in, weight.data, in, beta, out.data, outF)
	node := sc.record(out, "Linear", x, weight, bias)
	if node == nil {
		return out
	}
	node.backward = func(g []float32) {
		if x.requiresGrad {
			gx := sc.allocUninit(len(x.data)) // beta 0: every element written
			kernels.Gemm(false, false, rows, in, outF, 1, g, outF, weight.data, in, 0, gx, in)
			addGrad(x, gx, true)
		}
		if weight.requiresGrad {
			gw, fresh := gradBuf(weight)
			beta := float32(1)
			if fresh {
				beta = 0
			}
			kernels.Gemm(true, false, outF, in, rows, 1, g, outF, x.data, in, beta, gw, in)
		}
		if bias != nil && bias.requiresGrad {
			gb, _ := gradBuf(bias)
			kernels.SumRows(gb, g, rows, outF, true)
		}
	}
	return out
}
