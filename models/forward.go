package models

import (
	"fmt"

	"github.com/vlmtune/vlmtune/tensor"
)

// Array is one named input array.
type Array struct {
	Shape []int
	// Ints holds an integer array's values (input_ids, attention_mask),
	// Floats a float array's (pixel_values); the other is nil.
	Ints   []int64
	Floats []float32
}

// Inputs are named input arrays, under the argument names of the
// family's forward in transformers.
type Inputs map[string]Array

// IDs returns the integer array name of rank dims as int32 values, each in
// [0, limit), with its shape.
func (in Inputs) IDs(name string, dims, limit int) ([]int32, []int, error) {
	a, ok := in[name]
	if !ok {
		return nil, nil, fmt.Errorf("no input %s (the model needs it)", name)
	}
	if a.Ints == nil {
		return nil, nil, fmt.Errorf("input %s holds floats; it must be an integer array", name)
	}
	if len(a.Shape) != dims {
		return nil, nil, fmt.Errorf("input %s has shape %v; it must have %d dimensions", name, a.Shape, dims)
	}
	out := make([]int32, len(a.Ints))
	for i, v := range a.Ints {
		if v < 0 || v >= int64(limit) {
			return nil, nil, fmt.Errorf("input %s: value %d at position %d is outside [0, %d)", name, v, i, limit)
		}
		out[i] = int32(v)
	}
	return out, a.Shape, nil
}

// Floats returns the float array name, which must have the given shape.
func (in Inputs) Floats(name string, shape ...int) (*tensor.Tensor, error) {
	a, ok := in[name]
	if !ok {
		return nil, fmt.Errorf("no input %s (the model needs it)", name)
	}
	if a.Floats == nil {
		return nil, fmt.Errorf("input %s holds integers; it must be a float array", name)
	}
	if !tensor.SameShape(a.Shape, shape) {
		return nil, fmt.Errorf("input %s has shape %v, want %v", name, a.Shape, shape)
	}
	return tensor.Wrap(a.Floats, shape...), nil
}

// Forwarder is a model that `vlmtune forward` can run on named inputs.
type Forwarder interface {
	Model
	// ForwardNamed runs the model as its forward in transformers does, in
	// scope s, and returns every output under its Hugging Face name (with
	// "loss" when wantLoss). In a recording scope the outputs keep their
	// graph, so the loss can be differentiated. Missing or mis-shaped
	// inputs are errors naming the input.
	ForwardNamed(s *tensor.Scope, in Inputs, wantLoss bool) (map[string]*tensor.Tensor, error)
}
