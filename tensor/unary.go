package tensor

import (
	"math"

	"github.com/vlmtune/vlmtune/internal/kernels"
)

// mapUnary applies f element-wise over the worker pool.
func mapUnary(dst, src []float32, f func(float32) float32) {
	kernels.ParallelFor(len(src), 1<<14, func(lo, hi int) {
		d, s := dst[lo:hi], src[lo:hi]
		for i, v := range s {
			d[i] = f(v)
		}
	})
}

// map2 computes dst[i] = f(a[i], b[i]) over the worker pool.
func map2(dst, a, b []float32, f func(x, y float32) float32) {
	kernels.ParallelFor(len(a), 1<<14, func(lo, hi int) {
		d, x, y := dst[lo:hi], a[lo:hi], b[lo:hi]
		for i := range d {
			d[i] = f(x[i], y[i])
		}
	})
}

// unaryOp builds an element-wise op whose derivative is df(x, y) with x the
// input and y the output.
func unaryOp(name string, t *Tensor, f func(float32) float32, df func(x, y float32) float32) *Tensor {
	sc := scopeOf(t)
	out := sc.newTensor(t.shape)
	mapUnary(out.data, t.data, f)
	if n := sc.record(out, name, t); n != nil {
		n.backward = func(g []float32) {
			gi := sc.alloc(len(g))
			kernels.ParallelFor(len(g), 1<<14, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					gi[i] = g[i] * df(t.data[i], out.data[i])
				}
			})
			addGrad(t, gi, true)
		}
	}
	return out
}

// Exp returns eˣ element-wise.
func Exp(t *Tensor) *Tensor {
	return unaryOp("Exp", t, func(x float32) float32 { return float32(math.Exp(float64(x))) },
		func(_, y float32) float32 { return y })
}

// Log returns the natural logarithm element-wise.
func Log(t *Tensor) *Tensor {
	return unaryOp("Log", t, func(x float32) float32 { return float32(math.Log(float64(x))) },
		func(x, _ float32) float32 { return 1 / x })
}

// Sqrt returns the square root element-wise.
func Sqrt(t *Tensor) *Tensor {
	return unaryOp("Sqrt", t, func(x float32) float32 { return float32(math.Sqrt(float64(x))) },
		func(_, y float32) float32 { return 0.5 / y })
}

// Square returns x² element-wise.
func Square(t *Tensor) *Tensor {
	return unaryOp("Square", t, func(x float32) float32 { return x * x },
		func(x, _ float32) float32 { return 2 * x })
}

// Abs returns |x| element-wise (gradient 0 at 0).
func Abs(t *Tensor) *Tensor {
	return unaryOp("Abs", t, func(x float32) float32 { return float32(math.Abs(float64(x))) },
		func(x, _ float32) float32 {
			switch {
			case x > 0:
				return 1
			case x < 0:
				return -1
			}
			return 0
		})
}

// Clamp limits values to [lo, hi]; the gradient is zero where clamped.
func Clamp(t *Tensor, lo, hi float32) *Tensor {
	return unaryOp("Clamp", t, func(x float32) float32 { return min(max(x, lo), hi) },
		func(x, _ float32) float32 {
			if x < lo || x > hi {
				return 0
			}
			return 1
		})
}

// LogSigmoid returns log σ(x) = −softplus(−x), computed stably.
func LogSigmoid(t *Tensor) *Tensor {
	return unaryOp("LogSigmoid", t, func(x float32) float32 {
		v := float64(x)
		return float32(math.Min(v, 0) - math.Log1p(math.Exp(-math.Abs(v))))
	}, func(x, _ float32) float32 {
		// d/dx log σ(x) = 1 − σ(x) = σ(−x).
		v := -float64(x)
		if v >= 0 {
			return float32(1 / (1 + math.Exp(-v)))
		}
		e := math.Exp(v)
		return float32(e / (1 + e))
	})
}

// activation applies a kernels activation with its exact backward.
func activation(name string, a kernels.Activation, t *Tensor) *Tensor {
	sc := scopeOf(t)
	out := sc.newTensor(t.shape)
	kernels.Activate(a, out.data, t.data)
	if n := sc.record(out, name, t); n != nil {
		n.backward = func(g []float32) {
			gi := sc.alloc(len(g))
			kernels.ActivateBackward(a, gi, t.data, g)
			addGrad(t, gi, true)
		}
	}
	return out
}

// Tanh returns tanh(x).
func Tanh(t *Tensor) *Tensor { return activation("Tanh", kernels.Tanh, t) }

// Sigmoid returns σ(x) = 1/(1+e⁻ˣ).
func Sigmoid(t *Tensor) *Tensor { return activation("Sigmoid", kernels.Sigmoid, t) }

// ReLU returns max(x, 0).
func ReLU(t *Tensor) *Tensor { return activation("ReLU", kernels.ReLU, t) }

// SiLU returns x·σ(x).
func SiLU(t *Tensor) *Tensor { return activation("SiLU", kernels.SiLU, t) }

// GELU returns the exact GELU, x·Φ(x) with the normal CDF via erf.
func GELU(t *Tensor) *Tensor { return activation("GELU", kernels.GELU, t) }

// GELUTanh returns the tanh approximation of GELU (gelu_pytorch_tanh).
func GELUTanh(t *Tensor) *Tensor { return activation("GELUTanh", kernels.GELUTanh, t) }

// QuickGELU returns x·σ(1.702x), the activation of OpenAI's CLIP.
func QuickGELU(t *Tensor) *Tensor { return activation("QuickGELU", kernels.QuickGELU, t) }

// Activate applies the named kernels activation.
func Activate(t *Tensor, a kernels.Activation) *Tensor { return activation(a.String(), a, t) }

// Activation names a nonlinearity (see the constants below).
type Activation = kernels.Activation

// The activations, for Activate and the model configurations.
const (
	ActIdentity  = kernels.Identity
	ActGELU      = kernels.GELU
	ActGELUTanh  = kernels.GELUTanh
	ActQuickGELU = kernels.QuickGELU
	ActSiLU      = kernels.SiLU
	ActReLU      = kernels.ReLU
	ActSigmoid   = kernels.Sigmoid
	ActTanh      = kernels.Tanh
)

// ParseActivation maps a Hugging Face `hidden_act` name to an Activation.
func ParseActivation(name string) (Activation, bool) {
	switch name {
	case "gelu":
		return ActGELU, true
	case "gelu_pytorch_tanh", "gelu_new", "gelu_fast", "gelu_tanh":
		return ActGELUTanh, true
	case "quick_gelu":
		return ActQuickGELU, true
	case "silu", "swish":
		return ActSiLU, true
	case "relu":
		return ActReLU, true
	case "sigmoid":
		return ActSigmoid, true
	case "tanh":
		return ActTanh, true
	case "linear", "identity":
		return ActIdentity, true
	}
	return 0, false
}
