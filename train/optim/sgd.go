package optim

import "fmt"

// SGD is torch.optim.SGD with momentum, dampening 0, optional Nesterov and
// L2 weight decay added to the gradient.
type SGD struct {
	Momentum, WeightDecay float32
	Nesterov              bool
	params                []Param
	buf                   map[string][]float32
	started               map[string]bool
	step                  int
}

// NewSGD returns an SGD optimizer over ps.
func NewSGD(ps []Param, momentum, weightDecay float32, nesterov bool) *SGD {
	o := &SGD{Momentum: momentum, WeightDecay: weightDecay, Nesterov: nesterov, buf: map[string][]float32{}, started: map[string]bool{}}
	o.SetParams(ps)
	return o
}

// SetParams replaces the parameter set.
func (o *SGD) SetParams(ps []Param) {
	o.params = ps
	for _, p := range ps {
		if _, ok := o.buf[p.Name]; !ok {
			o.buf[p.Name] = make([]float32, p.T.Len())
		}
	}
}

// Step applies one update: d = g + wd·p; b = μ·b + d (b = d at the first
// step); p −= lr·(Nesterov ? d + μ·b : b).
func (o *SGD) Step(lr float32) {
	o.step++
	for _, p := range o.params {
		g := p.T.Grad()
		if g == nil {
			continue
		}
		w, gd, b := p.T.Data(), g.Data(), o.buf[p.Name]
		wd := float32(0)
		if p.Decay {
			wd = o.WeightDecay
		}
		first := !o.started[p.Name]
		o.started[p.Name] = true
		for i := range w {
			d := gd[i] + wd*w[i]
			if o.Momentum != 0 {
				if first {
					b[i] = d
				} else {
					b[i] = o.Momentum*b[i] + d
				}
				if o.Nesterov {
					d += o.Momentum * b[i]
				} else {
					d = b[i]
				}
			}
			w[i] -= lr * d
		}
	}
}

// State returns the momentum buffers.
func (o *SGD) State() State {
	s := State{Kind: "sgd", Step: o.step, Buffers: map[string][]float32{}}
	for n, b := range o.buf {
		if o.started[n] {
			s.Buffers[n+".momentum_buffer"] = b
		}
	}
	return s
}

// LoadState restores the momentum buffers.
func (o *SGD) LoadState(s State) error {
	if s.Kind != "sgd" {
		return fmt.Errorf("optimizer state is %q, not sgd", s.Kind)
	}
	for _, p := range o.params {
		b, ok := s.Buffers[p.Name+".momentum_buffer"]
		if !ok {
			o.started[p.Name] = false
			continue
		}
		if len(b) != len(o.buf[p.Name]) {
			return fmt.Errorf("optimizer state %s.momentum_buffer has %d values, parameter has %d", p.Name, len(b), len(o.buf[p.Name]))
		}
		copy(o.buf[p.Name], b)
		o.started[p.Name] = true
	}
	o.step = s.Step
	return nil
}
