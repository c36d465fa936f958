package kernels

import (
	"fmt"
	"math"
)

func checkRows(op string, rows, cols int, slices ...[]float32) {
	for i, s := range slices {
		if len(s) < rows*cols {
			panic(fmt.Sprintf("kernels.%s: argument %d has %d elements, need %d×%d", op, i, len(s), rows, cols))
		}
	}
}

// rowGrain returns how many rows of width cols make a worthwhile task.
func rowGrain(cols int) int { return 1 + grainElems/(4*cols+1) }

// rowWise runs body over the rows of [rows, cols] arrays on the worker
// pool, with the slices in the call's s[0], s[1], … .
func rowWise(rows, cols int, body func(c *call, lo, hi int), s ...[]float32) {
	c := newCall(body)
	c.rows, c.cols = rows, cols
	copy(c.s[:], s)
	c.parallelFor(rows, rowGrain(cols))
}

// SoftmaxRows computes dst = softmax(src) over each row of a [rows, cols]
// array. Rows whose entries are all -Inf produce zeros. dst may alias src.
func SoftmaxRows(dst, src []float32, rows, cols int) {
	checkRows("SoftmaxRows", rows, cols, dst, src)
	rowWise(rows, cols, softmaxRowsBody, dst, src)
}

// softmaxRowsBody: s[0] dst, s[1] src.
func softmaxRowsBody(c *call, lo, hi int) {
	k := c.cols
	softmaxRows(c.s[0][lo*k:hi*k], c.s[1][lo*k:hi*k], hi-lo, k)
}

var softmaxRows = softmaxRowsGeneric

func softmaxRowsGeneric(dst, src []float32, rows, cols int) {
	for r := 0; r < rows; r++ {
		x := src[r*cols : (r+1)*cols]
		y := dst[r*cols : (r+1)*cols]
		m := float32(math.Inf(-1))
		for _, v := range x {
			if v > m {
				m = v
			}
		}
		if math.IsInf(float64(m), -1) {
			for i := range y {
				y[i] = 0
			}
			continue
		}
		var s float32
		for i, v := range x {
			e := float32(math.Exp(float64(v - m)))
			y[i] = e
			s += e
		}
		inv := 1 / s
		for i := range y {
			y[i] *= inv
		}
	}
}

// SoftmaxRowsBackward computes dx = y ⊙ (dy − Σ(dy ⊙ y)) per row, the
// gradient of softmax given its output y. dx may alias dy.
func SoftmaxRowsBackward(dx, y, dy []float32, rows, cols int) {
	checkRows("SoftmaxRowsBackward", rows, cols, dx, y, dy)
	rowWise(rows, cols, softmaxRowsBackwardBody, dx, y, dy)
}

// softmaxRowsBackwardBody: s[0] dx, s[1] y, s[2] dy.
func softmaxRowsBackwardBody(c *call, lo, hi int) {
	k := c.cols
	softmaxRowsBackward(c.s[0][lo*k:hi*k], c.s[1][lo*k:hi*k], c.s[2][lo*k:hi*k], hi-lo, k)
}

var softmaxRowsBackward = softmaxRowsBackwardGeneric

func softmaxRowsBackwardGeneric(dx, y, dy []float32, rows, cols int) {
	for r := 0; r < rows; r++ {
		yr := y[r*cols : (r+1)*cols]
		gr := dy[r*cols : (r+1)*cols]
		xr := dx[r*cols : (r+1)*cols]
		var s float32
		for i, v := range yr {
			s += v * gr[i]
		}
		for i, v := range yr {
			xr[i] = v * (gr[i] - s)
		}
	}
}

// LogSoftmaxRows computes dst = log_softmax(src) over each row. dst may
// alias src.
func LogSoftmaxRows(dst, src []float32, rows, cols int) {
	checkRows("LogSoftmaxRows", rows, cols, dst, src)
	rowWise(rows, cols, logSoftmaxRowsBody, dst, src)
}

// logSoftmaxRowsBody: s[0] dst, s[1] src.
func logSoftmaxRowsBody(c *call, lo, hi int) {
	k := c.cols
	logSoftmaxRows(c.s[0][lo*k:hi*k], c.s[1][lo*k:hi*k], hi-lo, k)
}

var logSoftmaxRows = logSoftmaxRowsGeneric

func logSoftmaxRowsGeneric(dst, src []float32, rows, cols int) {
	for r := 0; r < rows; r++ {
		x := src[r*cols : (r+1)*cols]
		y := dst[r*cols : (r+1)*cols]
		m := float32(math.Inf(-1))
		for _, v := range x {
			if v > m {
				m = v
			}
		}
		var s float64
		for _, v := range x {
			s += math.Exp(float64(v - m))
		}
		lse := m + float32(math.Log(s))
		for i, v := range x {
			y[i] = v - lse
		}
	}
}

// LogSoftmaxRowsBackward computes dx = dy − exp(y)·Σdy per row, the gradient
// of log-softmax given its output y. dx may alias dy.
func LogSoftmaxRowsBackward(dx, y, dy []float32, rows, cols int) {
	checkRows("LogSoftmaxRowsBackward", rows, cols, dx, y, dy)
	rowWise(rows, cols, logSoftmaxRowsBackwardBody, dx, y, dy)
}

// logSoftmaxRowsBackwardBody: s[0] dx, s[1] y, s[2] dy.
func logSoftmaxRowsBackwardBody(c *call, lo, hi int) {
	k := c.cols
	logSoftmaxRowsBackward(c.s[0][lo*k:hi*k], c.s[1][lo*k:hi*k], c.s[2][lo*k:hi*k], hi-lo, k)
}

var logSoftmaxRowsBackward = logSoftmaxRowsBackwardGeneric

func logSoftmaxRowsBackwardGeneric(dx, y, dy []float32, rows, cols int) {
	for r := 0; r < rows; r++ {
		yr := y[r*cols : (r+1)*cols]
		gr := dy[r*cols : (r+1)*cols]
		xr := dx[r*cols : (r+1)*cols]
		var s float32
		for _, v := range gr {
			s += v
		}
		for i, v := range yr {
			xr[i] = gr[i] - float32(math.Exp(float64(v)))*s
		}
	}
}
