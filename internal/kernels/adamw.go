package kernels

import (
	"fmt"
	"math"
)

// AdamWParams are the hyper-parameters of one AdamW step. Step is the
// 1-based step number used for bias correction.
type AdamWParams struct {
	LR, Beta1, Beta2, Eps, WeightDecay float32
	Step                               int
}

// AdamW applies one AdamW update (decoupled weight decay, as
// torch.optim.AdamW) to param in place, updating the first and second
// moment estimates m and v:
//
//	p ← p − lr·wd·p
//	m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
//	p ← p − lr·(m/(1−β1ᵗ)) / (sqrt(v/(1−β2ᵗ)) + eps)
func AdamW(param, grad, m, v []float32, h AdamWParams) {
	n := len(param)
	if len(grad) != n || len(m) != n || len(v) != n {
		panic(fmt.Sprintf("kernels.AdamW: lengths param %d grad %d m %d v %d differ", n, len(grad), len(m), len(v)))
	}
	if h.Step < 1 {
		panic(fmt.Sprintf("kernels.AdamW: step %d, want ≥ 1", h.Step))
	}
	bc1 := 1 - math.Pow(float64(h.Beta1), float64(h.Step))
	bc2 := 1 - math.Pow(float64(h.Beta2), float64(h.Step))
	c := newCall(adamwBody)
	c.s[0], c.s[1], c.s[2], c.s[3] = param, grad, m, v
	c.adam, c.f[0], c.f[1] = h, float32(bc1), float32(math.Sqrt(bc2))
	c.parallelFor(n, grainElems)
}

// adamwBody: s = param, grad, m, v; adam; f = bias corrections 1 − β1ᵗ
// and sqrt(1 − β2ᵗ).
func adamwBody(c *call, lo, hi int) {
	adamw(c.s[0][lo:hi], c.s[1][lo:hi], c.s[2][lo:hi], c.s[3][lo:hi], c.adam, c.f[0], c.f[1])
}

var adamw = adamwGeneric

// adamwGeneric follows torch.optim.AdamW's single-tensor arithmetic:
// denom = sqrt(v)/sqrt(bc2) + eps; p −= (lr/bc1)·m/denom.
func adamwGeneric(p, g, m, v []float32, h AdamWParams, bc1, sqrtBC2 float32) {
	decay := 1 - h.LR*h.WeightDecay
	stepSize := h.LR / bc1
	b1, b2 := h.Beta1, h.Beta2
	for i := range p {
		gi := g[i]
		p[i] *= decay
		m[i] = b1*m[i] + (1-b1)*gi
		v[i] = b2*v[i] + (1-b2)*gi*gi
		denom := float32(math.Sqrt(float64(v[i])))/sqrtBC2 + h.Eps
		p[i] -= stepSize * m[i] / denom
	}
}
