package hf

import (
	"fmt"
	"slices"
	"strings"
)

// ShapeMismatch is a tensor whose shape differs from the expected one.
type ShapeMismatch struct {
	Name      string
	Want, Got []int
}

// KeyError lists every difference between the tensors a model expects and
// those a checkpoint holds, each list sorted by name.
type KeyError struct {
	Missing    []string        // expected, absent from the checkpoint
	Unexpected []string        // in the checkpoint, not expected
	Mismatched []ShapeMismatch // present with another shape
}

// Error lists every problem, one per line after a summary line.
func (e *KeyError) Error() string {
	var b strings.Builder
	var parts []string
	if n := len(e.Missing); n > 0 {
		parts = append(parts, fmt.Sprintf("%d missing", n))
	}
	if n := len(e.Unexpected); n > 0 {
		parts = append(parts, fmt.Sprintf("%d unexpected", n))
	}
	if n := len(e.Mismatched); n > 0 {
		parts = append(parts, fmt.Sprintf("%d with the wrong shape", n))
	}
	fmt.Fprintf(&b, "checkpoint tensors do not match the model: %s", strings.Join(parts, ", "))
	for _, k := range e.Missing {
		fmt.Fprintf(&b, "\n  missing:     %s", k)
	}
	for _, k := range e.Unexpected {
		fmt.Fprintf(&b, "\n  unexpected:  %s", k)
	}
	for _, m := range e.Mismatched {
		fmt.Fprintf(&b, "\n  wrong shape: %s: model wants %v, checkpoint has %v", m.Name, m.Want, m.Got)
	}
	return b.String()
}

// CheckKeys compares the tensor shapes a model expects with those a
// checkpoint holds (see Checkpoint.Shapes and Weights.Shapes) and returns
// nil when they agree exactly, or a *KeyError listing every missing,
// unexpected and mis-shaped tensor. A model that tolerates some keys (a
// buffer older checkpoints carry, a head it re-initializes) removes them
// from the maps first.
func CheckKeys(expected, got map[string][]int) error {
	e := &KeyError{}
	for name, want := range expected {
		g, ok := got[name]
		switch {
		case !ok:
			e.Missing = append(e.Missing, name)
		case !slices.Equal(g, want):
			e.Mismatched = append(e.Mismatched, ShapeMismatch{Name: name, Want: want, Got: g})
		}
	}
	for name := range got {
		if _, ok := expected[name]; !ok {
			e.Unexpected = append(e.Unexpected, name)
		}
	}
	if len(e.Missing)+len(e.Unexpected)+len(e.Mismatched) == 0 {
		return nil
	}
	slices.Sort(e.Missing)
	slices.Sort(e.Unexpected)
	slices.SortFunc(e.Mismatched, func(a, b ShapeMismatch) int { return strings.Compare(a.Name, b.Name) })
	return e
}
