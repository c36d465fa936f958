package tensor

import (
	"fmt"

	"github.com/vlmtune/vlmtune/internal/kernels"
)

// broadcastShape returns the NumPy-style broadcast of two shapes.
func broadcastShape(op string, a, b []int) []int {
	r := max(len(a), len(b))
	out := make([]int, r)
	for i := 0; i < r; i++ {
		da, db := 1, 1
		if j := len(a) - r + i; j >= 0 {
			da = a[j]
		}
		if j := len(b) - r + i; j >= 0 {
			db = b[j]
		}
		switch {
		case da == db:
			out[i] = da
		case da == 1:
			out[i] = db
		case db == 1:
			out[i] = da
		default:
			panic(fmt.Sprintf("tensor.%s: shapes %v and %v cannot be broadcast together", op, a, b))
		}
	}
	return out
}

// bcastStrides returns, for each axis of out, the element stride of a
// tensor of shape s broadcast to out (0 on broadcast axes).
func bcastStrides(s, out []int) []int {
	r := len(out)
	st := make([]int, r)
	acc := 1
	for i := r - 1; i >= 0; i-- {
		j := len(s) - r + i
		if j < 0 || s[j] == 1 {
			st[i] = 0
		} else {
			st[i] = acc
		}
		if j >= 0 {
			acc *= s[j]
		}
	}
	return st
}

// rowIter describes a broadcast loop as rows over the last axis of out:
// for each row, the offset into a and b and their strides along the row.
type rowIter struct {
	out        []int
	sa, sb     []int // per-axis strides
	rowLen     int
	rows       int
	lastA      int // stride along the last axis
	lastB      int
	contiguous bool // a and b have out's shape exactly
}

func newRowIter(a, b, out []int) rowIter {
	it := rowIter{out: out, sa: bcastStrides(a, out), sb: bcastStrides(b, out)}
	if len(out) == 0 {
		it.rowLen, it.rows = 1, 1
		return it
	}
	it.rowLen = out[len(out)-1]
	if it.rowLen > 0 {
		it.rows = numel(out) / it.rowLen
	}
	it.lastA, it.lastB = it.sa[len(out)-1], it.sb[len(out)-1]
	it.contiguous = SameShape(a, out) && SameShape(b, out)
	return it
}

// offsets returns the offsets into a and b of row r.
func (it *rowIter) offsets(r int) (int, int) {
	oa, ob := 0, 0
	for i := len(it.out) - 2; i >= 0; i-- {
		d := it.out[i]
		x := r % d
		r /= d
		oa += x * it.sa[i]
		ob += x * it.sb[i]
	}
	return oa, ob
}

// binaryBroadcast computes dst = a op b with broadcasting.
func binaryBroadcast(op kernels.BinaryOp, dst, a, b []float32, it rowIter) {
	if it.rows == 0 || it.rowLen == 0 {
		return
	}
	if it.contiguous {
		kernels.ParallelBinary(op, dst, a, 1, b, 1, len(dst))
		return
	}
	if len(b) == 1 && len(a) == len(dst) {
		kernels.ParallelBinary(op, dst, a, 1, b, 0, len(dst))
		return
	}
	n := it.rowLen
	kernels.ParallelFor(it.rows, 1+(1<<15)/n, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			oa, ob := it.offsets(r)
			if it.lastA == 0 && it.lastB != 0 {
				// Scalar on the left: swap operands for the kernel's
				// (vector, scalar) fast path where the op commutes.
				switch op {
				case kernels.OpAdd, kernels.OpMul:
					kernels.Binary(op, dst[r*n:(r+1)*n], b[ob:], 1, a[oa:], 0, n)
					continue
				}
			}
			kernels.Binary(op, dst[r*n:(r+1)*n], a[oa:], it.lastA, b[ob:], it.lastB, n)
		}
	})
}

// reduceTo sums g (shape out) over the broadcast axes so that it has shape
// s, returning a new slice from sc. The summation order is fixed by the
// shapes.
func reduceTo(sc *Scope, g []float32, out, s []int) []float32 {
	if SameShape(out, s) {
		r := sc.alloc(len(g))
		copy(r, g)
		return r
	}
	res := sc.alloc(numel(s))
	// Pad s to out's rank and reduce axis by axis, outermost first, each a
	// [outer, r, inner] middle-axis sum.
	r := len(out)
	ps := make([]int, r)
	for i := 0; i < r; i++ {
		if j := len(s) - r + i; j >= 0 {
			ps[i] = s[j]
		} else {
			ps[i] = 1
		}
	}
	cur := g
	curShape := append([]int(nil), out...)
	for i := 0; i < r; i++ {
		if ps[i] == curShape[i] {
			continue
		}
		outer, n, inner := numel(curShape[:i]), curShape[i], numel(curShape[i+1:])
		next := make([]float32, outer*inner)
		kernels.SumAxis(next, cur, outer, n, inner, false)
		cur = next
		curShape[i] = 1
	}
	copy(res, cur)
	return res
}
