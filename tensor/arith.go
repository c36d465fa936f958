package tensor

import (
	"github.com/vlmtune/vlmtune/internal/kernels"
)

// Add returns a + b with broadcasting.
func Add(a, b *Tensor) *Tensor { return binaryOp(kernels.OpAdd, "Add", a, b) }

// Sub returns a − b with broadcasting.
func Sub(a, b *Tensor) *Tensor { return binaryOp(kernels.OpSub, "Sub", a, b) }

// Mul returns a ⊙ b (element-wise) with broadcasting.
func Mul(a, b *Tensor) *Tensor { return binaryOp(kernels.OpMul, "Mul", a, b) }

// Div returns a / b (element-wise) with broadcasting.
func Div(a, b *Tensor) *Tensor { return binaryOp(kernels.OpDiv, "Div", a, b) }

func binaryOp(op kernels.BinaryOp, name string, a, b *Tensor) *Tensor {
	sc := scopeOf(a, b)
	shape := broadcastShape(name, a.shape, b.shape)
	it := newRowIter(a.shape, b.shape, shape)
	out := sc.newTensor(shape)
	binaryBroadcast(op, out.data, a.data, b.data, it)
	n := sc.record(out, name, a, b)
	if n == nil {
		return out
	}
	n.backward = func(g []float32) {
		switch op {
		case kernels.OpAdd, kernels.OpSub:
			if a.requiresGrad {
				if SameShape(shape, a.shape) {
					addGrad(a, g, false) // copies only for a first gradient
				} else {
					addGrad(a, reduceTo(sc, g, shape, a.shape), true)
				}
			}
			if b.requiresGrad {
				if op == kernels.OpAdd && SameShape(shape, b.shape) {
					addGrad(b, g, false)
					return
				}
				gb := reduceTo(sc, g, shape, b.shape)
				if op == kernels.OpSub {
					kernels.Scale(gb, -1, gb)
				}
				addGrad(b, gb, true)
			}
		case kernels.OpMul:
			// da = g·b, db = g·a.
			if a.requiresGrad {
				t := sc.alloc(len(g))
				binaryBroadcast(kernels.OpMul, t, g, b.data, newRowIter(shape, b.shape, shape))
				addGrad(a, reduceTo(sc, t, shape, a.shape), true)
			}
			if b.requiresGrad {
				t := sc.alloc(len(g))
				binaryBroadcast(kernels.OpMul, t, g, a.data, newRowIter(shape, a.shape, shape))
				addGrad(b, reduceTo(sc, t, shape, b.shape), true)
			}
		case kernels.OpDiv:
			// da = g/b, db = −g·a/b² = −(g/b)·out.
			t := sc.alloc(len(g))
			binaryBroadcast(kernels.OpDiv, t, g, b.data, newRowIter(shape, b.shape, shape))
			if b.requiresGrad {
				u := sc.alloc(len(g))
				kernels.ParallelBinary(kernels.OpMul, u, t, 1, out.data, 1, len(g))
				gb := reduceTo(sc, u, shape, b.shape)
				kernels.Scale(gb, -1, gb)
				addGrad(b, gb, true)
			}
			if a.requiresGrad {
				addGrad(a, reduceTo(sc, t, shape, a.shape), true)
			}
		}
	}
	return out
}

// AddScalar returns t + s.
func AddScalar(t *Tensor, s float32) *Tensor {
	sc := scopeOf(t)
	out := sc.newTensor(t.shape)
	kernels.ParallelBinary(kernels.OpAdd, out.data, t.data, 1, []float32{s}, 0, len(t.data))
	if n := sc.record(out, "AddScalar", t); n != nil {
		n.backward = func(g []float32) { addGrad(t, g, false) }
	}
	return out
}

// MulScalar returns t · s.
func MulScalar(t *Tensor, s float32) *Tensor {
	sc := scopeOf(t)
	out := sc.newTensor(t.shape)
	kernels.ParallelBinary(kernels.OpMul, out.data, t.data, 1, []float32{s}, 0, len(t.data))
	if n := sc.record(out, "MulScalar", t); n != nil {
		n.backward = func(g []float32) {
			if t.requiresGrad {
				gi := sc.alloc(len(g))
				kernels.ParallelBinary(kernels.OpMul, gi, g, 1, []float32{s}, 0, len(g))
				addGrad(t, gi, true)
			}
		}
	}
	return out
}

// Neg returns −t.
func Neg(t *Tensor) *Tensor { return MulScalar(t, -1) }

// RSubScalar returns s − t.
func RSubScalar(s float32, t *Tensor) *Tensor { return AddScalar(Neg(t), s) }
