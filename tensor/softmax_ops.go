package tensor

import (
	"github.com/vlmtune/vlmtune/internal/kernels"
)

// lastAxis returns rows × cols for an op over the last axis.
func lastAxis(op string, t *Tensor) (rows, cols int) {
	if len(t.shape) == 0 {
		return 1, 1
	}
	cols = t.shape[len(t.shape)-1]
	if cols == 0 {
		return 0, 0
	}
	return len(t.data) / cols, cols
}

// Softmax returns softmax over the last axis. Rows that are entirely −Inf
// give zeros.
func Softmax(t *Tensor) *Tensor {
	sc := scopeOf(t)
	rows, cols := lastAxis("Softmax", t)
	out := sc.newTensor(t.shape)
	kernels.SoftmaxRows(out.data, t.data, rows, cols)
	if n := sc.record(out, "Softmax", t); n != nil {
		n.backward = func(g []float32) {
			gi := sc.alloc(len(g))
			kernels.SoftmaxRowsBackward(gi, out.data, g, rows, cols)
			addGrad(t, gi, true)
		}
	}
	return out
}

// LogSoftmax returns log-softmax over the last axis.
func LogSoftmax(t *Tensor) *Tensor {
	sc := scopeOf(t)
	rows, cols := lastAxis("LogSoftmax", t)
	out := sc.newTensor(t.shape)
	kernels.LogSoftmaxRows(out.data, t.data, rows, cols)
	if n := sc.record(out, "LogSoftmax", t); n != nil {
		n.backward = func(g []float32) {
			gi := sc.alloc(len(g))
			kernels.LogSoftmaxRowsBackward(gi, out.data, g, rows, cols)
			addGrad(t, gi, true)
		}
	}
	return out
}
