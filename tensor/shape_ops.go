package tensor

import (
	"fmt"

	"github.com/vlmtune/vlmtune/internal/kernels"
)

// Reshape returns a view of t with a new shape holding the same number of
// elements; one dimension may be -1 and is inferred. The result shares t's
// data.
func Reshape(t *Tensor, shape ...int) *Tensor {
	sc := scopeOf(t)
	s := inferShape("Reshape", t, shape)
	out := sc.wrap(t.data, s)
	if n := sc.record(out, "Reshape", t); n != nil {
		n.backward = func(g []float32) { addGrad(t, g, false) }
	}
	return out
}

// View is Reshape (tensors are always contiguous).
func View(t *Tensor, shape ...int) *Tensor { return Reshape(t, shape...) }

func inferShape(op string, t *Tensor, shape []int) []int {
	s := append([]int(nil), shape...)
	infer, known := -1, 1
	for i, d := range s {
		switch {
		case d == -1 && infer < 0:
			infer = i
		case d < 0:
			panic(fmt.Sprintf("tensor.%s: invalid shape %v for tensor %v", op, shape, t.shape))
		default:
			known *= d
		}
	}
	if infer >= 0 {
		if known == 0 || len(t.data)%known != 0 {
			panic(fmt.Sprintf("tensor.%s: cannot reshape %v (%d elements) to %v", op, t.shape, len(t.data), shape))
		}
		s[infer] = len(t.data) / known
	}
	if numel(s) != len(t.data) {
		panic(fmt.Sprintf("tensor.%s: cannot reshape %v (%d elements) to %v", op, t.shape, len(t.data), shape))
	}
	return s
}

// Flatten reshapes t to two dimensions [prod(shape[:axis]), prod(shape[axis:])].
func Flatten(t *Tensor, axis int) *Tensor {
	if axis < 0 || axis > len(t.shape) {
		panic(fmt.Sprintf("tensor.Flatten: axis %d out of range for shape %v", axis, t.shape))
	}
	return Reshape(t, numel(t.shape[:axis]), numel(t.shape[axis:]))
}

// Unsqueeze inserts a dimension of size 1 at axis (0 ≤ axis ≤ rank,
// negative counts from the end of the new shape).
func Unsqueeze(t *Tensor, axis int) *Tensor {
	r := len(t.shape) + 1
	if axis < 0 {
		axis += r
	}
	if axis < 0 || axis >= r {
		panic(fmt.Sprintf("tensor.Unsqueeze: axis %d out of range for shape %v", axis, t.shape))
	}
	s := append(append(append([]int(nil), t.shape[:axis]...), 1), t.shape[axis:]...)
	return Reshape(t, s...)
}

// Squeeze removes a dimension of size 1 at axis.
func Squeeze(t *Tensor, axis int) *Tensor {
	axis = t.axis("Squeeze", axis)
	if t.shape[axis] != 1 {
		panic(fmt.Sprintf("tensor.Squeeze: axis %d of shape %v has size %d, not 1", axis, t.shape, t.shape[axis]))
	}
	s := append(append([]int(nil), t.shape[:axis]...), t.shape[axis+1:]...)
	return Reshape(t, s...)
}

// Transpose swaps two axes; the result is a new contiguous tensor.
func Transpose(t *Tensor, a, b int) *Tensor {
	a, b = t.axis("Transpose", a), t.axis("Transpose", b)
	perm := make([]int, len(t.shape))
	for i := range perm {
		perm[i] = i
	}
	perm[a], perm[b] = perm[b], perm[a]
	return Permute(t, perm...)
}

// Permute reorders the axes: result axis i is t's axis perm[i]. The result
// is a new contiguous tensor.
func Permute(t *Tensor, perm ...int) *Tensor {
	sc := scopeOf(t)
	r := len(t.shape)
	if len(perm) != r {
		panic(fmt.Sprintf("tensor.Permute: permutation %v for shape %v", perm, t.shape))
	}
	seen := make([]bool, r)
	shape := make([]int, r)
	for i, p := range perm {
		if p < 0 || p >= r || seen[p] {
			panic(fmt.Sprintf("tensor.Permute: %v is not a permutation of the axes of shape %v", perm, t.shape))
		}
		seen[p] = true
		shape[i] = t.shape[p]
	}
	out := sc.newTensor(shape)
	permuteData(out.data, t.data, t.shape, perm)
	if n := sc.record(out, "Permute", t); n != nil {
		inv := make([]int, r)
		for i, p := range perm {
			inv[p] = i
		}
		n.backward = func(g []float32) {
			if !t.requiresGrad {
				return
			}
			gi := sc.alloc(len(g))
			permuteData(gi, g, shape, inv)
			addGrad(t, gi, true)
		}
	}
	return out
}

// permuteData writes src (shape) permuted by perm into dst.
func permuteData(dst, src []float32, shape, perm []int) {
	r := len(shape)
	if r == 0 {
		copy(dst, src)
		return
	}
	// Source strides.
	st := make([]int, r)
	acc := 1
	for i := r - 1; i >= 0; i-- {
		st[i] = acc
		acc *= shape[i]
	}
	oshape := make([]int, r)
	ost := make([]int, r) // source stride for each output axis
	for i, p := range perm {
		oshape[i] = shape[p]
		ost[i] = st[p]
	}
	last := oshape[r-1]
	lastStride := ost[r-1]
	rows := len(dst) / max(last, 1)
	if last == 0 || rows == 0 {
		return
	}
	kernels.ParallelFor(rows, 1+(1<<14)/last, func(lo, hi int) {
		idx := make([]int, r-1)
		// Decompose lo into the outer index.
		rem := lo
		for i := r - 2; i >= 0; i-- {
			idx[i] = rem % oshape[i]
			rem /= oshape[i]
		}
		for row := lo; row < hi; row++ {
			off := 0
			for i := 0; i < r-1; i++ {
				off += idx[i] * ost[i]
			}
			d := dst[row*last : (row+1)*last]
			if lastStride == 1 {
				copy(d, src[off:off+last])
			} else {
				for j := range d {
					d[j] = src[off+j*lastStride]
				}
			}
			for i := r - 2; i >= 0; i-- {
				idx[i]++
				if idx[i] < oshape[i] {
					break
				}
				idx[i] = 0
			}
		}
	})
}
