package kernels

import "fmt"

// sumChunk is the fixed chunk size of parallel full reductions. Partial
// sums are combined in chunk order, so the result does not depend on the
// worker count.
const sumChunk = 1 << 14

// Sum returns the sum of x, accumulated in float64 per fixed-size chunk and
// combined in chunk order (bit-identical for any worker count).
func Sum(x []float32) float64 {
	n := len(x)
	if n == 0 {
		return 0
	}
	chunks := (n + sumChunk - 1) / sumChunk
	if chunks == 1 {
		return sum64(x)
	}
	partial := make([]float64, chunks)
	ParallelChunks(n, sumChunk, func(c, lo, hi int) {
		partial[c] = sum64(x[lo:hi])
	})
	var s float64
	for _, p := range partial {
		s += p
	}
	return s
}

var sum64 = sum64Generic

func sum64Generic(x []float32) float64 {
	var s float64
	for _, v := range x {
		s += float64(v)
	}
	return s
}

// Dot returns the dot product of x and y accumulated in float64, in chunk
// order like Sum.
func Dot(x, y []float32) float64 {
	if len(x) != len(y) {
		panic(fmt.Sprintf("kernels.Dot: lengths %d and %d differ", len(x), len(y)))
	}
	n := len(x)
	chunks := (n + sumChunk - 1) / sumChunk
	if chunks <= 1 {
		return dot64(x, y)
	}
	partial := make([]float64, chunks)
	ParallelChunks(n, sumChunk, func(c, lo, hi int) {
		partial[c] = dot64(x[lo:hi], y[lo:hi])
	})
	var s float64
	for _, p := range partial {
		s += p
	}
	return s
}

var dot64 = dot64Generic

func dot64Generic(x, y []float32) float64 {
	var s float64
	y = y[:len(x)]
	for i, v := range x {
		s += float64(v) * float64(y[i])
	}
	return s
}

// SumAxis reduces the middle axis of a [outer, r, inner] array:
// dst[o, i] = Σ_j src[o, j, i] (sum in increasing j, float32), or adds it to
// dst when accumulate is true. Each output is computed by one worker, so
// the result does not depend on the worker count.
func SumAxis(dst, src []float32, outer, r, inner int, accumulate bool) {
	if len(src) < outer*r*inner || len(dst) < outer*inner {
		panic(fmt.Sprintf("kernels.SumAxis: [%d,%d,%d] needs %d source and %d destination elements, got %d and %d",
			outer, r, inner, outer*r*inner, outer*inner, len(src), len(dst)))
	}
	if r == 0 {
		if !accumulate {
			Fill(dst[:outer*inner], 0)
		}
		return
	}
	if inner == 1 {
		ParallelFor(outer, 1+grainElems/(r+1), func(lo, hi int) {
			for o := lo; o < hi; o++ {
				row := src[o*r : o*r+r]
				var s float32
				for _, v := range row {
					s += v
				}
				if accumulate {
					dst[o] += s
				} else {
					dst[o] = s
				}
			}
		})
		return
	}
	// Split over outer×(inner blocks); within a block sum rows in order.
	const blk = 256
	nb := (inner + blk - 1) / blk
	ParallelFor(outer*nb, 1+grainElems/(r*blk+1), func(lo, hi int) {
		for t := lo; t < hi; t++ {
			o, b := t/nb, t%nb
			i0, i1 := b*blk, (b+1)*blk
			if i1 > inner {
				i1 = inner
			}
			d := dst[o*inner+i0 : o*inner+i1]
			base := src[o*r*inner:]
			// The sum is formed in acc and then stored or added, so
			// accumulate gives exactly dst + (fresh sum).
			var buf [blk]float32
			acc := buf[:i1-i0]
			copy(acc, base[i0:i1])
			for j := 1; j < r; j++ {
				axpy(1, base[j*inner+i0:j*inner+i1], acc)
			}
			if accumulate {
				axpy(1, acc, d)
			} else {
				copy(d, acc)
			}
		}
	})
}

// SumRows computes dst[c] (+)= Σ_r src[r*cols + c] for a [rows, cols] array
// (the bias gradient). It is SumAxis with outer 1.
func SumRows(dst, src []float32, rows, cols int, accumulate bool) {
	SumAxis(dst, src, 1, rows, cols, accumulate)
}
