// Package objective holds what the trainer optimises: an Objective turns
// a training batch into a loss (and its gradients) and evaluates the model
// on validation data, and says which metrics it reports and which of them
// can be monitored.
//
// Dual encoders train with the in-batch objectives of their families:
// "contrastive" (CLIP's symmetric cross-entropy) and "sigmoid" (SigLIP's
// pairwise loss); language modelling objectives come with the generative
// models.
package objective

import (
	"fmt"
	"math"

	"github.com/vlmtune/vlmtune/data/loader"
	"github.com/vlmtune/vlmtune/tensor"
)

// Objective is what training optimises and how it validates.
type Objective interface {
	// Name identifies the objective ("contrastive", "sigmoid").
	Name() string
	// Step computes the loss of one training batch in scope s and
	// back-propagates it into the trainable parameters (which the caller
	// zeroes first and updates after).
	Step(s *tensor.Scope, b *loader.Batch) (Loss, error)
	// Metrics lists what Evaluate reports, in display order.
	Metrics() []Metric
	// Evaluate computes the validation metrics, in a no-grad child of s.
	Evaluate(s *tensor.Scope) (map[string]float64, error)
}

// Loss is what one step reports.
type Loss struct {
	// Total is the loss that was differentiated.
	Total float64
	// Parts are its named components, logged as train/<name>.
	Parts map[string]float64
}

// Metric describes one validation metric.
type Metric struct {
	// Name is its key in metrics.jsonl ("i2t_r1").
	Name string
	// Label names it for people ("image→text R@1").
	Label string
	// Percent marks metrics in percent (recalls, accuracies).
	Percent bool
	// LowerIsBetter marks losses.
	LowerIsBetter bool
	// Headline metrics make up the one-line validation log; Summary ones
	// the before/after table.
	Headline, Summary bool
}

// Find returns the metric named name.
func Find(ms []Metric, name string) (Metric, bool) {
	for _, m := range ms {
		if m.Name == name {
			return m, true
		}
	}
	return Metric{}, false
}

// finite returns an error when v is NaN or infinite.
func finite(what string, v float32) error {
	if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
		return &NonFiniteError{What: what, Value: float64(v)}
	}
	return nil
}

// NonFiniteError reports a NaN or infinity found during training; the run
// stops without writing a checkpoint from the broken state.
type NonFiniteError struct {
	What  string
	Value float64
	Step  int
}

func (e *NonFiniteError) Error() string {
	return fmt.Sprintf("training diverged at step %d: %s is %v; no checkpoint was written from this state (lower optimizer.lr, set training.max_grad_norm, or check the data)", e.Step, e.What, e.Value)
}
