package tensor

import (
	"fmt"
	"math"

	"github.com/vlmtune/vlmtune/internal/kernels"
)

// CrossEntropyOptions configure CrossEntropy. The zero value means no
// ignore index and no label smoothing.
type CrossEntropyOptions struct {
	// IgnoreIndex, when UseIgnore is set, marks targets that contribute
	// nothing (PyTorch's ignore_index, usually -100).
	IgnoreIndex int
	UseIgnore   bool
	// LabelSmoothing ε mixes the one-hot target with the uniform
	// distribution: (1−ε)·onehot + ε/C.
	LabelSmoothing float32
}

// CrossEntropy returns the mean cross-entropy between logits [..., C] and
// integer targets (one per row), as torch.nn.functional.cross_entropy with
// reduction "mean": ignored rows are excluded from the mean. If every row
// is ignored the loss is NaN (as PyTorch).
func CrossEntropy(logits *Tensor, targets []int, opt CrossEntropyOptions) *Tensor {
	sc := scopeOf(logits)
	if logits.Rank() < 1 {
		panic("tensor.CrossEntropy: scalar logits")
	}
	rows, c := lastAxis("CrossEntropy", logits)
	if len(targets) != rows {
		panic(fmt.Sprintf("tensor.CrossEntropy: %d targets for logits %v (%d rows)", len(targets), logits.shape, rows))
	}
	if opt.LabelSmoothing < 0 || opt.LabelSmoothing > 1 {
		panic(fmt.Sprintf("tensor.CrossEntropy: label smoothing %g outside [0, 1]", opt.LabelSmoothing))
	}
	logp := sc.alloc(len(logits.data))
	kernels.LogSoftmaxRows(logp, logits.data, rows, c)
	eps := float64(opt.LabelSmoothing)
	var total float64
	count := 0
	for r, tgt := range targets {
		if opt.UseIgnore && tgt == opt.IgnoreIndex {
			continue
		}
		if tgt < 0 || tgt >= c {
			panic(fmt.Sprintf("tensor.CrossEntropy: target %d out of range [0, %d) at row %d", tgt, c, r))
		}
		row := logp[r*c : (r+1)*c]
		l := -(1 - eps) * float64(row[tgt])
		if eps > 0 {
			var s float64
			for _, v := range row {
				s += float64(v)
			}
			l -= eps * s / float64(c)
		}
		total += l
		count++
	}
	out := Scalar(float32(total / float64(count)))
	if count == 0 {
		out.data[0] = float32(math.NaN())
	}
	n := sc.record(out, "CrossEntropy", logits)
	if n == nil {
		sc.release(logp)
	} else {
		targets = append([]int(nil), targets...)
		n.backward = func(g []float32) {
			defer sc.release(logp)
			gi := sc.alloc(len(logp))
			scale := g[0] / float32(count)
			kernels.ParallelFor(rows, 1+(1<<14)/(c+1), func(lo, hi int) {
				for r := lo; r < hi; r++ {
					tgt := targets[r]
					d := gi[r*c : (r+1)*c]
					if opt.UseIgnore && tgt == opt.IgnoreIndex {
						continue
					}
					lp := logp[r*c : (r+1)*c]
					u := float32(eps) / float32(c)
					for j, v := range lp {
						d[j] = float32(math.Exp(float64(v))) - u
					}
					d[tgt] -= float32(1 - eps)
					for j := range d {
						d[j] *= scale
					}
				}
			})
			addGrad(logits, gi, true)
		}
	}
	return out
}

// BCEWithLogits returns the mean binary cross-entropy between logits and
// targets in [0, 1] of the same shape, computed stably as
// max(x,0) − x·y + log(1 + e^{−|x|}) (torch's binary_cross_entropy_with_logits).
func BCEWithLogits(logits, targets *Tensor) *Tensor {
	sc := scopeOf(logits, targets)
	if !SameShape(logits.shape, targets.shape) {
		panic(fmt.Sprintf("tensor.BCEWithLogits: logits %v and targets %v differ", logits.shape, targets.shape))
	}
	var total float64
	for i, x := range logits.data {
		xv, y := float64(x), float64(targets.data[i])
		total += math.Max(xv, 0) - xv*y + math.Log1p(math.Exp(-math.Abs(xv)))
	}
	nEl := len(logits.data)
	out := Scalar(float32(total / float64(nEl)))
	if n := sc.record(out, "BCEWithLogits", logits, targets); n != nil {
		n.backward = func(g []float32) {
			scale := float64(g[0]) / float64(nEl)
			if logits.requiresGrad {
				gi := sc.alloc(nEl)
				for i, x := range logits.data {
					gi[i] = float32((sigmoid64(float64(x)) - float64(targets.data[i])) * scale)
				}
				addGrad(logits, gi, true)
			}
			if targets.requiresGrad {
				gt := sc.alloc(nEl)
				for i, x := range logits.data {
					gt[i] = float32(-float64(x) * scale)
				}
				addGrad(targets, gt, true)
			}
		}
	}
	return out
}

func sigmoid64(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// L2Normalize divides each vector along the last axis by max(‖x‖₂, eps), as
// torch.nn.functional.normalize.
func L2Normalize(t *Tensor, eps float32) *Tensor {
	sc := scopeOf(t)
	rows, c := lastAxis("L2Normalize", t)
	out := sc.newTensor(t.shape)
	norms := sc.alloc(rows)
	for r := 0; r < rows; r++ {
		x := t.data[r*c : (r+1)*c]
		var ss float64
		for _, v := range x {
			ss += float64(v) * float64(v)
		}
		nrm := float32(math.Sqrt(ss))
		norms[r] = nrm
		d := max(nrm, eps)
		y := out.data[r*c : (r+1)*c]
		for i, v := range x {
			y[i] = v / d
		}
	}
	if n := sc.record(out, "L2Normalize", t); n != nil {
		n.backward = func(g []float32) {
			gi := sc.alloc(len(g))
			for r := 0; r < rows; r++ {
				y, gr, d := out.data[r*c:(r+1)*c], g[r*c:(r+1)*c], gi[r*c:(r+1)*c]
				if norms[r] <= eps {
					// Below eps the op is x/eps: a plain scaling.
					for i, v := range gr {
						d[i] = v / eps
					}
					continue
				}
				var dot float32
				for i, v := range y {
					dot += v * gr[i]
				}
				inv := 1 / norms[r]
				for i, v := range y {
					d[i] = (gr[i] - v*dot) * inv
				}
			}
			addGrad(t, gi, true)
		}
	}
	return out
}

// CosineSimilarity returns the cosine similarity of a and b along the last
// axis (shapes broadcast), computed as the dot product of the vectors each
// divided by max(‖·‖, eps).
func CosineSimilarity(a, b *Tensor, eps float32) *Tensor {
	return Sum(Mul(L2Normalize(a, eps), L2Normalize(b, eps)), false, -1)
}
