package tensor

import (
	"fmt"
)

// Slice returns the elements of t with index in [start, end) along axis,
// as a new tensor.
func Slice(t *Tensor, axis, start, end int) *Tensor {
	sc := scopeOf(t)
	axis = t.axis("Slice", axis)
	d := t.shape[axis]
	if start < 0 || end > d || start > end {
		panic(fmt.Sprintf("tensor.Slice: range [%d, %d) out of bounds for axis %d of shape %v", start, end, axis, t.shape))
	}
	shape := append([]int(nil), t.shape...)
	shape[axis] = end - start
	outer, inner := numel(t.shape[:axis]), numel(t.shape[axis+1:])
	out := sc.newTensor(shape)
	w := (end - start) * inner
	for o := 0; o < outer; o++ {
		copy(out.data[o*w:(o+1)*w], t.data[(o*d+start)*inner:])
	}
	if n := sc.record(out, "Slice", t); n != nil {
		n.backward = func(g []float32) {
			if !t.requiresGrad {
				return
			}
			buf, _ := gradBuf(t)
			for o := 0; o < outer; o++ {
				dst := buf[(o*d+start)*inner : (o*d+start)*inner+w]
				src := g[o*w : (o+1)*w]
				for i, v := range src {
					dst[i] += v
				}
			}
		}
	}
	return out
}

// Concat joins tensors along axis; all other dimensions must match.
func Concat(axis int, ts ...*Tensor) *Tensor {
	sc := scopeOf(ts...)
	if len(ts) == 0 {
		panic("tensor.Concat: no tensors")
	}
	axis = ts[0].axis("Concat", axis)
	shape := append([]int(nil), ts[0].shape...)
	shape[axis] = 0
	for _, t := range ts {
		if len(t.shape) != len(shape) {
			panic(fmt.Sprintf("tensor.Concat: shapes %v and %v have different ranks", ts[0].shape, t.shape))
		}
		for i := range shape {
			if i != axis && t.shape[i] != shape[i] {
				panic(fmt.Sprintf("tensor.Concat: shapes %v and %v differ outside axis %d", ts[0].shape, t.shape, axis))
			}
		}
		shape[axis] += t.shape[axis]
	}
	outer, inner := numel(shape[:axis]), numel(shape[axis+1:])
	out := sc.newTensor(shape)
	ow := shape[axis] * inner
	offs := make([]int, len(ts))
	pos := 0
	for k, t := range ts {
		offs[k] = pos
		w := t.shape[axis] * inner
		for o := 0; o < outer; o++ {
			copy(out.data[o*ow+pos:o*ow+pos+w], t.data[o*w:(o+1)*w])
		}
		pos += w
	}
	if n := sc.record(out, "Concat", ts...); n != nil {
		n.backward = func(g []float32) {
			for k, t := range ts {
				if !t.requiresGrad {
					continue
				}
				w := t.shape[axis] * inner
				gi := sc.alloc(len(t.data))
				for o := 0; o < outer; o++ {
					copy(gi[o*w:(o+1)*w], g[o*ow+offs[k]:o*ow+offs[k]+w])
				}
				addGrad(t, gi, true)
			}
		}
	}
	return out
}

// Split cuts t along axis into pieces of the given sizes (which must add up
// to the axis length).
func Split(t *Tensor, axis int, sizes ...int) []*Tensor {
	axis = t.axis("Split", axis)
	total := 0
	for _, s := range sizes {
		total += s
	}
	if total != t.shape[axis] {
		panic(fmt.Sprintf("tensor.Split: sizes %v do not add up to axis %d of shape %v", sizes, axis, t.shape))
	}
	out := make([]*Tensor, len(sizes))
	pos := 0
	for i, s := range sizes {
		out[i] = Slice(t, axis, pos, pos+s)
		pos += s
	}
	return out
}
