package tensor

import (
	"fmt"

	"github.com/vlmtune/vlmtune/internal/kernels"
)

// IndexSelect gathers slices of t along axis: result index i on that axis
// is t's index idx[i]. With axis 0 on a [V, C] table it is an embedding
// lookup. Its backward is a scatter-add.
func IndexSelect(t *Tensor, axis int, idx []int) *Tensor {
	return indexSelect(scopeOf(t), t, axis, idx, -1)
}

// indexSelect is IndexSelect in scope sc; positions that select index
// noGrad (≥ 0) pass no gradient back.
func indexSelect(sc *Scope, t *Tensor, axis int, idx []int, noGrad int) *Tensor {
	axis = t.axis("IndexSelect", axis)
	d := t.shape[axis]
	for _, i := range idx {
		if i < 0 || i >= d {
			panic(fmt.Sprintf("tensor.IndexSelect: index %d out of range for axis %d of shape %v", i, axis, t.shape))
		}
	}
	shape := append([]int(nil), t.shape...)
	shape[axis] = len(idx)
	outer, inner := numel(t.shape[:axis]), numel(t.shape[axis+1:])
	out := sc.newTensor(shape)
	gatherRows(out.data, t.data, outer, d, inner, idx)
	if n := sc.record(out, "IndexSelect", t); n != nil {
		idx = append([]int(nil), idx...)
		n.backward = func(g []float32) {
			if !t.requiresGrad {
				return
			}
			buf, _ := gradBuf(t)
			if noGrad < 0 {
				scatterAddRows(buf, g, outer, d, inner, idx)
				return
			}
			keep := make([]int, 0, len(idx))
			k := len(idx)
			for i, j := range idx {
				if j != noGrad {
					keep = append(keep, i)
				}
			}
			// The kept positions' gradients, then their rows.
			sub := make([]float32, outer*len(keep)*inner)
			rows := make([]int, len(keep))
			for o := 0; o < outer; o++ {
				for n, i := range keep {
					copy(sub[(o*len(keep)+n)*inner:(o*len(keep)+n+1)*inner], g[(o*k+i)*inner:(o*k+i+1)*inner])
				}
			}
			for n, i := range keep {
				rows[n] = idx[i]
			}
			scatterAddRows(buf, sub, outer, d, inner, rows)
		}
	}
	return out
}

// gatherRows copies src[o, idx[i], :] to dst[o, i, :].
func gatherRows(dst, src []float32, outer, d, inner int, idx []int) {
	k := len(idx)
	kernels.ParallelFor(outer*k, 1+(1<<14)/(inner+1), func(lo, hi int) {
		for t := lo; t < hi; t++ {
			o, i := t/k, t%k
			copy(dst[t*inner:(t+1)*inner], src[(o*d+idx[i])*inner:(o*d+idx[i]+1)*inner])
		}
	})
}

// scatterAddRows adds src[o, i, :] into dst[o, idx[i], :]. Rows are added in
// increasing i, so repeated indices accumulate deterministically. Work is
// split over o and over column blocks only.
func scatterAddRows(dst, src []float32, outer, d, inner int, idx []int) {
	k := len(idx)
	const blk = 512
	nb := (inner + blk - 1) / blk
	kernels.ParallelFor(outer*nb, 1, func(lo, hi int) {
		for t := lo; t < hi; t++ {
			o, b := t/nb, t%nb
			c0, c1 := b*blk, min((b+1)*blk, inner)
			for i := 0; i < k; i++ {
				s := src[(o*k+i)*inner+c0 : (o*k+i)*inner+c1]
				dd := dst[(o*d+idx[i])*inner+c0 : (o*d+idx[i])*inner+c1]
				for j, v := range s {
					dd[j] += v
				}
			}
		}
	})
}

// Embedding looks up rows of weight [V, C] for integer ids and returns a
// tensor of shape [shape..., C], where shape describes the layout of ids
// (for example [B, T]). The ids enter scope s (nil: the weight's scope):
// it is where a model's token inputs join the caller's scope.
func Embedding(s *Scope, weight *Tensor, ids []int32, shape ...int) *Tensor {
	return EmbeddingPadded(s, weight, ids, -1, shape...)
}

// EmbeddingPadded is Embedding whose positions holding id padding (≥ 0)
// pass no gradient to the table, as PyTorch's nn.Embedding with
// padding_idx (their rows still come from the table).
func EmbeddingPadded(s *Scope, weight *Tensor, ids []int32, padding int, shape ...int) *Tensor {
	if weight.Rank() != 2 {
		panic(fmt.Sprintf("tensor.Embedding: weight shape %v, want [vocab, dim]", weight.shape))
	}
	if numel(shape) != len(ids) {
		panic(fmt.Sprintf("tensor.Embedding: %d ids do not fill shape %v", len(ids), shape))
	}
	idx := make([]int, len(ids))
	for i, id := range ids {
		idx[i] = int(id)
	}
	out := indexSelect(join(s, weight.scope), weight, 0, idx, padding)
	return Reshape(out, append(append([]int(nil), shape...), weight.shape[1])...)
}

// ScatterAdd returns a copy of dst with the slices of src added at the
// given indices along axis: out[.., idx[i], ..] += src[.., i, ..]. src has
// dst's shape except len(idx) on axis. Repeated indices accumulate.
func ScatterAdd(dst *Tensor, axis int, idx []int, src *Tensor) *Tensor {
	sc := scopeOf(dst, src)
	axis = dst.axis("ScatterAdd", axis)
	want := append([]int(nil), dst.shape...)
	want[axis] = len(idx)
	if !SameShape(want, src.shape) {
		panic(fmt.Sprintf("tensor.ScatterAdd: source shape %v, want %v for destination %v and %d indices", src.shape, want, dst.shape, len(idx)))
	}
	d := dst.shape[axis]
	for _, i := range idx {
		if i < 0 || i >= d {
			panic(fmt.Sprintf("tensor.ScatterAdd: index %d out of range for axis %d of shape %v", i, axis, dst.shape))
		}
	}
	outer, inner := numel(dst.shape[:axis]), numel(dst.shape[axis+1:])
	out := dst.Clone()
	scatterAddRows(out.data, src.data, outer, d, inner, idx)
	if n := sc.record(out, "ScatterAdd", dst, src); n != nil {
		idx = append([]int(nil), idx...)
		n.backward = func(g []float32) {
			addGrad(dst, g, false)
			if src.requiresGrad {
				gs := sc.alloc(len(src.data))
				gatherRows(gs, g, outer, d, inner, idx)
				addGrad(src, gs, true)
			}
		}
	}
	return out
}
