package nn

import (
	"fmt"
	"sort"
	"strings"

	"github.com/vlmtune/vlmtune/hf"
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

// LoadOptions relax a strict load.
type LoadOptions struct {
	// AllowMissing lists name prefixes or exact names that may be absent
	// from the source (for example newly added adapter parameters).
	AllowMissing []string
	// IgnoreUnexpected lists prefixes of source tensors to skip.
	IgnoreUnexpected []string
	// SkipExtensions loads only the base model: parameters that
	// fine-tuning methods added (Param.Extension) are neither expected
	// nor touched.
	SkipExtensions bool
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
// (an *hf.KeyError, wrapped with the source name) lists all missing,
// unexpected and mis-shaped keys, and nothing is modified unless the whole
// load succeeds. A scalar parameter accepts a
// one-element tensor of shape [1] and vice versa (Hugging Face stores
// logit_scale both ways).
func LoadState(m Module, src StateSource, sourceName string, opt LoadOptions) error {
	params := map[string]*tensor.Tensor{}
	Visit(m, func(p Param) {
		if !opt.SkipExtensions || !p.Extension {
			params[p.Name] = *p.Slot
		}
	})
	expected := map[string][]int{}
	for n, p := range params {
		expected[n] = p.Shape()
	}
	got := map[string][]int{}
	for _, n := range src.Names() {
		if _, ok := params[n]; !ok && hasPrefix(n, opt.IgnoreUnexpected) {
			continue
		}
		shape, _ := src.Shape(n)
		got[n] = shape
	}
	for n, want := range expected {
		g, ok := got[n]
		switch {
		case !ok && hasPrefix(n, opt.AllowMissing):
			delete(expected, n)
		case ok && shapeCompatible(g, want):
			expected[n] = g // a scalar stored as [1] (or [] as [1]) is fine
		}
	}
	if err := hf.CheckKeys(expected, got); err != nil {
		return fmt.Errorf("%s: %w", sourceName, err)
	}
	// Decode into fresh buffers first so a failure leaves m untouched.
	loaded := map[string][]float32{}
	for n := range expected {
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
