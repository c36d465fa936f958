package kernels

import "fmt"

// grainElems is the smallest number of elements worth handing to another
// worker for streaming element-wise loops.
const grainElems = 1 << 15

// BinaryOp names an element-wise binary operation.
type BinaryOp int

// The binary operations.
const (
	OpAdd BinaryOp = iota
	OpSub
	OpMul
	OpDiv
)

// String returns the operation's name.
func (op BinaryOp) String() string {
	switch op {
	case OpAdd:
		return "add"
	case OpSub:
		return "sub"
	case OpMul:
		return "mul"
	case OpDiv:
		return "div"
	}
	return fmt.Sprintf("BinaryOp(%d)", int(op))
}

// Binary computes dst[i] = a[i*sa] op b[i*sb] for i in [0, n). Strides sa and
// sb are 0 (broadcast one value) or 1. dst may alias a or b.
func Binary(op BinaryOp, dst, a []float32, sa int, b []float32, sb, n int) {
	if n == 0 {
		return
	}
	_ = dst[n-1]
	_ = a[(n-1)*sa]
	_ = b[(n-1)*sb]
	binary(op, dst, a, sa, b, sb, n)
}

var binary = binaryGeneric

func binaryGeneric(op BinaryOp, dst, a []float32, sa int, b []float32, sb, n int) {
	switch {
	case sa == 1 && sb == 1:
		a, b, dst = a[:n], b[:n], dst[:n]
		switch op {
		case OpAdd:
			for i := range dst {
				dst[i] = a[i] + b[i]
			}
		case OpSub:
			for i := range dst {
				dst[i] = a[i] - b[i]
			}
		case OpMul:
			for i := range dst {
				dst[i] = a[i] * b[i]
			}
		case OpDiv:
			for i := range dst {
				dst[i] = a[i] / b[i]
			}
		}
	case sa == 1 && sb == 0:
		a, dst, s := a[:n], dst[:n], b[0]
		switch op {
		case OpAdd:
			for i := range dst {
				dst[i] = a[i] + s
			}
		case OpSub:
			for i := range dst {
				dst[i] = a[i] - s
			}
		case OpMul:
			for i := range dst {
				dst[i] = a[i] * s
			}
		case OpDiv:
			for i := range dst {
				dst[i] = a[i] / s
			}
		}
	default:
		for i := 0; i < n; i++ {
			x, y := a[i*sa], b[i*sb]
			switch op {
			case OpAdd:
				dst[i] = x + y
			case OpSub:
				dst[i] = x - y
			case OpMul:
				dst[i] = x * y
			case OpDiv:
				dst[i] = x / y
			}
		}
	}
}

// Axpy computes y[i] += alpha * x[i].
func Axpy(alpha float32, x, y []float32) {
	if len(x) != len(y) {
		panic(fmt.Sprintf("kernels.Axpy: lengths %d and %d differ", len(x), len(y)))
	}
	axpy(alpha, x, y)
}

var axpy = axpyGeneric

func axpyGeneric(alpha float32, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += alpha * v
	}
}

// Scale computes dst[i] = alpha * x[i]. dst may alias x.
func Scale(dst []float32, alpha float32, x []float32) {
	if len(x) != len(dst) {
		panic(fmt.Sprintf("kernels.Scale: lengths %d and %d differ", len(dst), len(x)))
	}
	scale(dst, alpha, x)
}

var scale = scaleGeneric

func scaleGeneric(dst []float32, alpha float32, x []float32) {
	dst = dst[:len(x)]
	for i, v := range x {
		dst[i] = alpha * v
	}
}

// Fill sets every element of dst to v.
func Fill(dst []float32, v float32) {
	for i := range dst {
		dst[i] = v
	}
}

// ParallelBinary runs Binary over the worker pool on same-length or
// broadcast-scalar inputs.
func ParallelBinary(op BinaryOp, dst, a []float32, sa int, b []float32, sb, n int) {
	c := newCall(binaryBody)
	c.s[0], c.s[1], c.s[2] = dst, a, b
	c.op, c.i = op, [2]int{sa, sb}
	c.parallelFor(n, grainElems)
}

// binaryBody: s = dst, a, b; op; i = strides of a and b.
func binaryBody(c *call, lo, hi int) {
	sa, sb := c.i[0], c.i[1]
	Binary(c.op, c.s[0][lo:hi], c.s[1][lo*sa:], sa, c.s[2][lo*sb:], sb, hi-lo)
}

// BroadcastRows copies row into each of the rows rows of dst ([rows,
// len(row)]), on the worker pool.
func BroadcastRows(dst, row []float32, rows int) {
	cols := len(row)
	checkRows("BroadcastRows", rows, cols, dst)
	if cols == 0 {
		return
	}
	c := newCall(broadcastRowsBody)
	c.s[0], c.s[1], c.cols = dst, row, cols
	c.parallelFor(rows, rowGrain(cols))
}

// broadcastRowsBody: s = dst, row.
func broadcastRowsBody(c *call, lo, hi int) {
	k := c.cols
	for r := lo; r < hi; r++ {
		copy(c.s[0][r*k:(r+1)*k], c.s[1])
	}
}
