package tensor

import (
	"fmt"

	"github.com/vlmtune/vlmtune/internal/kernels"
)

func checkAffine(op string, t, w *Tensor) {
	if w == nil {
		return
	}
	c := t.shape[len(t.shape)-1]
	if w.Rank() != 1 || w.shape[0] != c {
		panic(fmt.Sprintf("tensor.%s: parameter shape %v does not match last axis of input %v", op, w.shape, t.shape))
	}
}

func dataOrNil(t *Tensor) []float32 {
	if t == nil {
		return nil
	}
	return t.data
}

// LayerNorm normalises over the last axis with a learnable scale (weight)
// and shift (bias); either may be nil.
func LayerNorm(t, weight, bias *Tensor, eps float32) *Tensor {
	sc := scopeOf(t, weight, bias)
	if len(t.shape) == 0 {
		panic("tensor.LayerNorm: scalar input")
	}
	checkAffine("LayerNorm", t, weight)
	checkAffine("LayerNorm", t, bias)
	rows, cols := lastAxis("LayerNorm", t)
	out := sc.newTensor(t.shape)
	mean, rstd := sc.alloc(rows), sc.alloc(rows)
	kernels.LayerNorm(out.data, mean, rstd, t.data, dataOrNil(weight), dataOrNil(bias), rows, cols, eps)
	if n := sc.record(out, "LayerNorm", t, weight, bias); n != nil {
		n.backward = func(g []float32) {
			var dx, dw, db []float32
			if t.requiresGrad {
				dx = sc.alloc(len(g))
			}
			if weight != nil && weight.requiresGrad {
				dw, _ = gradBuf(weight)
			}
			if bias != nil && bias.requiresGrad {
				db, _ = gradBuf(bias)
			}
			kernels.LayerNormBackward(dx, dw, db, g, t.data, mean, rstd, dataOrNil(weight), rows, cols)
			if dx != nil {
				addGrad(t, dx, true)
			}
		}
	}
	return out
}

// RMSNorm normalises over the last axis by the root mean square, with a
// learnable scale (may be nil).
func RMSNorm(t, weight *Tensor, eps float32) *Tensor {
	sc := scopeOf(t, weight)
	if len(t.shape) == 0 {
		panic("tensor.RMSNorm: scalar input")
	}
	checkAffine("RMSNorm", t, weight)
	rows, cols := lastAxis("RMSNorm", t)
	out := sc.newTensor(t.shape)
	rstd := sc.alloc(rows)
	kernels.RMSNorm(out.data, rstd, t.data, dataOrNil(weight), rows, cols, eps)
	if n := sc.record(out, "RMSNorm", t, weight); n != nil {
		n.backward = func(g []float32) {
			var dx, dw []float32
			if t.requiresGrad {
				dx = sc.alloc(len(g))
			}
			if weight != nil && weight.requiresGrad {
				dw, _ = gradBuf(weight)
			}
			kernels.RMSNormBackward(dx, dw, g, t.data, rstd, dataOrNil(weight), rows, cols)
			if dx != nil {
				addGrad(t, dx, true)
			}
		}
	}
	return out
}

// Dropout zeroes each element with probability p and scales the rest by
// 1/(1−p), drawing the mask from rng. With p == 0 it returns t unchanged.
func Dropout(t *Tensor, p float32, rng *RNG) *Tensor {
	sc := scopeOf(t)
	if p < 0 || p >= 1 {
		panic(fmt.Sprintf("tensor.Dropout: probability %g outside [0, 1)", p))
	}
	if p == 0 {
		return t
	}
	keep := 1 / (1 - p)
	mask := sc.alloc(len(t.data))
	for i := range mask {
		if rng.Float64() >= float64(p) {
			mask[i] = keep
		}
	}
	out := sc.newTensor(t.shape)
	kernels.ParallelBinary(kernels.OpMul, out.data, t.data, 1, mask, 1, len(mask))
	if n := sc.record(out, "Dropout", t); n != nil {
		n.backward = func(g []float32) {
			gi := sc.alloc(len(g))
			kernels.ParallelBinary(kernels.OpMul, gi, g, 1, mask, 1, len(g))
			addGrad(t, gi, true)
		}
	}
	return out
}
