package train

import (
	"testing"

	"github.com/vlmtune/vlmtune/tensor"
	"github.com/vlmtune/vlmtune/train/optim"
)

// L2-SP's gradient is λ(θ−θ₀) on top of the loss's.
func TestAnchorPenaltyGradient(t *testing.T) {
	w := tensor.FromSlice([]float32{1, 2}, 2).SetRequiresGrad(true)
	ps := []optim.Param{{Name: "w", T: w}}
	a := newAnchor(0.5, ps, map[string]bool{"w": true})
	w.Data()[0], w.Data()[1] = 3, 2
	tensor.SumAll(tensor.MulScalar(w, 0)).Backward()
	v := a.addGradients()
	if v != 0.5*0.5*4 || w.Grad().Data()[0] != 1 || w.Grad().Data()[1] != 0 {
		t.Fatalf("penalty %v, gradient %v", v, w.Grad().Data())
	}
}
