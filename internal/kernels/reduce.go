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
	c := newChunkCall(n, sumChunk, sumBody)
	c.s[0] = x
	c.partials()
	c.parallelChunks()
	var s float64
	for _, p := range c.partial {
		s += p
	}
	c.release()
	return s
}

// sumBody: s[0] x; partial sums per chunk.
func sumBody(c *call, chunk, lo, hi int) { c.partial[chunk] = sum64(c.s[0][lo:hi]) }

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
	c := newChunkCall(n, sumChunk, dotBody)
	c.s[0], c.s[1] = x, y
	c.partials()
	c.parallelChunks()
	var s float64
	for _, p := range c.partial {
		s += p
	}
	c.release()
	return s
}

// dotBody: s = x, y; partial dot products per chunk.
func dotBody(c *call, chunk, lo, hi int) { c.partial[chunk] = dot64(c.s[0][lo:hi], c.s[1][lo:hi]) }

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
	c := newCall(sumAxisBody)
	c.s[0], c.s[1] = dst, src
	c.i, c.cols, c.flag[0] = [2]int{r, inner}, sumAxisBlock, accumulate
	if inner == 1 {
		c.body = sumAxisRowsBody
		c.parallelFor(outer, 1+grainElems/(r+1))
		return
	}
	// Split over outer×(inner blocks); within a block sum rows in order.
	c.parallelFor(outer*ceilDiv(inner, sumAxisBlock), 1+grainElems/(r*sumAxisBlock+1))
}

// sumAxisBlock is how many inner positions one SumAxis task sums.
const sumAxisBlock = 256

// sumAxisRowsBody sums rows of r contiguous values: s = dst, src; i[0] r;
// flag[0] accumulate.
func sumAxisRowsBody(c *call, lo, hi int) {
	dst, src, r, accumulate := c.s[0], c.s[1], c.i[0], c.flag[0]
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
}

// sumAxisBody sums tasks t = o·nb + b (b a block of sumAxisBlock inner
// positions): s = dst, src; i = r, inner; flag[0] accumulate.
func sumAxisBody(c *call, lo, hi int) {
	const blk = sumAxisBlock
	dst, src, r, inner, accumulate := c.s[0], c.s[1], c.i[0], c.i[1], c.flag[0]
	nb := ceilDiv(inner, blk)
	buf := getScratch(blk)
	defer putScratch(buf)
	for t := lo; t < hi; t++ {
		o, b := t/nb, t%nb
		i0, i1 := b*blk, min((b+1)*blk, inner)
		d := dst[o*inner+i0 : o*inner+i1]
		base := src[o*r*inner:]
		// The sum is formed in acc and then stored or added, so
		// accumulate gives exactly dst + (fresh sum).
		acc := (*buf)[:i1-i0]
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
}

// SumRows computes dst[c] (+)= Σ_r src[r*cols + c] for a [rows, cols] array
// (the bias gradient). It is SumAxis with outer 1.
func SumRows(dst, src []float32, rows, cols int, accumulate bool) {
	SumAxis(dst, src, 1, rows, cols, accumulate)
}
