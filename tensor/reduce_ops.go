package tensor

import (
	"fmt"
	"math"
	"slices"

	"github.com/vlmtune/vlmtune/internal/kernels"
)

// SumAll returns the sum of all elements as a scalar tensor (accumulated
// in float64).
func SumAll(t *Tensor) *Tensor {
	sc := scopeOf(t)
	out := Scalar(float32(kernels.Sum(t.data)))
	if n := sc.record(out, "SumAll", t); n != nil {
		n.backward = func(g []float32) {
			gi := sc.alloc(len(t.data))
			kernels.Fill(gi, g[0])
			addGrad(t, gi, true)
		}
	}
	return out
}

// MeanAll returns the mean of all elements as a scalar tensor.
func MeanAll(t *Tensor) *Tensor {
	return MulScalar(SumAll(t), 1/float32(max(len(t.data), 1)))
}

// Sum reduces over the given axes (all axes when none are given, returning
// a scalar). With keepDim the reduced axes stay with size 1.
func Sum(t *Tensor, keepDim bool, axes ...int) *Tensor {
	if len(axes) == 0 {
		s := SumAll(t)
		if keepDim {
			ones := make([]int, len(t.shape))
			for i := range ones {
				ones[i] = 1
			}
			return Reshape(s, ones...)
		}
		return s
	}
	ax := normAxes("Sum", t, axes)
	out := t
	for i := len(ax) - 1; i >= 0; i-- {
		out = sumAxis(out, ax[i])
	}
	if !keepDim {
		out = Reshape(out, dropAxes(t.shape, ax)...)
	}
	return out
}

// Mean averages over the given axes (all when none are given).
func Mean(t *Tensor, keepDim bool, axes ...int) *Tensor {
	count := len(t.data)
	if len(axes) > 0 {
		count = 1
		for _, a := range normAxes("Mean", t, axes) {
			count *= t.shape[a]
		}
	}
	return MulScalar(Sum(t, keepDim, axes...), 1/float32(max(count, 1)))
}

func normAxes(op string, t *Tensor, axes []int) []int {
	ax := make([]int, len(axes))
	for i, a := range axes {
		ax[i] = t.axis(op, a)
	}
	slices.Sort(ax)
	for i := 1; i < len(ax); i++ {
		if ax[i] == ax[i-1] {
			panic(fmt.Sprintf("tensor.%s: axis %d repeated in %v", op, ax[i], axes))
		}
	}
	return ax
}

func dropAxes(shape, ax []int) []int {
	var s []int
	for i, d := range shape {
		if !slices.Contains(ax, i) {
			s = append(s, d)
		}
	}
	return s
}

// sumAxis sums over one axis keeping it with size 1.
func sumAxis(t *Tensor, axis int) *Tensor {
	sc := scopeOf(t)
	shape := append([]int(nil), t.shape...)
	outer, r, inner := numel(t.shape[:axis]), t.shape[axis], numel(t.shape[axis+1:])
	shape[axis] = 1
	out := sc.newTensor(shape)
	kernels.SumAxis(out.data, t.data, outer, r, inner, false)
	if n := sc.record(out, "Sum", t); n != nil {
		n.backward = func(g []float32) {
			gi := sc.alloc(len(t.data))
			for o := 0; o < outer; o++ {
				src := g[o*inner : (o+1)*inner]
				for j := 0; j < r; j++ {
					copy(gi[(o*r+j)*inner:(o*r+j+1)*inner], src)
				}
			}
			addGrad(t, gi, true)
		}
	}
	return out
}

// Max returns the maximum over one axis (and the index of the first
// maximum per output element). The gradient flows to that first maximum.
func Max(t *Tensor, axis int, keepDim bool) (*Tensor, []int) {
	sc := scopeOf(t)
	axis = t.axis("Max", axis)
	outer, r, inner := numel(t.shape[:axis]), t.shape[axis], numel(t.shape[axis+1:])
	if r == 0 {
		panic(fmt.Sprintf("tensor.Max: axis %d of shape %v is empty", axis, t.shape))
	}
	shape := append([]int(nil), t.shape...)
	shape[axis] = 1
	out := sc.newTensor(shape)
	arg := make([]int, outer*inner)
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; i++ {
			best, bi := float32(math.Inf(-1)), 0
			for j := 0; j < r; j++ {
				v := t.data[(o*r+j)*inner+i]
				if v > best || (j == 0) || (v != v && best == best) {
					best, bi = v, j
				}
			}
			out.data[o*inner+i] = best
			arg[o*inner+i] = bi
		}
	}
	if n := sc.record(out, "Max", t); n != nil {
		n.backward = func(g []float32) {
			if !t.requiresGrad {
				return
			}
			buf, _ := gradBuf(t)
			for o := 0; o < outer; o++ {
				for i := 0; i < inner; i++ {
					buf[(o*r+arg[o*inner+i])*inner+i] += g[o*inner+i]
				}
			}
		}
	}
	if !keepDim {
		out = Reshape(out, dropAxes(t.shape, []int{axis})...)
	}
	return out, arg
}
