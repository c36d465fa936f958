package optim

import (
	"math"
	"strings"
	"testing"

	"github.com/vlmtune/vlmtune/tensor"
)

func param(name string, vals, grads []float32, decay bool) Param {
	t := tensor.FromSlice(vals, len(vals)).SetRequiresGrad(true)
	tensor.SumAll(tensor.Mul(t, tensor.FromSlice(grads, len(grads)))).Backward()
	return Param{Name: name, T: t, Decay: decay}
}

// refAdamW is torch.optim.AdamW's update in float64 for fixed gradients.
func refAdamW(p, g []float64, steps int, lr, b1, b2, eps, wd float64) []float64 {
	p = append([]float64(nil), p...)
	m := make([]float64, len(p))
	v := make([]float64, len(p))
	for s := 1; s <= steps; s++ {
		for i := range p {
			p[i] *= 1 - lr*wd
			m[i] = b1*m[i] + (1-b1)*g[i]
			v[i] = b2*v[i] + (1-b2)*g[i]*g[i]
			denom := math.Sqrt(v[i])/math.Sqrt(1-math.Pow(b2, float64(s))) + eps
			p[i] -= lr / (1 - math.Pow(b1, float64(s))) * m[i] / denom
		}
	}
	return p
}

func TestAdamWMatchesReference(t *testing.T) {
	vals := []float32{0.5, -1.5, 2, 0}
	grads := []float32{0.1, -0.2, 3, 1e-4}
	p := param("w", vals, grads, true)
	o := NewAdamW([]Param{p}, 0.9, 0.999, 1e-8, 0.1)
	for i := 0; i < 5; i++ {
		o.Step(0.01)
	}
	want := refAdamW([]float64{0.5, -1.5, 2, 0}, []float64{0.1, -0.2, 3, 1e-4}, 5, 0.01, 0.9, 0.999, 1e-8, 0.1)
	for i, v := range p.T.Data() {
		if math.Abs(float64(v)-want[i]) > 1e-6 {
			t.Fatalf("element %d: %v, want %v", i, v, want[i])
		}
	}
	// State round trip continues identically.
	s := o.State()
	q := param("w", p.T.Data(), grads, true)
	o2 := NewAdamW([]Param{q}, 0.9, 0.999, 1e-8, 0.1)
	if err := o2.LoadState(s); err != nil {
		t.Fatal(err)
	}
	o.Step(0.01)
	o2.Step(0.01)
	for i := range p.T.Data() {
		if p.T.Data()[i] != q.T.Data()[i] {
			t.Fatalf("resumed optimizer differs at %d", i)
		}
	}
	if err := NewAdamW([]Param{param("other", vals, grads, true)}, 0.9, 0.999, 1e-8, 0).LoadState(s); err == nil || !strings.Contains(err.Error(), "other.exp_avg") {
		t.Fatalf("loading state for a different parameter: %v", err)
	}
}

func TestNoDecayParamsAreNotDecayed(t *testing.T) {
	p := param("layer_norm1.weight", []float32{1, 1}, []float32{0, 0}, false)
	o := NewAdamW([]Param{p}, 0.9, 0.999, 1e-8, 0.5)
	o.Step(0.1)
	if p.T.Data()[0] != 1 {
		t.Fatalf("a no-decay parameter with zero gradient moved to %v", p.T.Data()[0])
	}
	if !NoDecay("text_model.encoder.layers.0.mlp.fc1.bias", tensor.Zeros(4)) || NoDecay("x.q_proj.weight", tensor.Zeros(2, 2)) || !NoDecay("logit_scale", tensor.Scalar(1)) {
		t.Fatal("NoDecay rule")
	}
}

func TestSGDMomentum(t *testing.T) {
	p := param("w", []float32{1}, []float32{0.5}, true)
	o := NewSGD([]Param{p}, 0.9, 0.1, false)
	// Step 1: d = 0.5 + 0.1·1 = 0.6, b = 0.6, p = 1 − 0.1·0.6 = 0.94.
	o.Step(0.1)
	// Step 2: d = 0.5 + 0.094 = 0.594, b = 0.9·0.6 + 0.594 = 1.134, p = 0.94 − 0.1134.
	o.Step(0.1)
	if got := p.T.Data()[0]; math.Abs(float64(got)-(0.94-0.1134)) > 1e-6 {
		t.Fatalf("SGD: %v, want %v", got, 0.94-0.1134)
	}
}

func TestClipGradNorm(t *testing.T) {
	a := param("a", []float32{0, 0}, []float32{3, 0}, true)
	b := param("b", []float32{0}, []float32{4}, true)
	norm := ClipGradNorm([]Param{a, b}, 1)
	if math.Abs(norm-5) > 1e-9 {
		t.Fatalf("norm %v, want 5", norm)
	}
	if got := GlobalNorm([]Param{a, b}); math.Abs(got-1) > 1e-5 {
		t.Fatalf("norm after clipping %v, want 1", got)
	}
	c := param("c", []float32{0}, []float32{float32(math.NaN())}, true)
	if err := CheckFinite([]Param{a, c}); err == nil || !strings.Contains(err.Error(), "gradient of c") {
		t.Fatalf("CheckFinite: %v", err)
	}
}
