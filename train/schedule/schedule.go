// Package schedule computes learning rates per optimizer step: constant,
// linear decay and cosine decay, each after an optional linear warm-up
// (the shapes of transformers' get_constant_schedule_with_warmup,
// get_linear_schedule_with_warmup and get_cosine_schedule_with_warmup).
package schedule

import (
	"fmt"
	"math"
)

// Kinds of schedule.
const (
	Constant = "constant"
	Linear   = "linear"
	Cosine   = "cosine"
)

// Schedule maps a 0-based optimizer step to a learning rate.
type Schedule struct {
	Kind        string
	BaseLR      float64
	WarmupSteps int
	TotalSteps  int
	// MinRatio is the floor of the decay as a fraction of BaseLR (0 for
	// none).
	MinRatio float64
}

// Validate checks the schedule.
func (s Schedule) Validate() error {
	switch s.Kind {
	case Constant, Linear, Cosine:
	default:
		return fmt.Errorf("schedule %q is not one of constant, linear, cosine", s.Kind)
	}
	if s.BaseLR <= 0 || math.IsNaN(s.BaseLR) || math.IsInf(s.BaseLR, 0) {
		return fmt.Errorf("learning rate must be a positive number, got %g", s.BaseLR)
	}
	if s.WarmupSteps < 0 {
		return fmt.Errorf("warmup steps must be ≥ 0, got %d", s.WarmupSteps)
	}
	if s.Kind != Constant && s.TotalSteps < 1 {
		return fmt.Errorf("a %s schedule needs the total number of steps, got %d", s.Kind, s.TotalSteps)
	}
	if s.MinRatio < 0 || s.MinRatio > 1 {
		return fmt.Errorf("min ratio must be in [0, 1], got %g", s.MinRatio)
	}
	return nil
}

// LR returns the learning rate for step (0-based): BaseLR·step/warmup
// during warm-up (transformers' factor, so step 0 has rate 0), then the
// decay from BaseLR over the remaining steps down to BaseLR·MinRatio.
func (s Schedule) LR(step int) float64 {
	if step < s.WarmupSteps {
		return s.BaseLR * float64(step) / float64(max(1, s.WarmupSteps))
	}
	if s.Kind == Constant {
		return s.BaseLR
	}
	progress := float64(step-s.WarmupSteps) / float64(max(1, s.TotalSteps-s.WarmupSteps))
	progress = math.Min(progress, 1)
	var f float64
	switch s.Kind {
	case Linear:
		f = 1 - progress
	case Cosine:
		f = 0.5 * (1 + math.Cos(math.Pi*progress))
	}
	return s.BaseLR * (s.MinRatio + (1-s.MinRatio)*f)
}
