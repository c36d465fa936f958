package optim

import (
	"fmt"

	"github.com/vlmtune/vlmtune/internal/kernels"
)

// AdamW is torch.optim.AdamW: decoupled weight decay, bias-corrected
// moments.
type AdamW struct {
	Beta1, Beta2, Eps, WeightDecay float32
	params                         []Param
	m, v                           map[string][]float32
	step                           int
}

// NewAdamW returns an AdamW over ps.
func NewAdamW(ps []Param, beta1, beta2, eps, weightDecay float32) *AdamW {
	o := &AdamW{Beta1: beta1, Beta2: beta2, Eps: eps, WeightDecay: weightDecay, m: map[string][]float32{}, v: map[string][]float32{}}
	o.SetParams(ps)
	return o
}

// SetParams replaces the parameter set, keeping the moments of parameters
// that remain.
func (o *AdamW) SetParams(ps []Param) {
	o.params = ps
	for _, p := range ps {
		if _, ok := o.m[p.Name]; !ok {
			o.m[p.Name] = make([]float32, p.T.Len())
			o.v[p.Name] = make([]float32, p.T.Len())
		}
	}
}

// Step applies one AdamW update. Parameters without a gradient are skipped
// (their moments do not decay), as PyTorch does.
func (o *AdamW) Step(lr float32) {
	o.step++
	for _, p := range o.params {
		g := p.T.Grad()
		if g == nil {
			continue
		}
		wd := float32(0)
		if p.Decay {
			wd = o.WeightDecay
		}
		kernels.AdamW(p.T.Data(), g.Data(), o.m[p.Name], o.v[p.Name], kernels.AdamWParams{
			LR: lr, Beta1: o.Beta1, Beta2: o.Beta2, Eps: o.Eps, WeightDecay: wd, Step: o.step})
	}
}

// State returns the moments and step count.
func (o *AdamW) State() State {
	s := State{Kind: "adamw", Step: o.step, Buffers: map[string][]float32{}}
	for n, b := range o.m {
		s.Buffers[n+".exp_avg"] = b
	}
	for n, b := range o.v {
		s.Buffers[n+".exp_avg_sq"] = b
	}
	return s
}

// LoadState restores moments and step count.
func (o *AdamW) LoadState(s State) error {
	if s.Kind != "adamw" {
		return fmt.Errorf("optimizer state is %q, not adamw", s.Kind)
	}
	for _, p := range o.params {
		for suffix, dst := range map[string][]float32{".exp_avg": o.m[p.Name], ".exp_avg_sq": o.v[p.Name]} {
			b, ok := s.Buffers[p.Name+suffix]
			if !ok {
				return fmt.Errorf("optimizer state lacks %s%s", p.Name, suffix)
			}
			if len(b) != len(dst) {
				return fmt.Errorf("optimizer state %s%s has %d values, parameter has %d", p.Name, suffix, len(b), len(dst))
			}
			copy(dst, b)
		}
	}
	o.step = s.Step
	return nil
}
