package nn

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vlmtune/vlmtune/tensor"
)

// StateSource is a read-only set of named float32 tensors, such as a
// checkpoint directory.
type StateSource interface {
	// Names lists the tensors.
	Names() []string
	// Shape returns a tensor's shape.
	Shape(name string) ([]int, bool)
	// Float32sInto decodes a tensor into dst (len = number of elements),
	// converting from the stored dtype.
	Float32sInto(name string, dst []float32) error
}

// StateError lists every problem of a strict load at once.
type StateError struct {
	Source     string
	Missing    []string // parameters the source lacks
	Unexpected []string // source tensors no parameter takes
	Mismatched []string // "name: checkpoint [..] vs model [..]"
}

// Error describes every problem, one per line.
func (e *StateError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s does not match the model:", e.Source)
	list := func(title string, items []string) {
		if len(items) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n  %d %s:", len(items), title)
		for _, s := range items {
			fmt.Fprintf(&b, "\n    %s", s)
		}
	}
	list("missing keys", e.Missing)
	list("unexpected keys", e.Unexpected)
	list("keys with the wrong shape", e.Mismatched)
	return b.String()
}

// LoadOptions relax a strict load.
type LoadOptions struct {
	// AllowMissing lists name prefixes or exact names that may be absent
	// from the source (for example newly added adapter parameters).
	AllowMissing []string
	// IgnoreUnexpected lists prefixes of source tensors to skip.
	IgnoreUnexpected []string
}

func hasPrefix(name string, prefixes []string) bool {
	for _, p := range prefixes {
		if name == p || strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// LoadState copies every parameter of m from src, strictly: one error
// lists all missing, unexpected and mis-shaped keys, and nothing is
// modified unless the whole load succeeds. A scalar parameter accepts a
// one-element tensor of shape [1] and vice versa (Hugging Face stores
// logit_scale both ways).
func LoadState(m Module, src StateSource, sourceName string, opt LoadOptions) error {
	params := Params(m)
	have := map[string]bool{}
	for _, n := range src.Names() {
		have[n] = true
	}
	e := &StateError{Source: sourceName}
	var names []string
	for n := range params {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if !have[n] {
			if !hasPrefix(n, opt.AllowMissing) {
				e.Missing = append(e.Missing, n)
			}
			continue
		}
		shape, _ := src.Shape(n)
		want := params[n].Shape()
		if !shapeCompatible(shape, want) {
			e.Mismatched = append(e.Mismatched, fmt.Sprintf("%s: checkpoint %v, model %v", n, shape, want))
		}
	}
	srcNames := append([]string(nil), src.Names()...)
	sort.Strings(srcNames)
	for _, n := range srcNames {
		if _, ok := params[n]; !ok && !hasPrefix(n, opt.IgnoreUnexpected) {
			e.Unexpected = append(e.Unexpected, n)
		}
	}
	if len(e.Missing)+len(e.Unexpected)+len(e.Mismatched) > 0 {
		return e
	}
	// Decode into fresh buffers first so a failure leaves m untouched.
	loaded := map[string][]float32{}
	for _, n := range names {
		if !have[n] {
			continue
		}
		buf := make([]float32, params[n].Len())
		if err := src.Float32sInto(n, buf); err != nil {
			return fmt.Errorf("%s: tensor %s: %w", sourceName, n, err)
		}
		loaded[n] = buf
	}
	for n, buf := range loaded {
		copy(params[n].Data(), buf)
	}
	return nil
}

func shapeCompatible(a, b []int) bool {
	if tensor.SameShape(a, b) {
		return true
	}
	scalar := func(s []int) bool { return len(s) == 0 || (len(s) == 1 && s[0] == 1) }
	return scalar(a) && scalar(b)
}

// MapSource is a StateSource over in-memory tensors.
type MapSource map[string]*tensor.Tensor

// Names lists the tensors.
func (s MapSource) Names() []string {
	var n []string
	for k := range s {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// Shape returns a tensor's shape.
func (s MapSource) Shape(name string) ([]int, bool) {
	t, ok := s[name]
	if !ok {
		return nil, false
	}
	return t.Shape(), true
}

// Float32sInto copies a tensor's values.
func (s MapSource) Float32sInto(name string, dst []float32) error {
	t, ok := s[name]
	if !ok {
		return fmt.Errorf("no tensor %q", name)
	}
	if len(dst) != t.Len() {
		return fmt.Errorf("tensor %q has %d values, want %d", name, t.Len(), len(dst))
	}
	copy(dst, t.Data())
	return nil
}
