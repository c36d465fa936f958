package kernels

import (
	"fmt"
	"math"
)

// normChunkRows is the fixed number of rows whose parameter-gradient
// partial sums one task computes; partials are then added in chunk order,
// so the result does not depend on the worker count.
const normChunkRows = 32

func checkNorm(op string, rows, cols int, x, gamma []float32) {
	if len(x) < rows*cols {
		panic(fmt.Sprintf("kernels.%s: input has %d elements, need %d×%d", op, len(x), rows, cols))
	}
	if gamma != nil && len(gamma) != cols {
		panic(fmt.Sprintf("kernels.%s: weight has %d elements, need %d", op, len(gamma), cols))
	}
}

// LayerNorm normalises each row of a [rows, cols] array:
// dst = (x − mean)·rstd·gamma + beta, with rstd = 1/sqrt(var + eps) and the
// biased variance. gamma and beta may be nil (no affine). mean and rstd
// (length rows) receive the statistics that LayerNormBackward needs.
func LayerNorm(dst, mean, rstd, x, gamma, beta []float32, rows, cols int, eps float32) {
	checkNorm("LayerNorm", rows, cols, x, gamma)
	checkRows("LayerNorm", rows, cols, dst)
	if len(mean) < rows || len(rstd) < rows {
		panic(fmt.Sprintf("kernels.LayerNorm: statistics need %d rows", rows))
	}
	c := newCall(layerNormBody)
	c.s = [6][]float32{dst, mean, rstd, x, gamma, beta}
	c.cols, c.f[0] = cols, eps
	c.parallelFor(rows, rowGrain(cols))
}

// layerNormBody: s = dst, mean, rstd, x, gamma, beta; f[0] eps.
func layerNormBody(c *call, lo, hi int) {
	k := c.cols
	layerNorm(c.s[0][lo*k:hi*k], c.s[1][lo:hi], c.s[2][lo:hi], c.s[3][lo*k:hi*k], c.s[4], c.s[5], hi-lo, k, c.f[0])
}

var layerNorm = layerNormGeneric

func layerNormGeneric(dst, mean, rstd, x, gamma, beta []float32, rows, cols int, eps float32) {
	for r := 0; r < rows; r++ {
		xr := x[r*cols : (r+1)*cols]
		yr := dst[r*cols : (r+1)*cols]
		var s float32
		for _, v := range xr {
			s += v
		}
		mu := s / float32(cols)
		var ss float32
		for _, v := range xr {
			d := v - mu
			ss += d * d
		}
		rs := float32(1 / math.Sqrt(float64(ss/float32(cols)+eps)))
		mean[r], rstd[r] = mu, rs
		for i, v := range xr {
			h := (v - mu) * rs
			if gamma != nil {
				h *= gamma[i]
			}
			if beta != nil {
				h += beta[i]
			}
			yr[i] = h
		}
	}
}

// LayerNormBackward computes the input gradient dx (overwritten; may alias
// dy) and adds the weight and bias gradients to dgamma and dbeta (either may
// be nil to skip it) from the output gradient dy and the statistics saved by
// LayerNorm.
func LayerNormBackward(dx, dgamma, dbeta, dy, x, mean, rstd, gamma []float32, rows, cols int) {
	checkNorm("LayerNormBackward", rows, cols, x, gamma)
	checkRows("LayerNormBackward", rows, cols, dy)
	if dx != nil {
		checkRows("LayerNormBackward", rows, cols, dx)
	}
	normParamGrads(dgamma, dbeta, dy, x, mean, rstd, rows, cols)
	if dx == nil {
		return
	}
	c := newCall(layerNormBackwardXBody)
	c.s = [6][]float32{dx, dy, x, mean, rstd, gamma}
	c.cols = cols
	c.parallelFor(rows, rowGrain(cols))
}

// layerNormBackwardXBody: s = dx, dy, x, mean, rstd, gamma.
func layerNormBackwardXBody(c *call, lo, hi int) {
	k := c.cols
	layerNormBackwardX(c.s[0][lo*k:hi*k], c.s[1][lo*k:hi*k], c.s[2][lo*k:hi*k], c.s[3][lo:hi], c.s[4][lo:hi], c.s[5], hi-lo, k)
}

var layerNormBackwardX = layerNormBackwardXGeneric

func layerNormBackwardXGeneric(dx, dy, x, mean, rstd, gamma []float32, rows, cols int) {
	n := float32(cols)
	for r := 0; r < rows; r++ {
		xr, gr, dr := x[r*cols:(r+1)*cols], dy[r*cols:(r+1)*cols], dx[r*cols:(r+1)*cols]
		mu, rs := mean[r], rstd[r]
		var sg, sgx float32
		for i, v := range xr {
			g := gr[i]
			if gamma != nil {
				g *= gamma[i]
			}
			sg += g
			sgx += g * (v - mu) * rs
		}
		sg /= n
		sgx /= n
		for i, v := range xr {
			g := gr[i]
			if gamma != nil {
				g *= gamma[i]
			}
			dr[i] = rs * (g - sg - (v-mu)*rs*sgx)
		}
	}
}

