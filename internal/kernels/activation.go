package kernels

import (
	"fmt"
	"math"
)

// Activation names an element-wise nonlinearity.
type Activation int

// The activations. GELU is the exact erf form; GELUTanh the tanh
// approximation (gelu_pytorch_tanh / gelu_new); QuickGELU is x·σ(1.702x)
// as in OpenAI CLIP.
const (
	Identity Activation = iota
	GELU
	GELUTanh
	QuickGELU
	SiLU
	ReLU
	Sigmoid
	Tanh
)

var activationNames = [...]string{"identity", "gelu", "gelu_tanh", "quick_gelu", "silu", "relu", "sigmoid", "tanh"}

// String returns the activation's name.
func (a Activation) String() string {
	if a >= 0 && int(a) < len(activationNames) {
		return activationNames[a]
	}
	return fmt.Sprintf("Activation(%d)", int(a))
}

const (
	sqrt2        = 1.4142135623730951
	sqrt2OverPi  = 0.7978845608028654
	invSqrt2Pi   = 0.3989422804014327
	geluTanhCoef = 0.044715
	quickGELUk   = 1.702
)

// activate returns f(x) in float64.
func activate(a Activation, x float64) float64 {
	switch a {
	case Identity:
		return x
	case GELU:
		return 0.5 * x * (1 + math.Erf(x/sqrt2))
	case GELUTanh:
		return 0.5 * x * (1 + math.Tanh(sqrt2OverPi*(x+geluTanhCoef*x*x*x)))
	case QuickGELU:
		return x * sigmoid(quickGELUk*x)
	case SiLU:
		return x * sigmoid(x)
	case ReLU:
		return math.Max(x, 0)
	case Sigmoid:
		return sigmoid(x)
	case Tanh:
		return math.Tanh(x)
	}
	panic(fmt.Sprintf("kernels: unknown activation %d", int(a)))
}

// activateGrad returns f'(x) in float64.
func activateGrad(a Activation, x float64) float64 {
	switch a {
	case Identity:
		return 1
	case GELU:
		return 0.5*(1+math.Erf(x/sqrt2)) + x*invSqrt2Pi*math.Exp(-0.5*x*x)
	case GELUTanh:
		t := math.Tanh(sqrt2OverPi * (x + geluTanhCoef*x*x*x))
		return 0.5*(1+t) + 0.5*x*(1-t*t)*sqrt2OverPi*(1+3*geluTanhCoef*x*x)
	case QuickGELU:
		s := sigmoid(quickGELUk * x)
		return s + quickGELUk*x*s*(1-s)
	case SiLU:
		s := sigmoid(x)
		return s * (1 + x*(1-s))
	case ReLU:
		if x > 0 {
			return 1
		}
		return 0
	case Sigmoid:
		s := sigmoid(x)
		return s * (1 - s)
	case Tanh:
		t := math.Tanh(x)
		return 1 - t*t
	}
	panic(fmt.Sprintf("kernels: unknown activation %d", int(a)))
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// Activate computes dst[i] = f(src[i]). dst may alias src.
func Activate(a Activation, dst, src []float32) {
	if len(dst) != len(src) {
		panic(fmt.Sprintf("kernels.Activate(%v): lengths %d and %d differ", a, len(dst), len(src)))
	}
	c := newCall(activateBody)
	c.s[0], c.s[1], c.act = dst, src, a
	c.parallelFor(len(src), grainElems/4)
}

// activateBody: s = dst, src; act.
func activateBody(c *call, lo, hi int) { activateSlice(c.act, c.s[0][lo:hi], c.s[1][lo:hi]) }

var activateSlice = activateSliceGeneric

func activateSliceGeneric(a Activation, dst, src []float32) {
	dst = dst[:len(src)]
	for i, v := range src {
		dst[i] = float32(activate(a, float64(v)))
	}
}

// ActivateBackward computes dx[i] = dy[i]·f'(x[i]) from the activation's
// input x. dx may alias dy.
func ActivateBackward(a Activation, dx, x, dy []float32) {
	if len(dx) != len(x) || len(dy) != len(x) {
		panic(fmt.Sprintf("kernels.ActivateBackward(%v): lengths %d, %d, %d differ", a, len(dx), len(x), len(dy)))
	}
	c := newCall(activateBackwardBody)
	c.s[0], c.s[1], c.s[2], c.act = dx, x, dy, a
	c.parallelFor(len(x), grainElems/4)
}

// activateBackwardBody: s = dx, x, dy; act.
func activateBackwardBody(c *call, lo, hi int) {
	activateBackwardSlice(c.act, c.s[0][lo:hi], c.s[1][lo:hi], c.s[2][lo:hi])
}

var activateBackwardSlice = activateBackwardSliceGeneric

func activateBackwardSliceGeneric(a Activation, dx, x, dy []float32) {
	dx = dx[:len(x)]
	for i, v := range x {
		dx[i] = dy[i] * float32(activateGrad(a, float64(v)))
	}
}

// BiasActivate computes, for a [rows, cols] array, pre = x + bias (bias of
// length cols, or nil) and dst = f(pre). When pre is not nil it receives the
// pre-activation values (needed by the backward pass). dst and pre may
// alias x.
func BiasActivate(a Activation, dst, pre, x, bias []float32, rows, cols int) {
	checkRows("BiasActivate", rows, cols, dst, x)
	if bias != nil && len(bias) != cols {
		panic(fmt.Sprintf("kernels.BiasActivate: bias has %d elements, need %d", len(bias), cols))
	}
	if pre != nil {
		checkRows("BiasActivate", rows, cols, pre)
	}
	c := newCall(biasActivateBody)
	c.s[0], c.s[1], c.s[2], c.s[3] = dst, pre, x, bias
	c.cols, c.act = cols, a
	c.parallelFor(rows, rowGrain(cols))
}

// biasActivateBody: s = dst, pre (may be nil), x, bias; cols; act.
func biasActivateBody(c *call, lo, hi int) {
	k := c.cols
	var p []float32
	if c.s[1] != nil {
		p = c.s[1][lo*k : hi*k]
	}
	biasActivate(c.act, c.s[0][lo*k:hi*k], p, c.s[2][lo*k:hi*k], c.s[3], hi-lo, k)
}

var biasActivate = biasActivateGeneric

func biasActivateGeneric(a Activation, dst, pre, x, bias []float32, rows, cols int) {
	for r := 0; r < rows; r++ {
		xr, yr := x[r*cols:(r+1)*cols], dst[r*cols:(r+1)*cols]
		for i, v := range xr {
			if bias != nil {
				v += bias[i]
			}
			if pre != nil {
				pre[r*cols+i] = v
			}
			yr[i] = float32(activate(a, float64(v)))
		}
	}
}
