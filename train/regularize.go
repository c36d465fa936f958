package train

import (
	"fmt"

	"github.com/vlmtune/vlmtune/data/loader"
	"github.com/vlmtune/vlmtune/tensor"
	"github.com/vlmtune/vlmtune/train/objective"
	"github.com/vlmtune/vlmtune/train/optim"
)

// anchorPenalty is λ/2·Σ wᵢ(θᵢ − θ₀ᵢ)² over parameters that existed before
// fine-tuning: L2-SP with w = 1, EWC with w = the diagonal Fisher. Its
// gradient λ·w·(θ − θ₀) is added straight to the parameters' gradients.
type anchorPenalty struct {
	lambda  float32
	params  []optim.Param
	anchor  map[string][]float32
	weights map[string][]float32 // nil entries: weight 1
}

// newAnchor records the current values of the trainable parameters named
// in base (the pre-trained ones) as the anchor.
func newAnchor(lambda float64, params []optim.Param, base map[string]bool) *anchorPenalty {
	a := &anchorPenalty{lambda: float32(lambda), anchor: map[string][]float32{}, weights: map[string][]float32{}}
	for _, p := range params {
		if base[p.Name] {
			a.params = append(a.params, p)
			a.anchor[p.Name] = append([]float32(nil), p.T.Data()...)
		}
	}
	return a
}

// addGradients adds the penalty's gradient and returns its value.
func (a *anchorPenalty) addGradients() float64 {
	var total float64
	for _, p := range a.params {
		th, th0 := p.T.Data(), a.anchor[p.Name]
		w := a.weights[p.Name]
		g := p.T.Grad()
		if g == nil {
			// The parameter took no part in this step (the optimizer skips
			// it too).
			continue
		}
		gd := g.Data()
		var s float64
		for i := range th {
			d := th[i] - th0[i]
			wi := float32(1)
			if w != nil {
				wi = w[i]
			}
			gd[i] += a.lambda * wi * d
			s += float64(wi) * float64(d) * float64(d)
		}
		total += 0.5 * float64(a.lambda) * s
	}
	return total
}

// estimateFisher sets the penalty's weights to the diagonal empirical
// Fisher: the mean over batches of the squared gradient of the objective's
// loss (without accumulation), for each anchored parameter.
func (a *anchorPenalty) estimateFisher(s *tensor.Scope, obj objective.Objective, batches []*loader.Batch) error {
	if len(batches) == 0 {
		return fmt.Errorf("EWC: no batches to estimate the Fisher information from")
	}
	for _, p := range a.params {
		a.weights[p.Name] = make([]float32, p.T.Len())
	}
	for _, b := range batches {
		optim.ZeroGrad(a.params)
		if _, err := obj.Step(s, b); err != nil {
			return fmt.Errorf("EWC: %w", err)
		}
		for _, p := range a.params {
			if g := p.T.Grad(); g != nil {
				w := a.weights[p.Name]
				for i, v := range g.Data() {
					w[i] += v * v / float32(len(batches))
				}
			}
		}
	}
	optim.ZeroGrad(a.params)
	return nil
}
