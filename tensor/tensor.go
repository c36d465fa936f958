package tensor

import (
	"fmt"
	"strings"
)

// Tensor is a float32 array with an explicit shape, optionally tracking a
// gradient.
type Tensor struct {
	shape []int
	data  []float32

	requiresGrad bool
	retainGrad   bool
	grad         *Tensor
	node         *node // the operation that produced this tensor; nil for leaves
	scope        *Scope
	name         string
}

// numel returns the number of elements of a shape, panicking on negative
// dimensions.
func numel(shape []int) int {
	n := 1
	for _, d := range shape {
		if d < 0 {
			panic(fmt.Sprintf("tensor: negative dimension in shape %v", shape))
		}
		n *= d
	}
	return n
}

// newTensor allocates a zero tensor of the given shape outside any scope
// (the shape slice is copied).
func newTensor(shape []int) *Tensor {
	s := append([]int(nil), shape...)
	return &Tensor{shape: s, data: make([]float32, numel(s))}
}

// wrap makes a tensor over existing data without copying.
func wrap(data []float32, shape []int) *Tensor {
	s := append([]int(nil), shape...)
	if numel(s) != len(data) {
		panic(fmt.Sprintf("tensor: %d values do not fill shape %v (%d elements)", len(data), s, numel(s)))
	}
	return &Tensor{shape: s, data: data}
}

// Shape returns the tensor's shape. The slice must not be modified.
func (t *Tensor) Shape() []int { return t.shape }

// Rank returns the number of dimensions.
func (t *Tensor) Rank() int { return len(t.shape) }

// Dim returns the size of axis i; negative i counts from the end.
func (t *Tensor) Dim(i int) int { return t.shape[t.axis("Dim", i)] }

// Len returns the number of elements.
func (t *Tensor) Len() int { return len(t.data) }

// Data returns the tensor's values in row-major order. The slice is the
// tensor's storage: writing to it changes the tensor (and bypasses
// autograd).
func (t *Tensor) Data() []float32 { return t.data }

// Item returns the value of a one-element tensor.
func (t *Tensor) Item() float32 {
	if len(t.data) != 1 {
		panic(fmt.Sprintf("tensor.Item: tensor of shape %v has %d elements, want 1", t.shape, len(t.data)))
	}
	return t.data[0]
}

// At returns the element at the given index (one coordinate per axis).
func (t *Tensor) At(idx ...int) float32 { return t.data[t.offset("At", idx)] }

// Set stores v at the given index. It bypasses autograd.
func (t *Tensor) Set(v float32, idx ...int) { t.data[t.offset("Set", idx)] = v }

func (t *Tensor) offset(op string, idx []int) int {
	if len(idx) != len(t.shape) {
		panic(fmt.Sprintf("tensor.%s: %d indices for shape %v", op, len(idx), t.shape))
	}
	off := 0
	for i, x := range idx {
		if x < 0 || x >= t.shape[i] {
			panic(fmt.Sprintf("tensor.%s: index %v out of range for shape %v", op, idx, t.shape))
		}
		off = off*t.shape[i] + x
	}
	return off
}

// axis normalises a possibly negative axis, panicking when out of range.
func (t *Tensor) axis(op string, a int) int {
	r := len(t.shape)
	if a < 0 {
		a += r
	}
	if a < 0 || a >= r {
		panic(fmt.Sprintf("tensor.%s: axis %d out of range for shape %v", op, a, t.shape))
	}
	return a
}

// Name returns the tensor's name (parameters carry their state-dict key).
func (t *Tensor) Name() string { return t.name }

// SetName sets the tensor's name and returns t.
func (t *Tensor) SetName(name string) *Tensor { t.name = name; return t }

// String describes the tensor briefly: shape and the first values.
func (t *Tensor) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Tensor%v", t.shape)
	if t.name != "" {
		fmt.Fprintf(&b, "(%s)", t.name)
	}
	b.WriteString("[")
	for i, v := range t.data {
		if i == 8 {
			b.WriteString(" …")
			break
		}
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%g", v)
	}
	b.WriteString("]")
	return b.String()
}

// SameShape reports whether two shapes are equal.
func SameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Clone returns a copy of t's values and shape, detached from the graph
// and outside any scope.
func (t *Tensor) Clone() *Tensor {
	c := newTensor(t.shape)
	copy(c.data, t.data)
	return c
}

// Detach returns a tensor that shares t's data but is not part of the
// graph, does not require a gradient and belongs to no scope: a constant
// that any scope may use.
func (t *Tensor) Detach() *Tensor { return wrap(t.data, t.shape) }

// CopyFrom copies src's values into t (shapes must match). It bypasses
// autograd; use it to load weights.
func (t *Tensor) CopyFrom(src *Tensor) {
	if !SameShape(t.shape, src.shape) {
		panic(fmt.Sprintf("tensor.CopyFrom: shapes %v and %v differ", t.shape, src.shape))
	}
	copy(t.data, src.data)
}