// normParamGrads adds Σ_rows dy·x̂ to dgamma and Σ_rows dy to dbeta, where
// x̂ = (x − mean)·rstd (mean nil: x̂ = x·rstd, as RMSNorm).
func normParamGrads(dgamma, dbeta, dy, x, mean, rstd []float32, rows, cols int) {
	if dgamma == nil && dbeta == nil {
		return
	}
	chunks := (rows + normChunkRows - 1) / normChunkRows
	part := getScratch(2 * chunks * cols)
	defer putScratch(part)
	pg := (*part)[:chunks*cols]
	pb := (*part)[chunks*cols:]
	c := newChunkCall(rows, normChunkRows, normParamGradsBody)
	c.s = [6][]float32{pg, pb, dy, x, mean, rstd}
	c.i[0], c.flag = cols, [2]bool{dgamma != nil, dbeta != nil}
	c.parallelChunks()
	c.release()
	for c := 0; c < chunks; c++ {
		if dgamma != nil {
			axpy(1, pg[c*cols:(c+1)*cols], dgamma)
		}
		if dbeta != nil {
			axpy(1, pb[c*cols:(c+1)*cols], dbeta)
		}
	}
}

// normParamGradsBody: s = partial dgamma, partial dbeta, dy, x, mean,
// rstd; i[0] cols; flag = want dgamma, want dbeta.
func normParamGradsBody(c *call, chunk, lo, hi int) {
	k := c.i[0]
	normParamGradsRows(c.s[0][chunk*k:(chunk+1)*k], c.s[1][chunk*k:(chunk+1)*k], c.s[2], c.s[3], c.s[4], c.s[5], lo, hi, k, c.flag[0], c.flag[1])
}

var normParamGradsRows = normParamGradsRowsGeneric

func normParamGradsRowsGeneric(pg, pb, dy, x, mean, rstd []float32, lo, hi, cols int, wantG, wantB bool) {
	for r := lo; r < hi; r++ {
		xr, gr := x[r*cols:(r+1)*cols], dy[r*cols:(r+1)*cols]
		var mu float32
		if mean != nil {
			mu = mean[r]
		}
		rs := rstd[r]
		if wantG {
			for i, v := range xr {
				pg[i] += gr[i] * (v - mu) * rs
			}
		}
		if wantB {
			for i, g := range gr {
				pb[i] += g
			}
		}
	}
}

// RMSNorm computes dst = x·rstd·gamma per row, with rstd =
// 1/sqrt(mean(x²) + eps) (T5/Llama RMSNorm). gamma may be nil. rstd (length
// rows) receives the statistic that RMSNormBackward needs.
func RMSNorm(dst, rstd, x, gamma []float32, rows, cols int, eps float32) {
	checkNorm("RMSNorm", rows, cols, x, gamma)
	checkRows("RMSNorm", rows, cols, dst)
	if len(rstd) < rows {
		panic(fmt.Sprintf("kernels.RMSNorm: statistics need %d rows", rows))
	}
	c := newCall(rmsNormBody)
	c.s = [6][]float32{dst, rstd, x, gamma}
	c.cols, c.f[0] = cols, eps
	c.parallelFor(rows, rowGrain(cols))
}

// rmsNormBody: s = dst, rstd, x, gamma; f[0] eps.
func rmsNormBody(c *call, lo, hi int) {
	k := c.cols
	rmsNorm(c.s[0][lo*k:hi*k], c.s[1][lo:hi], c.s[2][lo*k:hi*k], c.s[3], hi-lo, k, c.f[0])
}

var rmsNorm = rmsNormGeneric

func rmsNormGeneric(dst, rstd, x, gamma []float32, rows, cols int, eps float32) {
	for r := 0; r < rows; r++ {
		xr := x[r*cols : (r+1)*cols]
		yr := dst[r*cols : (r+1)*cols]
		var ss float32
		for _, v := range xr {
			ss += v * v
		}
		rs := float32(1 / math.Sqrt(float64(ss/float32(cols)+eps)))
		rstd[r] = rs
		for i, v := range xr {
			h := v * rs
			if gamma != nil {
				h *= gamma[i]
			}
			yr[i] = h
		}
	}
}

// RMSNormBackward computes dx (overwritten; may alias dy; nil to skip) and
// adds the weight gradient to dgamma (nil to skip).
func RMSNormBackward(dx, dgamma, dy, x, rstd, gamma []float32, rows, cols int) {
	checkNorm("RMSNormBackward", rows, cols, x, gamma)
	checkRows("RMSNormBackward", rows, cols, dy)
	normParamGrads(dgamma, nil, dy, x, nil, rstd, rows, cols)
	if dx == nil {
		return
	}
	checkRows("RMSNormBackward", rows, cols, dx)
	c := newCall(rmsNormBackwardXBody)
	c.s = [6][]float32{dx, dy, x, rstd, gamma}
	c.cols = cols
	c.parallelFor(rows, rowGrain(cols))
}

// rmsNormBackwardXBody: s = dx, dy, x, rstd, gamma.
func rmsNormBackwardXBody(c *call, lo, hi int) {
	k := c.cols
	rmsNormBackwardX(c.s[0][lo*k:hi*k], c.s[1][lo*k:hi*k], c.s[2][lo*k:hi*k], c.s[3][lo:hi], c.s[4], hi-lo, k)
}

var rmsNormBackwardX = rmsNormBackwardXGeneric

func rmsNormBackwardXGeneric(dx, dy, x, rstd, gamma []float32, rows, cols int) {
	n := float32(cols)
	for r := 0; r < rows; r++ {
		xr, gr, dr := x[r*cols:(r+1)*cols], dy[r*cols:(r+1)*cols], dx[r*cols:(r+1)*cols]
		rs := rstd[r]
		var sgx float32
		for i, v := range xr {
			g := gr[i]
			if gamma != nil {
				g *= gamma[i]
			}
			sgx += g * v * rs
		}
		sgx /= n
		for i, v := range xr {
			g := gr[i]
			if gamma != nil {
				g *= gamma[i]
			}
			dr[i] = rs * (g - v*rs*sgx)
		}
	}
}
